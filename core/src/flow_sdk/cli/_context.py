"""``CommandContext``: what a command handler gets besides its arguments.

Everything is built lazily: a command that never talks to the platform never
builds a client, and one that never reads the config never touches the disk.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import msgspec

from .._config import FlowConfig, ResolvedConfig, resolve_config
from .._errors import CLIAuthenticationError, CLIClientError
from .._profiles import ProfileStore
from ._output import Output, Progress
from ._terminal import isatty, terminal_width, wants_color

if TYPE_CHECKING:
    from ..cli_client import CLIClient

__all__ = ["CLISettings", "CommandContext", "NotAuthenticatedError"]

DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class CLISettings:
    """What a program running or embedding ``flow`` chooses; every field is optional.

    ``profile`` and ``config_dir`` are defaults that ``--profile`` and
    ``FLOW_CONFIG_DIR`` do not override (the host chose them); ``plugins`` and
    ``disable_plugins`` are the allow and deny lists of ``CLIClient``
    (``plugins=[]`` means no plugin and no entry-point scan). ``environ``,
    the streams, ``sleep`` and ``clock`` default to the process's own and
    exist for embedding and tests; ``browser(url) -> bool`` opens a page for
    ``flow login`` (default: the ``webbrowser`` module, when there is a display).
    """

    profile: str | None = None
    config_dir: str | os.PathLike[str] | None = None
    plugins: Sequence[str | object] | None = None
    disable_plugins: Sequence[str] | None = None
    environ: Mapping[str, str] | None = None
    stdin: TextIO | None = None
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)
    prog: str = "flow"
    browser: Callable[[str], bool] | None = None
    clock: Callable[[], float] = field(default=time.monotonic)

    @property
    def env(self) -> Mapping[str, str]:
        """``environ``, or the process's environment when it is None."""
        return os.environ if self.environ is None else self.environ


class NotAuthenticatedError(CLIAuthenticationError):
    """No credentials are configured for the profile in use (exit code 4)."""


class CommandContext:
    """Handed to every command handler with the parsed arguments.

    - ``output``: prints results (``output.emit(data, columns=...)``), as a
      table or JSON;
    - ``progress``: progress on stderr, ``progress("uploading 3/10")``, or a
      bar: ``with progress(total=n, unit="rows") as bar: bar.update(k)``;
    - ``client()``: the ``CLIClient`` for the profile, built on first call;
    - ``config`` / ``resolved``: the settings and where each came from;
    - ``store``: the profile store (``flow_sdk._profiles.ProfileStore``);
    - ``read_json(source)``: a JSON document from a path or ``-`` (stdin).
    """

    def __init__(
        self,
        args: argparse.Namespace,
        settings: CLISettings,
        *,
        plugins: Sequence[str | object] | None,
        disable_plugins: Sequence[str] | None,
        app: Any = None,
    ) -> None:
        self.args = args
        self.app = app
        self.settings = settings
        self.environ = settings.env
        self.stdin = settings.stdin or sys.stdin
        stdout = settings.stdout or sys.stdout
        stderr = settings.stderr or sys.stderr
        env = self.environ
        no_color = bool(getattr(args, "flow_no_color", False))
        self.progress = Progress(
            stderr,
            quiet=bool(getattr(args, "flow_quiet", False)),
            color=wants_color(stderr, env, no_color=no_color),
            width=lambda: terminal_width(stderr, env),
            clock=settings.clock,
        )
        self.output = Output(
            stdout,
            stderr,
            json=_wants_json(args, stdout, env),
            jsonl=bool(getattr(args, "flow_jsonl", False)),
            color=wants_color(stdout, env, no_color=no_color),
            err_color=wants_color(stderr, env, no_color=no_color),
            width=terminal_width(stdout, env) if isatty(stdout) else None,
            progress=self.progress,
        )
        self.debug = bool(getattr(args, "flow_debug", False))
        self.sleep = settings.sleep
        self._plugins = plugins
        self._disable_plugins = disable_plugins
        self._resolved: ResolvedConfig | None = None
        self._store: ProfileStore | None = None
        self._clients: list[CLIClient] = []
        self._client: CLIClient | None = None

    # configuration

    @property
    def profile(self) -> str:
        """The profile in use: --profile, the host's choice, FLOW_PROFILE, the selected one,
        else ``default``."""
        return self._profile_and_source()[0]

    @property
    def profile_source(self) -> str:
        """Where the profile name came from, for ``flow auth status``."""
        return self._profile_and_source()[1]

    def _profile_and_source(self) -> tuple[str, str]:
        candidates = (
            (getattr(self.args, "flow_profile", None), "--profile"),
            (self.settings.profile, f"chosen by {self.settings.prog}"),
            (self.environ.get("FLOW_PROFILE"), "environment variable FLOW_PROFILE"),
            (self.store.current_profile(), "selected with `flow profiles use`"),
        )
        for name, source in candidates:
            if name:
                return name, source
        return DEFAULT_PROFILE, "default"

    @property
    def store(self) -> ProfileStore:
        """The profiles in the config directory."""
        if self._store is None:
            self._store = ProfileStore(self.settings.config_dir, environ=self.environ)
        return self._store

    @property
    def config_dir(self) -> Path:
        """The directory holding ``config.json`` and ``credentials.json``."""
        return self.store.directory

    @property
    def resolved(self) -> ResolvedConfig:
        """The config (flags > FLOW_* environment > profile > defaults) and its sources."""
        if self._resolved is None:
            resolved = resolve_config(
                profile=self.profile,
                config_dir=self.store.directory,
                environ=self.environ,
                platform_url=getattr(self.args, "flow_platform_url", None),
            )
            self._resolved = resolved
        return self._resolved

    @property
    def config(self) -> FlowConfig:
        """The resolved ``FlowConfig``."""
        return self.resolved.config

    def forget_config(self) -> None:
        """Re-read the config next time (after a command changed the profile)."""
        self._resolved = None
        self._store = None

    # clients

    def client(self, *, authenticated: bool = True) -> CLIClient:
        """The ``CLIClient`` for this command, built on first use.

        Raises ``NotAuthenticatedError`` (exit code 4) when ``authenticated``
        and the profile has no credentials, before any request is made.
        """
        if self._client is None:
            config = self.config
            if authenticated and not (config.api_key or config.access_token):
                withheld = self.resolved.withheld
                if withheld is not None:
                    raise NotAuthenticatedError(
                        f"not logged in to {config.platform_url}: {withheld}",
                        hint=f"run `{self.settings.prog} login --platform-url "
                        f"{config.platform_url}` to log in there, or drop --platform-url",
                    )
                raise NotAuthenticatedError(
                    f"not logged in (profile {self.profile!r}, platform {config.platform_url})",
                    hint=_login_hint(config.platform_url, self.settings.prog),
                )
            self._client = self.client_for(config)
        return self._client

    def client_for(self, config: FlowConfig) -> CLIClient:
        """A client for another config (e.g. while logging in), closed with the context.

        With an API key, the access token exchanged for it by an earlier command
        (kept in the 0600 ``tokens.json``, for that platform only) is reused until
        shortly before it expires, and a new one is kept when this command exchanges.
        """
        from ..cli_client import CLIClient

        cached = self._cached_token(config) if config.api_key else None
        if cached is not None:
            config = msgspec.structs.replace(config, access_token=cached[0])
        bound = config
        client = CLIClient(
            config,
            plugins=self._plugins,
            disable_plugins=self._disable_plugins,
            sleep=self.sleep,  # waits and retries pause through the settings' sleep
            on_token=lambda token, expires_at: self.keep_token(bound, token, expires_at),
        )
        self._clients.append(client)
        return client

    def _cached_token(self, config: FlowConfig) -> tuple[str, float] | None:
        try:
            return self.store.cached_token(str(config.api_key), config.platform_url)
        except (CLIClientError, OSError):
            return None

    def keep_token(self, config: FlowConfig, token: str, expires_at: float | None) -> None:
        """Keep the token exchanged for ``config.api_key`` for the next commands
        (never fatal: the cache only saves an exchange)."""
        if not config.api_key or not token or expires_at is None:
            return
        try:
            self.store.cache_token(config.api_key, config.platform_url, token, expires_at)
        except (CLIClientError, OSError) as exc:
            import logging

            logging.getLogger("flow_sdk").debug("the access token was not kept: %s", exc)

    def namespace(self, name: str) -> Any:
        """``client().<name>``, e.g. ``ctx.namespace("datasets")``."""
        return getattr(self.client(), name)

    def close(self) -> None:
        """Close every client this context built."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._client = None

    def open_browser(self, url: str) -> bool:
        """Open ``url`` in a browser when this machine can show one; True if it did."""
        if self.settings.browser is not None:
            return bool(self.settings.browser(url))
        return open_in_browser(url, self.environ)

    # input

    def read_text(self, source: str) -> str:
        """The text of a file, or of stdin when ``source`` is ``-``."""
        if source == "-":
            return self.stdin.read()
        try:
            return Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise CLIClientError(
                f"cannot read {source}: {exc.strerror or exc}",
                hint="pass the path of a readable file, or - to read standard input",
            ) from None

    def read_json(self, source: str) -> Any:
        """A JSON document from a file, or from stdin when ``source`` is ``-``."""
        text = self.read_text(source)
        where = "standard input" if source == "-" else source
        try:
            return msgspec.json.decode(text.encode())
        except msgspec.DecodeError as exc:
            raise CLIClientError(
                f"{where} is not valid JSON: {exc}",
                hint="check the document, e.g. with: python -m json.tool < FILE",
            ) from None

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question on the terminal; False when stdin is not a terminal."""
        if not isatty(self.stdin):
            return False
        self.output.stderr.write(f"{question} [y/N] ")
        self.output.stderr.flush()
        answer = self.stdin.readline().strip().lower()
        return answer in ("y", "yes")


def _login_hint(platform_url: str, prog: str = "flow") -> str:
    """What to run, named as the user types it (``mytool flow …`` when mounted)."""
    if platform_url.startswith("local://"):
        return (
            f"run `{prog} local init` to use the embedded local platform, or `{prog} login` "
            "(FLOW_API_KEY or an API key on stdin with --with-api-key)"
        )
    return f"run `{prog} login` (or set FLOW_API_KEY)"


def _wants_json(args: argparse.Namespace, stdout: TextIO, environ: Mapping[str, str]) -> bool:
    if getattr(args, "flow_json", False) or getattr(args, "flow_jsonl", False):
        return True
    chosen = environ.get("FLOW_OUTPUT", "").strip().lower()
    if chosen in ("json", "table"):
        return chosen == "json"
    return not isatty(stdout)


def has_display(environ: Mapping[str, str], platform: str | None = None) -> bool:
    """Whether a browser window could be shown: always on macOS and Windows; elsewhere
    only with DISPLAY or WAYLAND_DISPLAY (over SSH, a text browser would take the terminal)."""
    platform = platform or sys.platform
    if platform == "darwin" or platform.startswith(("win", "cygwin")):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def open_in_browser(url: str, environ: Mapping[str, str]) -> bool:
    """Open ``url`` with the ``webbrowser`` module; False when there is no display
    or it finds no browser."""
    if not has_display(environ):
        return False
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    try:
        return bool(browser.open(url))
    except Exception:  # a browser launcher that fails must not fail the login
        return False
