"""pytest fixtures for testing against the local platform (entry point ``pytest11``).

- ``local_platform``: a fresh in-memory platform (a :class:`PlatformHandle`);
  when the test also uses ``flow_client``, it is the platform that client talks to.
- ``flow_client``: a ``CLIClient`` on the dev org and workspace, authenticated
  with the dev API key; every test using it runs twice, ``[inprocess]`` and
  ``[socket]`` (a uvicorn server on 127.0.0.1 started once per session, reset
  before each test).
- ``flow_client_inprocess``: the same, in-process only.
- ``flow_config_dir``: a temporary ``FLOW_CONFIG_DIR`` and ``FLOW_DATA_DIR``,
  with the ``FLOW_*`` credential variables removed.
- ``flow_installed_plugins``: ``flow_installed_plugins({"name": module_or_path})``
  makes plugin discovery find exactly those plugins until the test ends.
- ``flow_cli``: ``flow_cli(*argv, stdin="", **environ) -> FlowRun(code, out, err)``
  runs the ``flow`` command in-process against the test's ``local_platform``,
  as the dev user, with the config directory of ``flow_config_dir``.

Mark a test ``@pytest.mark.flow_plugins(module, ...)`` to build its platform
with extra plugin objects (e.g. a test plugin that registers a component type).
"""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import pytest

from ._faults import FaultRule, FaultsConfig
from ._platform import (
    DEV_ORG_ID,
    DEV_USER_ID,
    DEV_WORKSPACE_ID,
    LocalPlatform,
    forget_platform,
    register_platform,
)

__all__ = ["MODES", "FlowCLI", "FlowRun", "PlatformHandle"]

MODES = ("inprocess", "socket")
_CONFIG_FIELDS = frozenset(
    {"platform_url", "access_token", "org_id", "workspace_id", "api_key", "timeout", "max_retries"}
)
_ENV_TO_CLEAR = (
    "FLOW_API_KEY",
    "FLOW_ACCESS_TOKEN",
    "FLOW_PLATFORM_URL",
    "FLOW_ORG_ID",
    "FLOW_WORKSPACE_ID",
    "FLOW_PROFILE",
    "FLOW_TIMEOUT",
    "FLOW_MAX_RETRIES",
)


class PlatformHandle:
    """A local platform as a test sees it: where it is, who the dev user is, and controls.

    ``url`` is ``local://memory-…`` in-process, ``http://127.0.0.1:PORT`` over
    the socket; the controls act on the platform directly in both modes. Over
    the socket the control plane (``/_local``) needs ``admin_headers()``, which
    ``http()`` sends unless told not to.
    """

    def __init__(self, platform: LocalPlatform, url: str, mode: str) -> None:
        self.platform = platform
        self.url = url
        self.mode = mode
        self.org_id = DEV_ORG_ID
        self.workspace_id = DEV_WORKSPACE_ID
        self.user_id = DEV_USER_ID
        self._clients: list[Any] = []

    def __repr__(self) -> str:
        return f"PlatformHandle({self.url!r}, mode={self.mode!r})"

    @property
    def api_key(self) -> str:
        """The dev user's API key (minted when the platform was made or last reset)."""
        key = self.platform.dev_api_key
        if key is None:
            key = self.platform.mint_dev_key()
        return key

    @property
    def store(self) -> Any:
        """The platform's SQLite store (to seed or inspect state directly)."""
        return self.platform.store

    @property
    def admin_secret(self) -> str:
        """The local admin secret the served platform's control plane asks for."""
        return str(self.platform.admin_secret)

    def admin_headers(self) -> dict[str, str]:
        """``{"X-Flow-Local-Admin": secret}``: what a raw request to ``/_local`` must send
        over the socket (in-process it is not needed, and harmless)."""
        from ._app import ADMIN_HEADER

        return {ADMIN_HEADER: self.admin_secret}

    def config(self, **overrides: Any) -> Any:
        """A ``FlowConfig`` for this platform as the dev user; ``overrides`` win."""
        from flow_sdk import FlowConfig

        values: dict[str, Any] = {
            "platform_url": self.url,
            "api_key": self.api_key,
            "org_id": self.org_id,
            "workspace_id": self.workspace_id,
        }
        values.update(overrides)
        return FlowConfig(**values)

    def client(self, **options: Any) -> Any:
        """A ``CLIClient`` for this platform; config fields and ``CLIClient`` options both go here.

        Closed when the test ends.
        """
        from flow_sdk import CLIClient

        config_values = {k: v for k, v in options.items() if k in _CONFIG_FIELDS}
        client_options = {k: v for k, v in options.items() if k not in _CONFIG_FIELDS}
        client = CLIClient(self.config(**config_values), **client_options)
        self._clients.append(client)
        return client

    def async_client(self, **options: Any) -> Any:
        """An ``AsyncCLIClient`` for this platform (close it: ``async with``)."""
        from flow_sdk import AsyncCLIClient

        config_values = {k: v for k, v in options.items() if k in _CONFIG_FIELDS}
        client_options = {k: v for k, v in options.items() if k not in _CONFIG_FIELDS}
        return AsyncCLIClient(self.config(**config_values), **client_options)

    def token(self, api_key: str | None = None, ttl_minutes: int = 60) -> str:
        """An access token (JWT) for the dev user, or for the owner of ``api_key``."""
        from ._auth_routes import TokenRequest

        wire = self.platform.handle(
            "POST",
            "/api/v1/auth/token",
            "",
            {"content-type": "application/json"},
            msgspec.json.encode(TokenRequest(api_key or self.api_key, ttl_minutes)),
        )
        assert wire.status == 200, wire.body
        token: str = msgspec.json.decode(wire.body)["access_token"]
        return token

    def http(
        self, *, authenticated: bool = True, token: str | None = None, admin: bool = True
    ) -> Any:
        """A raw ``httpx.Client`` on this platform (for status codes and headers).

        Sends the dev user's bearer token, or ``token`` when given; nothing
        with ``authenticated=False``. Sends the local admin secret (so the
        control plane answers over the socket too) unless ``admin=False``.
        Closed when the test ends.
        """
        import httpx

        from ._transport import LocalTransport

        headers = self.admin_headers() if admin else {}
        if authenticated:
            headers["Authorization"] = f"Bearer {token or self.token()}"
        transport = LocalTransport(self.platform) if self.mode == "inprocess" else None
        # Plain HTTP on loopback: skipping certificate loading saves ~20 ms per client.
        client = httpx.Client(
            base_url=self.url,
            headers=headers,
            transport=transport,
            timeout=30,
            verify=False,  # noqa: S501 - http://127.0.0.1 or in-process, never TLS
        )
        self._clients.append(client)
        return client

    # controls

    def console(self) -> Any:
        """An ``httpx.Client`` signed in to the served platform's web console (through a
        one-time link, as a browser is); closed when the test ends."""
        import httpx

        from .console import COOKIE, login_link

        if self.mode != "socket":
            raise RuntimeError("the console is served over the socket: use served_platform")
        client = httpx.Client(base_url=self.url, timeout=30, trust_env=False)
        answer = client.get(login_link(self.url, self.admin_secret))
        if answer.status_code != 303:
            raise RuntimeError(f"the console refused its link: {answer.status_code}")
        client.cookies.set(COOKIE, answer.cookies[COOKIE], path="/console")
        self._clients.append(client)
        return client

    def reset(self) -> dict[str, Any]:
        """Wipe all state and seed the dev tenant again (with a new API key)."""
        return self.platform.reset()

    def inject_faults(
        self,
        kind: str = "503",
        *,
        share: float = 1.0,
        count: int | None = None,
        retry_after: float = 0.0,
        delay_s: float = 0.0,
        path_prefix: str = "/api/",
        methods: Sequence[str] = (),
        seed: int | None = 0,
        rules: Sequence[FaultRule] = (),
    ) -> None:
        """Answer a share of /api requests with ``kind``: "429", "503", "delay", "drop"
        (before handling) or "drop_after" (handled, answer lost).

        ``count`` caps how many; ``rules`` replaces the single rule with several.
        """
        chosen = list(rules) or [
            FaultRule(
                kind=kind,  # type: ignore[arg-type]
                share=share,
                count=count,
                retry_after=retry_after,
                delay_s=delay_s,
                path_prefix=path_prefix,
                methods=[m.upper() for m in methods],
            )
        ]
        self.platform.faults.configure(FaultsConfig(rules=chosen, seed=seed))

    def faults(self) -> list[FaultRule]:
        """The rules in force, each with ``injected``: how many faults it caused."""
        return self.platform.faults.snapshot().rules

    def clear_faults(self) -> None:
        """Stop injecting faults."""
        self.platform.faults.clear()

    def approve_login(self, id_or_code: str) -> dict[str, Any]:
        """Approve a CLI login request as the dev user, as a browser would."""
        from ._auth_routes import approve_login

        with self.store.transaction() as tx:
            return approve_login(tx, id_or_code, DEV_USER_ID, self.platform.clock.now())

    def deny_login(self, id_or_code: str) -> dict[str, Any]:
        """Deny a CLI login request as the dev user."""
        from ._auth_routes import approve_login

        with self.store.transaction() as tx:
            return approve_login(
                tx, id_or_code, DEV_USER_ID, self.platform.clock.now(), approve=False
            )

    def advance_clock(self, seconds: float) -> None:
        """Move the platform's clock forward (tokens, login requests, idempotency keys expire).

        ``ValueError`` for a negative, NaN or infinite step, or one past about a
        century ahead in all (the platform's clock is left as it was).
        """
        self.platform.clock.advance(seconds)

    def create_tenant(self, org_name: str = "Other org") -> dict[str, str]:
        """Another user with its own org, workspace and API key: ids and ``api_key``."""
        wire = self.platform.handle(
            "POST", "/_local/tenants", "", {}, msgspec.json.encode({"org_name": org_name})
        )
        result: dict[str, str] = msgspec.json.decode(wire.body)
        return result

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait for the platform's background jobs (runs, deliveries) to finish."""
        return self.platform.background.wait_idle(timeout)

    def _close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


class FlowRun(NamedTuple):
    """One ``flow`` run: its exit code and what it wrote to stdout and stderr.

    A tuple, so ``code, out, err = flow_cli(...)`` works too.
    """

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout as JSON (the output format when stdout is not a terminal)."""
        return msgspec.json.decode(self.out.encode())


class FlowCLI:
    """``flow`` run in-process against one local platform, as its dev user.

    Each run reads the platform's current dev key, so it keeps working after
    ``local_platform.reset()``. ``environ`` (extra variables for every run)
    and ``sleep`` (what the command waits with) may be changed by a test or
    a fixture built on this one.
    """

    def __init__(self, platform: PlatformHandle, config_dir: Path) -> None:
        self.platform = platform
        self.config_dir = config_dir
        self.environ: dict[str, str] = {}
        self.sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"FlowCLI({self.platform.url!r})"

    def __call__(self, *argv: str, stdin: str = "", **environ: str) -> FlowRun:
        """Run ``flow *argv``; ``environ`` adds variables for this run (``FLOW_OUTPUT="table"``)."""
        from flow_sdk.cli import CLISettings, main

        handle = self.platform
        variables = {
            "FLOW_PLATFORM_URL": handle.url,
            "FLOW_API_KEY": handle.api_key,
            "FLOW_ORG_ID": handle.org_id,
            "FLOW_WORKSPACE_ID": handle.workspace_id,
            "FLOW_DATA_DIR": os.environ.get(
                "FLOW_DATA_DIR", str(self.config_dir.parent / "flow-data")
            ),
            **self.environ,
            **environ,
        }
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(
            config_dir=self.config_dir,
            environ=variables,
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            sleep=self.sleep,
        )
        code = main(list(argv), settings=settings)
        return FlowRun(code, out.getvalue(), err.getvalue())


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``flow_plugins`` marker."""
    config.addinivalue_line(
        "markers",
        "flow_plugins(*plugins): build the test's local platform with these extra plugin objects",
    )


def _extra_plugins(request: pytest.FixtureRequest) -> tuple[object, ...]:
    marker = request.node.get_closest_marker("flow_plugins")
    return tuple(marker.args) if marker else ()


def _new_platform(plugins: Sequence[object] = ()) -> LocalPlatform:
    platform = LocalPlatform(f"local://memory-{uuid.uuid4().hex[:12]}", plugins=plugins)
    register_platform(platform)
    return platform


@pytest.fixture(scope="session")
def _flow_socket_server() -> Iterator[Any]:
    """One loopback server for the session (its platform is reset before each test)."""
    from ._asgi import LocalServer

    platform = _new_platform()
    server = LocalServer(platform).start()
    yield server
    server.stop()
    forget_platform(platform.url)


@pytest.fixture(params=MODES)
def flow_transport_mode(request: pytest.FixtureRequest) -> str:
    """ "inprocess" or "socket": how ``flow_client`` reaches the platform."""
    return str(request.param)


@pytest.fixture
def local_platform(request: pytest.FixtureRequest) -> Iterator[PlatformHandle]:
    """A fresh local platform with the dev org, workspace, user and API key."""
    mode = "inprocess"
    if "flow_transport_mode" in request.fixturenames:
        mode = request.getfixturevalue("flow_transport_mode")
    extra = _extra_plugins(request)
    if mode == "socket" and not extra:
        server = request.getfixturevalue("_flow_socket_server")
        server.platform.reset()
        handle = PlatformHandle(server.platform, server.url, "socket")
        yield handle
        handle._close_clients()
        server.platform.faults.clear()
        return
    platform = _new_platform(extra)
    if mode == "socket":
        from ._asgi import LocalServer

        with LocalServer(platform) as server:
            handle = PlatformHandle(platform, server.url, "socket")
            yield handle
            handle._close_clients()
    else:
        handle = PlatformHandle(platform, platform.url, "inprocess")
        yield handle
        handle._close_clients()
    forget_platform(platform.url)


@pytest.fixture
def flow_client(flow_transport_mode: str, local_platform: PlatformHandle) -> Any:
    """A ``CLIClient`` on the dev org and workspace; runs in-process and over the socket."""
    return local_platform.client()


@pytest.fixture
async def async_flow_client(flow_transport_mode: str, local_platform: PlatformHandle) -> Any:
    """An ``AsyncCLIClient`` on the dev org and workspace, in-process and over the socket.

    An async fixture: use it from tests marked ``@pytest.mark.anyio``.
    """
    async with local_platform.async_client() as client:
        yield client


@pytest.fixture
def flow_client_inprocess(local_platform: PlatformHandle) -> Any:
    """A ``CLIClient`` on the dev org and workspace, in-process only."""
    return local_platform.client()


@pytest.fixture
def flow_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary config directory (and data directory); no test touches the user's home."""
    config_dir = tmp_path / "flow-config"
    data_dir = tmp_path / "flow-data"
    config_dir.mkdir()
    data_dir.mkdir()
    monkeypatch.setenv("FLOW_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("FLOW_DATA_DIR", str(data_dir))
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    return config_dir


@pytest.fixture
def flow_installed_plugins() -> Iterator[Any]:
    """Pretend entry points: ``flow_installed_plugins({"notes": my_plugin})`` for this test.

    Discovery (``CLIClient``, its static methods, ``flow``) finds exactly these
    plugins (plus the installed ones with ``keep_installed=True``) until the test ends.
    """
    from contextlib import ExitStack

    from flow_sdk.testing import installed_plugins

    with ExitStack() as stack:

        def install(plugins: Any, *, keep_installed: bool = False) -> Any:
            return stack.enter_context(installed_plugins(plugins, keep_installed=keep_installed))

        yield install


@pytest.fixture
def flow_cli(local_platform: PlatformHandle, flow_config_dir: Path) -> FlowCLI:
    """``flow_cli(*argv, stdin="", **environ) -> FlowRun``: ``flow`` against ``local_platform``.

    In-process, logged in with the dev API key to the dev org and workspace,
    config directory ``flow_config_dir``; ``.json()`` decodes a run's stdout.
    """
    return FlowCLI(local_platform, flow_config_dir)
