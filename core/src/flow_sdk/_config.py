"""``FlowConfig`` and where its values come from.

Precedence, highest first: explicit arguments, ``FLOW_*`` environment
variables, the selected profile in the config directory, defaults. Non-secret
settings live in ``config.json``; secrets live apart in ``credentials.json``,
mode 0600, written atomically. Neither ``repr`` nor ``str`` shows a secret.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from ._errors import CLIClientError
from ._redact import REDACTED

__all__ = [
    "DEFAULT_PLATFORM_URL",
    "ENV_PREFIX",
    "FlowConfig",
    "ResolvedConfig",
    "load_config",
    "resolve_config",
]

#: The embedded local platform (plugin flow-sdk-local): used when nothing
#: names a remote platform, so the SDK works offline with no account.
DEFAULT_PLATFORM_URL = "local://default"
ENV_PREFIX = "FLOW_"
SECRET_FIELDS = frozenset({"access_token", "api_key"})


class FlowConfig(msgspec.Struct, kw_only=True):
    """Where the platform is, who you are, and which tenant you act in."""

    platform_url: str = DEFAULT_PLATFORM_URL
    access_token: str | None = None
    org_id: str | None = None
    workspace_id: str | None = None
    api_key: str | None = None
    timeout: float = 30.0
    max_retries: int = 2
    profile: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.platform_url, str):
            raise CLIClientError(
                f"platform_url must be a string, got {type(self.platform_url).__name__}",
                hint='pass a URL, e.g. platform_url="https://flow.example.com"',
            )
        self.platform_url = self.platform_url.rstrip("/")
        timeout = self.timeout
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise CLIClientError(
                f"timeout must be a positive number of seconds, got {timeout!r}",
                hint="pass a number of seconds, e.g. timeout=30",
            )
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise CLIClientError(
                f"max_retries must be a whole number, got {self.max_retries!r}",
                hint="pass max_retries=0 to disable retries",
            )
        if self.max_retries < 0:
            raise CLIClientError(
                f"max_retries must be 0 or more, got {self.max_retries!r}",
                hint="pass max_retries=0 to disable retries",
            )

    def __repr__(self) -> str:
        fields = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name in SECRET_FIELDS and value is not None:
                fields.append(f"{name}={REDACTED!r}")
            else:
                fields.append(f"{name}={value!r}")
        return f"FlowConfig({', '.join(fields)})"

    __str__ = __repr__

    def __rich_repr__(self) -> Any:  # keep rich and friends from bypassing __repr__
        for name in self.__struct_fields__:
            value = getattr(self, name)
            yield name, (REDACTED if name in SECRET_FIELDS and value is not None else value)


class ResolvedConfig(msgspec.Struct, frozen=True):
    """A config and, for each field that was set, where it came from."""

    config: FlowConfig
    sources: dict[str, str]
    overridden: dict[str, str]
    """Fields whose profile value an environment variable overrode: field → variable."""


_FIELD_TYPES: dict[str, type] = {
    "platform_url": str,
    "access_token": str,
    "org_id": str,
    "workspace_id": str,
    "api_key": str,
    "timeout": float,
    "max_retries": int,
}


def _env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def _coerce(field: str, raw: str, origin: str) -> Any:
    kind = _FIELD_TYPES[field]
    if kind is str:
        return raw
    try:
        return kind(raw)
    except ValueError:
        raise CLIClientError(
            f"{origin} must be a {'whole number' if kind is int else 'number'}, got {raw!r}",
            hint=f"fix or unset {origin}",
        ) from None


def resolve_config(
    *,
    profile: str | None = None,
    config_dir: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    **explicit: Any,
) -> ResolvedConfig:
    """Build a config from arguments, environment and profile, keeping provenance."""
    from ._profiles import ProfileStore

    env = os.environ if environ is None else environ
    unknown = set(explicit) - set(_FIELD_TYPES)
    if unknown:
        raise CLIClientError(
            f"unknown config field(s): {', '.join(sorted(unknown))}",
            hint=f"known fields: {', '.join(_FIELD_TYPES)}",
        )
    store = ProfileStore(config_dir, environ=env)
    profile_name = profile or env.get(f"{ENV_PREFIX}PROFILE") or store.current_profile()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    overridden: dict[str, str] = {}
    if profile_name:
        for field, value in store.profile_values(profile_name).items():
            values[field] = value
            sources[field] = f"profile {profile_name!r}"
    for field in _FIELD_TYPES:
        var = _env_name(field)
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        if field in values:
            overridden[field] = var
        values[field] = _coerce(field, raw, var)
        sources[field] = f"environment variable {var}"
    for field, value in explicit.items():
        if value is None:
            continue
        values[field] = value
        sources[field] = "argument"
        overridden.pop(field, None)
    config = FlowConfig(profile=profile_name, **values)
    return ResolvedConfig(config=config, sources=sources, overridden=overridden)


def load_config(
    *,
    profile: str | None = None,
    config_dir: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    **explicit: Any,
) -> FlowConfig:
    """Load a :class:`FlowConfig` the way the ``flow`` command does."""
    return resolve_config(
        profile=profile, config_dir=config_dir, environ=environ, **explicit
    ).config


def default_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$FLOW_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/flow``, else ``~/.config/flow``."""
    env = os.environ if environ is None else environ
    if env.get("FLOW_CONFIG_DIR"):
        return Path(env["FLOW_CONFIG_DIR"])
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "flow"
