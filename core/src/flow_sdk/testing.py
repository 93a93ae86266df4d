"""Helpers for testing plugins without installing them.

A plugin is normally found through its entry point in the group
``flow_sdk.plugins``. In a plugin's own tests that is often not what you want:
the plugin may not be installed, or you want exactly one plugin and nothing
else. These helpers build the same objects the core builds, from modules you
hand over::

    from flow_sdk.testing import RecordingTransport, client_with_plugins
    import my_plugin.plugin

    transport = RecordingTransport({"id": "n1", "title": "hello"})
    client = client_with_plugins(my_plugin.plugin, transport=transport)
    client.notes.get("n1")
    assert transport.last.url.path.endswith("/notes/n1")

- :func:`client_with_plugins` - a ``CLIClient`` using exactly these plugins
  (:func:`async_client_with_plugins`: an ``AsyncCLIClient``).
- :func:`plugin_host` - the loaded plugins alone (what they provide, errors).
- :func:`fake_entry_points` / :func:`installed_plugins` - pretend entry points,
  so discovery (the client, its static methods, the ``flow`` command) finds
  exactly these plugins, filtered by ``FLOW_PLUGINS`` like real ones.
- :func:`transport_plugin` - a plugin that answers the transport hook, so
  calls that build their own httpx client (the static methods) use your double.
- :class:`RecordingTransport` and :class:`SleepRecorder` - a mock platform that
  keeps every request, and a ``sleep`` that never sleeps.

This module is for tests: ``import flow_sdk`` does not import it.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import httpx
import msgspec

from . import _plugins
from ._config import FlowConfig
from ._plugins import FoundPlugin, PluginHost, load_plugins
from .cli_client import AsyncCLIClient, CLIClient, _reserved_names
from .hookspecs import hookimpl

__all__ = [
    "TEST_CONFIG",
    "RecordingTransport",
    "SleepRecorder",
    "async_client_with_plugins",
    "client_with_plugins",
    "fake_entry_points",
    "installed_plugins",
    "plugin_host",
    "transport_plugin",
]

#: The config ``client_with_plugins`` uses when given none: a remote-looking
#: platform with a token and a tenant, so every namespace call can be built.
TEST_CONFIG = FlowConfig(
    platform_url="http://flow.test",
    access_token="test-access-token",  # noqa: S106 - a fake token for tests
    org_id="org_test",
    workspace_id="ws_test",
)

Plugin = object
"""A plugin: a module (or any object) with ``@hookimpl`` functions."""

Target = str | object
"""What an entry point names: an import path ("pkg.plugin" or "pkg:attr") or a plugin object."""

# Plugin objects handed to fake_entry_points, reachable by an import path
# ("flow_sdk.testing:_registry.pN") so the loader imports them like real ones.
_registry = SimpleNamespace()
_counter = itertools.count()
_patch_lock = threading.Lock()


def _value_for(target: Target) -> str:
    if isinstance(target, str):
        return target
    key = f"p{next(_counter)}"
    setattr(_registry, key, target)
    return f"{__name__}:_registry.{key}"


def fake_entry_points(
    plugins: Mapping[str, Target],
    *,
    distribution: str | None = None,
    version: str | None = "0.0.0",
) -> list[FoundPlugin]:
    """Entry points as the core's discovery would report them, for ``plugins``.

    Each key is the entry-point name; each value an import path (imported only
    when the plugin is loaded, as a real one is) or a plugin object. The
    distribution defaults to ``test-<name>``.
    """
    return [
        FoundPlugin(
            name=name,
            value=_value_for(target),
            distribution=distribution or f"test-{name}",
            version=version,
        )
        for name, target in plugins.items()
    ]


@contextlib.contextmanager
def installed_plugins(
    plugins: Mapping[str, Target] | Iterable[FoundPlugin],
    *,
    keep_installed: bool = False,
) -> Iterator[tuple[FoundPlugin, ...]]:
    """Make discovery find exactly ``plugins`` (plus the installed ones if ``keep_installed``).

    Everything that discovers plugins sees them: ``CLIClient``, its static
    methods, the ``flow`` command. ``FLOW_PLUGINS``, ``FLOW_DISABLE_PLUGINS``
    and strict mode apply as to real entry points. Loaded-plugin caches are
    cleared on entry and on exit. Not for use from several threads at once.
    """
    found = tuple(fake_entry_points(plugins) if isinstance(plugins, Mapping) else list(plugins))
    with _patch_lock:
        original = _plugins.discover
        extra = original() if keep_installed else ()
        names = {plugin.name for plugin in found}
        combined = tuple(
            sorted([*found, *(p for p in extra if p.name not in names)], key=lambda p: p.name)
        )

        def fake_discover(group: str = _plugins.ENTRY_POINT_GROUP) -> tuple[FoundPlugin, ...]:
            return combined if group == _plugins.ENTRY_POINT_GROUP else original(group)

        # clear_cache() may be called while the fake is in place.
        fake_discover.cache_clear = lambda: None  # type: ignore[attr-defined]

        _plugins.clear_cache()
        _plugins.discover = fake_discover  # type: ignore[assignment]
    try:
        yield combined
    finally:
        with _patch_lock:
            _plugins.discover = original
            _plugins.clear_cache()


def _as_plugin(plugin: Plugin | str) -> Plugin:
    return importlib.import_module(plugin) if isinstance(plugin, str) else plugin


def plugin_host(*plugins: Plugin | str, strict: bool = True) -> PluginHost:
    """Load exactly ``plugins`` (modules, objects or import paths) as a client would.

    ``strict`` (the default here) raises a ``PluginError`` at once for a broken
    hook or a name collision; pass ``strict=False`` to test how they are reported.
    """
    return load_plugins([_as_plugin(p) for p in plugins], strict=strict, reserved=_reserved_names())


def client_with_plugins(
    *plugins: Plugin | str,
    config: FlowConfig | None = None,
    transport: httpx.BaseTransport | None = None,
    strict: bool = True,
    **client_kwargs: Any,
) -> CLIClient:
    """A ``CLIClient`` that uses exactly ``plugins``, with no entry-point scan.

    ``config`` defaults to a copy of :data:`TEST_CONFIG`; ``transport`` (e.g. a
    :class:`RecordingTransport`) replaces the network. Without one, the
    plugins' transport hook answers, as for a real client (pass the local
    platform's plugin and a ``local://`` config to run against it). Other
    keyword arguments go to ``CLIClient``.
    """
    modules = [_as_plugin(p) for p in plugins]
    return CLIClient(
        # A copy: FlowConfig is mutable, and one test must not change the next one's config.
        config or msgspec.structs.replace(TEST_CONFIG),
        transport=transport,
        plugins=modules,
        strict_plugins=strict,
        **client_kwargs,
    )


def async_client_with_plugins(
    *plugins: Plugin | str,
    config: FlowConfig | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    strict: bool = True,
    **client_kwargs: Any,
) -> AsyncCLIClient:
    """``client_with_plugins`` for ``AsyncCLIClient`` (a ``RecordingTransport`` serves both)."""
    modules = [_as_plugin(p) for p in plugins]
    return AsyncCLIClient(
        config or msgspec.structs.replace(TEST_CONFIG),
        transport=transport,
        plugins=modules,
        strict_plugins=strict,
        **client_kwargs,
    )


class _TransportPlugin:
    """A plugin that offers one transport through the ``flow_sdk_transport`` hook."""

    def __init__(self, transport: httpx.BaseTransport, prefix: str | None) -> None:
        self.transport = transport
        self.prefix = prefix
        self.__name__ = f"transport_plugin({type(transport).__name__})"

    def __repr__(self) -> str:
        return f"<{self.__name__}>"

    @hookimpl
    def flow_sdk_transport(self, platform_url: str) -> httpx.BaseTransport | None:
        """The transport for every URL (or those starting with ``prefix``)."""
        if self.prefix is None or platform_url.startswith(self.prefix):
            return self.transport
        return None

    @hookimpl
    def flow_sdk_async_transport(self, platform_url: str) -> httpx.AsyncBaseTransport | None:
        """The same, for ``AsyncCLIClient``, when the transport serves both (a mock does)."""
        if isinstance(self.transport, httpx.AsyncBaseTransport):
            return self.flow_sdk_transport(platform_url)  # type: ignore[return-value]
        return None


def transport_plugin(transport: httpx.BaseTransport, *, prefix: str | None = None) -> Plugin:
    """A plugin whose transport hook answers with ``transport``.

    Every httpx client the SDK makes asks this hook, the static methods'
    included (and ``AsyncCLIClient``'s, when ``transport`` is also an
    ``httpx.AsyncBaseTransport``, as ``RecordingTransport`` is), so
    ``with installed_plugins({"double": transport_plugin(t)})`` routes
    ``CLIClient.exchange_api_key(...)`` to ``t``. ``prefix`` limits it to
    platform URLs starting with that text.
    """
    return _TransportPlugin(transport, prefix)


Reply = httpx.Response | Mapping[str, Any] | Sequence[Any] | None
Handler = Callable[[httpx.Request], httpx.Response]


def _response_for(reply: Reply) -> httpx.Response:
    if isinstance(reply, httpx.Response):
        # A fresh copy, so one template can answer many requests.
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)
    if reply is None:
        return httpx.Response(204)
    return httpx.Response(200, content=msgspec.json.encode(reply), headers=_JSON_HEADERS)


_JSON_HEADERS = {"Content-Type": "application/json"}


class RecordingTransport(httpx.MockTransport):
    """A mock platform that keeps every request it answers.

    ``replies`` are what it answers with, in turn (the last one repeats): an
    ``httpx.Response``, a JSON-able value (sent as 200; ``None`` is a 204), or
    a callable ``(request) -> Response``. With no reply it answers 200 ``{}``.
    Request bodies are read before answering, so ``request.content`` is
    always available afterwards.
    """

    def __init__(self, *replies: Handler | Reply) -> None:
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()
        self._replies: tuple[Handler | Reply, ...] = replies or ({},)
        super().__init__(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self._lock:
            index = len(self.requests)
            self.requests.append(request)
        reply = self._replies[min(index, len(self._replies) - 1)]
        if callable(reply):
            return reply(request)
        return _response_for(reply)

    @property
    def last(self) -> httpx.Request:
        """The most recent request; ``AssertionError`` when there was none."""
        assert self.requests, "the transport has not answered any request"
        return self.requests[-1]

    def json(self, index: int = -1) -> Any:
        """The JSON body of request ``index`` (the last by default)."""
        return msgspec.json.decode(self.requests[index].content)


class SleepRecorder:
    """A ``sleep`` for ``CLIClient(sleep=...)`` that records delays instead of waiting.

    ``recorder.async_sleep`` is the same for ``AsyncCLIClient(sleep=...)``.
    """

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        """Record ``seconds`` and yield to the event loop once, as ``asyncio.sleep(0)`` does."""
        import asyncio

        self.calls.append(seconds)
        await asyncio.sleep(0)

    @property
    def total(self) -> float:
        """Seconds the code under test would have slept."""
        return sum(self.calls)
