"""One local platform: its store, routes, clock, faults and background jobs.

``local://memory…`` URLs keep the state in memory (fresh per platform);
any other ``local://NAME`` is the file ``NAME.sqlite3`` in the data directory
(``$FLOW_DATA_DIR``, else ``$XDG_DATA_HOME/flow/local``, else
``~/.local/share/flow/local``). :func:`platform_for` keeps one platform per
URL per process, which is what the in-process transport serves.

A served platform's control plane needs the local admin secret: a random
token made once per data directory and kept there in the file
``admin-secret`` (mode 0600), read by ``flow local`` and the fixtures. An
in-memory platform keeps its own in memory.
"""

from __future__ import annotations

import logging
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy
from flow_sdk import CLIClientError
from flow_sdk.plugin import per_plugin

from ._app import DEFAULT_MAX_BODY_BYTES, App, WireResponse, error_wire
from ._background import Background
from ._faults import DroppedConnection, Faults
from ._http import HTTPError
from ._store import Store, Transaction

__all__ = [
    "ADMIN_SECRET_FILE",
    "DEV_ORG_ID",
    "DEV_USER_ID",
    "DEV_WORKSPACE_ID",
    "MAX_CLOCK_OFFSET",
    "AdminSecretError",
    "Clock",
    "LocalPlatform",
    "LocalURLError",
    "data_dir",
    "database_path",
    "forget_platform",
    "platform_for",
    "read_admin_secret",
]

logger = logging.getLogger("flow_sdk")

DEV_USER_ID = "usr_dev"
DEV_ORG_ID = "org_dev"
DEV_WORKSPACE_ID = "ws_dev"
DEV_EMAIL = "dev@flow.local"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}\Z")
MAX_CLOCK_OFFSET = 100 * 366 * 24 * 3600.0
"""How far the clock may be moved forward in all (about a century): every timestamp stays
one that dates, tokens and RFC 3339 strings can hold."""
ADMIN_SECRET_FILE = "admin-secret"  # noqa: S105 - the file's name, not a secret


class Clock:
    """Wall-clock time plus an offset that tests move forward (token expiry, windows)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        """The platform's time: epoch seconds, wall clock plus the offset."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move forward ``seconds``; ``ValueError`` (nothing moved) for a negative, NaN or
        infinite step, or one that takes the offset past ``MAX_CLOCK_OFFSET``."""
        if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        if self.offset + seconds > MAX_CLOCK_OFFSET:
            raise ValueError(
                f"the clock may move at most {MAX_CLOCK_OFFSET:.0f} seconds (about a century) "
                f"ahead in all; it is {self.offset:.0f} ahead, so at most "
                f"{MAX_CLOCK_OFFSET - self.offset:.0f} more (reset the platform to start again)"
            )
        self.offset += float(seconds)
        return self.now()


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where file-backed local platforms live."""
    env = os.environ if environ is None else environ
    if env.get("FLOW_DATA_DIR"):
        return Path(env["FLOW_DATA_DIR"])
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "flow" / "local"


class LocalURLError(CLIClientError, ValueError):
    """A ``local://`` URL that names no local platform."""


def _name_of(url: str) -> str:
    if not url.startswith("local://"):
        raise LocalURLError(
            f"not a local platform URL: {url!r}", hint="use local://NAME, e.g. local://default"
        )
    name = url[len("local://") :].strip("/")
    if not _NAME.match(name):
        raise LocalURLError(
            f"invalid local platform name {name!r} in {url!r}",
            hint="use letters, digits, '.', '_' or '-' after local://, e.g. local://default",
        )
    return name


class AdminSecretError(CLIClientError):
    """The admin secret file cannot be used; the message names it and says what to do."""


def read_admin_secret(directory: Path, *, create: bool = True) -> str:
    """The local admin secret of a data directory, made (mode 0600) on first use.

    Made by writing a private file and hard-linking it into place, so two
    processes starting at once agree on one secret. A file that others may
    read, or that holds no secret, is refused rather than trusted.
    """
    path = directory / ADMIN_SECRET_FILE
    if not path.exists():
        if not create:
            raise AdminSecretError(
                f"no local admin secret in {directory} (the file {ADMIN_SECRET_FILE} is made "
                f"when a platform is served there)",
                hint="start `flow local serve` with the same FLOW_DATA_DIR first",
            )
        _make_admin_secret(directory, path)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise AdminSecretError(
            f"{path} may be read by other users, so it no longer proves anything",
            hint=f"delete it (a new secret is made on the next start) or `chmod 600 {path}`",
        )
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < 32:
        raise AdminSecretError(
            f"{path} holds no usable secret", hint="delete it: a new one is made on the next start"
        )
    return secret


def _make_admin_secret(directory: Path, path: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = directory / f".{ADMIN_SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(32) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    except OSError:  # no hard links here: fall back to an exclusive create
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(temporary.read_text(encoding="utf-8"))
    finally:
        temporary.unlink()


def database_path(url: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """The SQLite file of a ``local://`` URL, or None for an in-memory one."""
    name = _name_of(url)
    if name.startswith("memory"):
        return None
    return data_dir(environ) / f"{name}.sqlite3"


class LocalPlatform:
    """The platform behind one ``local://`` URL (or a socket serving it)."""

    def __init__(
        self,
        url: str = "local://memory",
        *,
        plugin_manager: pluggy.PluginManager | None = None,
        plugins: Sequence[object] = (),
        path: str | Path | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.url = url.rstrip("/")
        self.max_body_bytes = max_body_bytes
        """The largest request body answered (else 413), in-process and over a socket."""
        self._admin_secret: str | None = None
        self.clock = Clock()
        self.faults = Faults()
        self.background = Background()
        self.path = Path(path) if path is not None else database_path(self.url)
        self.store = Store(self.path, clock=self.clock.now)
        self.plugin_manager = _with_plugins(plugin_manager or _default_plugin_manager(), plugins)
        self.component_types = _component_types(self.plugin_manager)
        self.dev_api_key: str | None = None
        self._secret: str | None = None
        self.app = App(self)
        self._install_routes()
        self.store.migrate(self.app.migrations)
        self.seed()

    def __repr__(self) -> str:
        return f"LocalPlatform({self.url!r}, store={self.store!r})"

    # building

    def _install_routes(self) -> None:
        from . import _auth_routes, _components, _console, _control, _openapi_route, _tenants

        for module in (_auth_routes, _tenants, _components, _control, _openapi_route):
            self.app.owner = "flow-sdk-local"
            module.install(self.app)
        pm = self.plugin_manager
        add_local_hookspecs(pm)
        # One plugin at a time, so a plugin whose routes fail is reported and the
        # others still load.
        for name, call in per_plugin(pm, "flow_sdk_local_routes"):
            self.app.owner = name
            try:
                call(app=self.app)
            except Exception:
                logger.exception("local platform: plugin %s failed to add its routes", name)
                if os.environ.get("FLOW_STRICT_PLUGINS", "") not in ("", "0", "false", "no"):
                    raise
        self.app.owner = "flow-sdk-local"
        _console.install(self.app)  # after the plugins' routes; asks them for panels
        self.app.owner = ""

    @property
    def admin_secret(self) -> str:
        """The local admin secret a served platform's control plane asks for.

        A file platform's is the file ``admin-secret`` next to its database
        (made on first use, mode 0600); an in-memory platform's lives in memory.
        """
        if self._admin_secret is None:
            if self.path is None:
                self._admin_secret = secrets.token_urlsafe(32)
            else:
                self._admin_secret = read_admin_secret(self.path.parent)
        return self._admin_secret

    @property
    def admin_secret_path(self) -> Path | None:
        """The file holding :attr:`admin_secret` (None for an in-memory platform)."""
        return None if self.path is None else self.path.parent / ADMIN_SECRET_FILE

    def cached_token_secret(self) -> str | None:
        """The JWT secret if already known, without touching the database (None otherwise)."""
        return self._secret

    def token_secret(self, tx: Transaction | None = None) -> str:
        """The JWT signing secret of this database (made on first use)."""
        secret = self._secret
        if secret is not None:
            return secret
        with self.store.transaction() as own:  # joins ``tx`` when called inside it
            row = own.execute("SELECT value FROM meta WHERE key = 'jwt_secret'").fetchone()
            if row is None:
                secret = secrets.token_urlsafe(32)
                own.execute("INSERT INTO meta (key, value) VALUES ('jwt_secret', ?)", (secret,))
            else:
                secret = str(row[0])
            self._secret = secret
            return secret

    def seed(self) -> dict[str, Any]:
        """Create the dev user, org, workspace and a dev API key, unless they exist."""
        from ._tenants import create_api_key

        with self.store.transaction() as tx:
            # Made here, in a write transaction, so that no request has to write it
            # from inside a read transaction (which another process could make fail).
            self.token_secret(tx)
            if tx.get("user", "", DEV_USER_ID) is None:
                tx.insert(
                    "user",
                    "",
                    DEV_USER_ID,
                    {"email": DEV_EMAIL, "name": "Local Developer", "orgs": [DEV_ORG_ID]},
                )
                tx.insert("org", "", DEV_ORG_ID, {"name": "Development", "slug": "dev"})
                tx.insert(
                    "workspace",
                    DEV_ORG_ID,
                    DEV_WORKSPACE_ID,
                    {"org_id": DEV_ORG_ID, "name": "Default", "slug": "default"},
                )
                created = create_api_key(tx, DEV_ORG_ID, DEV_USER_ID, "local development key")
                self.dev_api_key = created["key"]
        return self.dev_info()

    def dev_info(self) -> dict[str, Any]:
        """The dev user, org and workspace ids, and the dev API key if just minted."""
        return {
            "user_id": DEV_USER_ID,
            "org_id": DEV_ORG_ID,
            "workspace_id": DEV_WORKSPACE_ID,
            "api_key": self.dev_api_key,
        }

    # control

    def mint_dev_key(self, name: str = "local development key") -> str:
        """A new API key for the dev user in the dev org (``flow local init`` stores it)."""
        from ._tenants import create_api_key

        with self.store.transaction() as tx:
            key = str(create_api_key(tx, DEV_ORG_ID, DEV_USER_ID, name)["key"])
        self.dev_api_key = key
        return key

    def reset(self) -> dict[str, Any]:
        """Wipe every stored thing, clear faults and the clock offset, and seed afresh."""
        self.background.wait_idle(timeout=5.0)
        self.faults.clear()
        self.clock.offset = 0.0
        self.store.wipe()
        self._secret = None
        self.dev_api_key = None
        for hook in self.app.reset_hooks:
            hook()
        return self.seed()

    def close(self) -> None:
        """Wait for background work (up to 5 s), then close the database."""
        self.background.wait_idle(timeout=5.0)
        self.store.close()

    # serving

    def handle(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        *,
        base_url: str = "",
        admin: bool = True,
        max_body_bytes: int | None = None,
    ) -> WireResponse:
        """Answer one request (faults first); raises ``DroppedConnection`` for a dropped one.

        ``admin``: whether the caller may use the control plane (True in-process;
        a served platform passes whether the local admin secret came along).
        ``max_body_bytes``: the body limit (default :attr:`max_body_bytes`).
        """
        if self.faults.active:
            rule = self.faults.pick(method.upper(), raw_path)
            if rule is not None:
                if rule.kind == "drop":
                    raise DroppedConnection(raw_path)
                if rule.kind == "drop_after":
                    self.app.handle(
                        method,
                        raw_path,
                        query_string,
                        headers,
                        body,
                        base_url=base_url,
                        admin=admin,
                        max_body_bytes=max_body_bytes,
                    )
                    raise DroppedConnection(raw_path, handled=True)
                if rule.kind == "delay":
                    time.sleep(rule.delay_s)
                else:
                    status = int(rule.kind)
                    wire = error_wire(
                        HTTPError(
                            status,
                            "injected fault: too many requests"
                            if status == 429
                            else "injected fault: service unavailable",
                            "rate_limited" if status == 429 else "unavailable",
                            headers={"Retry-After": f"{rule.retry_after:g}"},
                        )
                    )
                    wire.headers.append(("x-request-id", f"req_fault_{secrets.token_hex(4)}"))
                    return wire
        return self.app.handle(
            method,
            raw_path,
            query_string,
            headers,
            body,
            base_url=base_url,
            admin=admin,
            max_body_bytes=max_body_bytes,
        )


def _default_plugin_manager() -> pluggy.PluginManager:
    from flow_sdk.plugin import installed_plugin_manager

    return installed_plugin_manager()


def add_local_hookspecs(pm: pluggy.PluginManager) -> None:
    """Teach ``pm`` the local platform's hooks (once; pluggy refuses a second time)."""
    from . import hookspecs

    caller = getattr(pm.hook, "flow_sdk_local_routes", None)
    if caller is None or caller.spec is None:
        pm.add_hookspecs(hookspecs)


def _with_plugins(pm: pluggy.PluginManager, extra: Sequence[object]) -> pluggy.PluginManager:
    """``pm`` itself, or (with extra plugins) a new manager with its plugins and the extras.

    A new one, because ``pm`` may be the process-wide manager that clients share.
    """
    if not extra:
        return pm
    from flow_sdk import hookspecs as core_hookspecs

    combined = pluggy.PluginManager(core_hookspecs.PROJECT_NAME)
    combined.add_hookspecs(core_hookspecs)
    for plugin in pm.get_plugins():
        combined.register(plugin, name=pm.get_name(plugin))
    for plugin in extra:
        if not combined.is_registered(plugin):
            combined.register(plugin)
    return combined


def _component_types(pm: pluggy.PluginManager) -> dict[str, Any]:
    types: dict[str, Any] = {}
    for result in pm.hook.flow_sdk_component_types():
        for spec in result or ():
            types.setdefault(spec.type, spec)
    return types


_platforms: dict[tuple[str, str], LocalPlatform] = {}
_registry_lock = threading.Lock()


def _key(url: str) -> tuple[str, str]:
    """A URL and the file it names now (``FLOW_DATA_DIR`` may change, e.g. in tests)."""
    url = url.rstrip("/")
    return url, str(database_path(url) or "")


def platform_for(url: str, plugin_manager: pluggy.PluginManager | None = None) -> LocalPlatform:
    """The one platform of ``url`` (and its file) in this process, created on first use."""
    key = _key(url)
    platform = _platforms.get(key)
    if platform is not None:
        return platform
    with _registry_lock:
        platform = _platforms.get(key)
        if platform is None:
            platform = LocalPlatform(key[0], plugin_manager=plugin_manager)
            _platforms[key] = platform
        return platform


def register_platform(platform: LocalPlatform) -> None:
    """Make ``platform`` the one the in-process transport serves for its URL."""
    with _registry_lock:
        _platforms[_key(platform.url)] = platform


def forget_platform(url: str) -> None:
    """Drop (and close) the platform of ``url``; the next use builds a new one."""
    with _registry_lock:
        platform = _platforms.pop(_key(url), None)
    if platform is not None:
        platform.close()


def _after_fork_in_child() -> None:
    # SQLite connections and locks must not cross fork(): the child builds its own.
    _platforms.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

__all__ += ["DroppedConnection", "register_platform"]
