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
    the streams and ``sleep`` default to the process's own and exist for
    embedding and tests.
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

    @property
    def env(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ


class NotAuthenticatedError(CLIAuthenticationError):
    """No credentials are configured for the profile in use (exit code 4)."""


class CommandContext:
    """Handed to every command handler with the parsed arguments.

    - ``output``: prints results (``output.emit(data, columns=...)``), as a
      table or JSON;
    - ``progress``: progress on stderr, ``progress("uploading 3/10")``;
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
        self.output = Output(stdout, stderr, json=_wants_json(args, stdout, self.environ))
        self.progress = Progress(stderr)
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
        """A client for another config (e.g. while logging in), closed with the context."""
        from ..cli_client import CLIClient

        client = CLIClient(
            config,
            plugins=self._plugins,
            disable_plugins=self._disable_plugins,
            sleep=self.sleep,  # waits and retries pause through the settings' sleep
        )
        self._clients.append(client)
        return client

    def namespace(self, name: str) -> Any:
        """``client().<name>``, e.g. ``ctx.namespace("datasets")``."""
        return getattr(self.client(), name)

    def close(self) -> None:
        """Close every client this context built."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._client = None

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
        if not _isatty(self.stdin):
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
    if getattr(args, "flow_json", False):
        return True
    chosen = environ.get("FLOW_OUTPUT", "").strip().lower()
    if chosen in ("json", "table"):
        return chosen == "json"
    return not _isatty(stdout)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
