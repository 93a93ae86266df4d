"""Finding, filtering and loading plugins.

Find first, import later: entry points are read once per process and
filtered by the allow and deny lists before anything is imported. A plugin
that fails to import is reported, not fatal (unless strict), and namespace
code is imported only when a namespace is first used.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import msgspec
import pluggy

from . import hookspecs
from ._errors import PluginError
from ._specs import ComponentTypeSpec, Factory, NamespaceSpec

__all__ = [
    "ENTRY_POINT_GROUP",
    "FoundPlugin",
    "PluginHost",
    "PluginInfo",
    "discover",
    "load_plugins",
    "per_plugin",
    "resolve_factory",
]

ENTRY_POINT_GROUP = "flow_sdk.plugins"
R = TypeVar("R")
logger = logging.getLogger("flow_sdk")


class FoundPlugin(msgspec.Struct, frozen=True):
    """A plugin as found in the metadata, before anything is imported."""

    name: str
    value: str
    distribution: str | None = None
    version: str | None = None


class PluginInfo(msgspec.Struct):
    """A plugin as loaded: what it provides, or why it is not available."""

    name: str
    distribution: str | None
    version: str | None
    status: str  # "loaded", "failed" or "disabled"
    error: str | None = None
    namespaces: tuple[str, ...] = ()
    component_types: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()


class _Provided(msgspec.Struct, frozen=True):
    """A namespace and the plugin that provides it."""

    name: str
    factory: Factory
    plugin: PluginInfo
    component_type: str | None = None
    summary: str = ""


@functools.cache
def discover(group: str = ENTRY_POINT_GROUP) -> tuple[FoundPlugin, ...]:
    """Every entry point in ``group``, read once per process; imports no plugin."""
    from ._entry_points import scan_entry_points

    found: dict[str, FoundPlugin] = {}
    for name, value, distribution, version in scan_entry_points(group):
        found.setdefault(name, FoundPlugin(name, value, distribution, version))
    return tuple(sorted(found.values(), key=lambda p: p.name))


def _split(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def _matches(plugin: FoundPlugin, names: frozenset[str]) -> bool:
    return plugin.name in names or (plugin.distribution or "") in names


def resolve_factory(factory: Factory) -> Callable[..., Any]:
    """Import a "module:attribute" path, or return a callable as it is."""
    if not isinstance(factory, str):
        return factory
    module_name, _, attribute = factory.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in attribute.split(".") if attribute else ():
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


class PluginHost:
    """The plugins one client (or the ``flow`` command) uses, and what they provide."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.infos: list[PluginInfo] = []
        self.errors: list[PluginError] = []
        self.namespaces: dict[str, _Provided] = {}
        self.component_types: dict[str, ComponentTypeSpec] = {}
        self.broken_namespaces: dict[str, PluginError] = {}
        self._reserved = frozenset(reserved)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PluginHost({[info.name for info in self.infos]})"

    # building

    def add(self, module: object, info: PluginInfo, *, strict: bool) -> None:
        """Register one imported plugin module and collect what it provides."""
        try:
            self.pm.register(module, name=info.name)
            namespace_specs = self._ask(module, "flow_sdk_namespaces", NamespaceSpec, info)
            type_specs = self._ask(module, "flow_sdk_component_types", ComponentTypeSpec, info)
        except Exception as exc:
            if self.pm.is_registered(module):
                self.pm.unregister(module)
            self._fail(info, f"its hooks failed: {exc!r}", strict=strict)
            return
        provided: list[_Provided] = []
        for spec in namespace_specs:
            provided.append(_Provided(spec.name, spec.factory, info, summary=spec.summary))
        for ctype in type_specs:
            provided.append(
                _Provided(
                    ctype.attribute,
                    ctype.factory or _component_namespace_factory(ctype.type),
                    info,
                    component_type=ctype.type,
                    summary=ctype.summary,
                )
            )
            self.component_types.setdefault(ctype.type, ctype)
            info.component_types += (ctype.type,)
        for item in provided:
            self._claim(item, strict=strict)
        info.status = "loaded"
        self.infos.append(info)

    def _ask(self, module: object, hook_name: str, record: type[R], info: PluginInfo) -> list[R]:
        """Call ``hook_name`` through pluggy on this one plugin; check what it returns.

        Called through pluggy, so ``specname``, ``tryfirst``/``trylast`` and
        wrappers work; a result of the wrong shape is a ``PluginError`` naming
        the plugin and the hook, never silently dropped.
        """
        others = [p for p in self.pm.get_plugins() if p is not module]
        answers = self.pm.subset_hook_caller(hook_name, remove_plugins=others)()
        owner = info.distribution or info.name
        found: list[R] = []
        for answer in answers:
            if answer is None:
                continue
            if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
                raise PluginError(
                    f"plugin {info.name!r} from {owner}: hook {hook_name} returned "
                    f"{type(answer).__name__}, not a list of {record.__name__}",
                    hint=f"return a list of flow_sdk.plugin.{record.__name__} from {hook_name}",
                )
            for item in answer:
                if not isinstance(item, record):
                    raise PluginError(
                        f"plugin {info.name!r} from {owner}: hook {hook_name} returned "
                        f"{item!r}, not a {record.__name__}",
                        hint=f"return flow_sdk.plugin.{record.__name__} records from {hook_name}",
                    )
                found.append(item)
        return found

    def _claim(self, item: _Provided, *, strict: bool) -> None:
        owner = item.plugin.distribution or item.plugin.name
        if item.name in self._reserved:
            error = PluginError(
                f"plugin {owner} provides namespace {item.name!r}, which would shadow "
                f"CLIClient.{item.name}",
                hint=f"rename the namespace in {owner}; core attributes cannot be replaced",
            )
        elif item.name in self.namespaces:
            other = self.namespaces[item.name].plugin
            other_owner = other.distribution or other.name
            error = PluginError(
                f"namespace {item.name!r} is claimed by both {other_owner} and {owner}",
                hint=f"uninstall one of them, or disable one with FLOW_DISABLE_PLUGINS="
                f"{item.plugin.name}",
            )
            self.namespaces.pop(item.name)
            self.broken_namespaces[item.name] = error
        else:
            self.namespaces[item.name] = item
            item.plugin.namespaces += (item.name,)
            return
        self.errors.append(error)
        logger.warning("%s", error)
        if strict:
            raise error

    def _fail(self, info: PluginInfo, reason: str, *, strict: bool) -> None:
        owner = info.distribution or info.name
        error = PluginError(
            f"plugin {info.name!r} from {owner} could not be loaded: {reason}",
            hint=f"reinstall or upgrade {owner}, or disable it with "
            f"FLOW_DISABLE_PLUGINS={info.name}",
        )
        info.status = "failed"
        info.error = reason
        self.infos.append(info)
        self.errors.append(error)
        logger.warning("%s", error)
        if strict:
            raise error

    # using

    def transport_for(self, platform_url: str) -> Any:
        """The first transport a plugin offers for ``platform_url``, or None."""
        return self.pm.hook.flow_sdk_transport(platform_url=platform_url, plugin_manager=self.pm)

    def async_transport_for(self, platform_url: str) -> Any:
        """The first async transport a plugin offers for ``platform_url``, or the default."""
        found = self.pm.hook.flow_sdk_async_transport(
            platform_url=platform_url, plugin_manager=self.pm
        )
        if found is not None:
            return found
        from ._async_transport import default_async_transport

        return default_async_transport(platform_url)

    def error_for(self, name: str) -> PluginError | None:
        """The error to raise for a namespace that a plugin meant to provide but cannot."""
        if name in self.broken_namespaces:
            return self.broken_namespaces[name]
        from ._catalog import distribution_for

        dist = distribution_for(name)
        for info in self.infos:
            if info.status == "failed" and dist and info.distribution == dist:
                return PluginError(
                    f"namespace {name!r} is unavailable: plugin {info.name!r} from "
                    f"{info.distribution} failed to load: {info.error}",
                    hint=f"reinstall {dist}: pip install --force-reinstall {dist}",
                )
        return None


def per_plugin(
    pm: pluggy.PluginManager, hook_name: str
) -> Iterator[tuple[str, Callable[..., list[Any]]]]:
    """Each plugin implementing ``hook_name``, in the order they were registered
    (first come, first served: the first plugin to add a CLI group keeps it), with a
    caller that calls the hook on that plugin alone, through pluggy (so
    ``specname`` and the plugin's own wrappers apply).

    For a host that must know which plugin answered, or keep one plugin's failure
    from stopping the others (CLI groups, local-platform routes).
    """
    seen: list[object] = []
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        if any(impl.plugin is plugin for plugin in seen):
            continue
        seen.append(impl.plugin)
        others = [p for p in pm.get_plugins() if p is not impl.plugin]
        yield impl.plugin_name, pm.subset_hook_caller(hook_name, remove_plugins=others)


def _component_namespace_factory(component_type: str) -> Callable[..., Any]:
    def build(client: Any) -> Any:
        from ._namespaces import ComponentTypeNamespace

        return ComponentTypeNamespace(client, component_type)

    build.__qualname__ = f"ComponentTypeNamespace[{component_type}]"
    return build


_cache: dict[Any, PluginHost] = {}
_cache_lock = threading.Lock()


def load_plugins(
    plugins: Sequence[str | object] | None = None,
    disable_plugins: Sequence[str] | None = None,
    *,
    strict: bool | None = None,
    reserved: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
    found: Sequence[FoundPlugin] | None = None,
) -> PluginHost:
    """Load the plugins to use, honouring the allow and deny lists.

    ``plugins`` is an allow-list of entry-point or distribution names, or of
    plugin objects (modules) to use as they are, with no entry-point scan;
    ``None`` means ``FLOW_PLUGINS``, or every installed plugin when that is
    unset. ``disable_plugins`` (or ``FLOW_DISABLE_PLUGINS``) removes some.
    Hosts built from entry points are cached per process.
    """
    env = os.environ if environ is None else environ
    if strict is None:
        strict = env.get("FLOW_STRICT_PLUGINS", "") not in ("", "0", "false", "no")
    reserved = frozenset(reserved)
    if plugins is not None and any(not isinstance(p, str) for p in plugins):
        host = PluginHost(reserved)
        for index, obj in enumerate(plugins):
            if isinstance(obj, str):
                raise PluginError(
                    "pass either plugin names or plugin objects, not both",
                    hint="import the modules and pass them all as objects",
                )
            name = getattr(obj, "__name__", f"plugin{index}")
            host.add(obj, PluginInfo(name, None, None, "loaded"), strict=bool(strict))
        return host

    allow = (
        frozenset(str(p) for p in plugins)
        if plugins is not None
        else _split(env.get("FLOW_PLUGINS"))
    )
    deny = frozenset(disable_plugins or ()) | (_split(env.get("FLOW_DISABLE_PLUGINS")) or set())
    key = (allow, deny, strict, reserved, tuple(found) if found is not None else None)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        host = PluginHost(reserved)
        for plugin in found if found is not None else discover():
            info = PluginInfo(plugin.name, plugin.distribution, plugin.version, "disabled")
            if (allow is not None and not _matches(plugin, allow)) or _matches(plugin, deny):
                host.infos.append(info)
                continue
            try:
                module = resolve_factory(plugin.value)
            except Exception as exc:
                host._fail(info, f"{type(exc).__name__}: {exc}", strict=bool(strict))
                continue
            host.add(module, info, strict=bool(strict))
        _cache[key] = host
        return host


def clear_cache() -> None:
    """Forget loaded hosts and discovered entry points (tests, after installing a plugin)."""
    with _cache_lock:
        _cache.clear()
    discover.cache_clear()
