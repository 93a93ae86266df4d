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
    "same_platform_key",
]

#: The embedded local platform (plugin flow-sdk-local): used when nothing
#: names a remote platform, so the SDK works offline with no account.
DEFAULT_PLATFORM_URL = "local://default"
ENV_PREFIX = "FLOW_"
SECRET_FIELDS = frozenset({"access_token", "api_key"})


def same_platform_key(url: str) -> str:
    """``url`` as compared when deciding whether credentials belong to it: scheme
    and host in lower case, no trailing slash."""
    url = url.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


_SECRET_QUERY_WORDS = (
    "token",
    "key",
    "secret",
    "password",
    "passwd",
    "signature",
    "auth",
    "credential",
)


def _credentials_in_url(url: str) -> str | None:
    """Why ``url`` carries credentials (user-info or a secret-looking query parameter), or None."""
    from urllib.parse import parse_qsl, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if "@" in parts.netloc:
        return "it holds a user name or password before '@'"
    for name, _value in parse_qsl(parts.query, keep_blank_values=True):
        if any(word in name.lower() for word in _SECRET_QUERY_WORDS):
            return f"its query parameter {name!r} looks like a secret"
    return None


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
        problem = _credentials_in_url(self.platform_url)
        if problem is not None:
            from ._redact import redact_url

            raise CLIClientError(
                f"platform_url must not carry credentials: {problem} "
                f"({redact_url(self.platform_url)})",
                hint="give the platform's address alone, and the key with FLOW_API_KEY or "
                "api_key=... (or `flow login`)",
            )
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
    withheld: str | None = None
    """Why the profile's stored credentials were not used (they belong to another
    platform), or None."""


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
    layers: list[tuple[str, dict[str, Any]]] = []  # lowest precedence first
    if profile_name:
        layers.append((f"profile {profile_name!r}", store.profile_values(profile_name)))
    from_env: dict[str, Any] = {}
    for field in _FIELD_TYPES:
        var = _env_name(field)
        raw = env.get(var)
        if raw is not None and raw != "":
            from_env[field] = (var, _coerce(field, raw, var))
    layers.append(("environment", {f: value for f, (_var, value) in from_env.items()}))
    layers.append(("argument", {f: v for f, v in explicit.items() if v is not None}))

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    overridden: dict[str, str] = {}
    # Settings: the highest layer that sets a field wins.
    for origin, layer in layers:
        for field, value in layer.items():
            if field in SECRET_FIELDS:
                continue
            if origin == "environment" and field in values and sources[field] != "argument":
                overridden[field] = from_env[field][0]
            if origin == "argument":
                overridden.pop(field, None)
            values[field] = value
            sources[field] = (
                f"environment variable {from_env[field][0]}" if origin == "environment" else origin
            )
    # Credentials: all from the highest layer that gives any, never mixed, so an
    # explicit token is not overruled by a stored key; and a profile's only for the
    # platform they were issued for.
    withheld = None
    platform = values.get("platform_url", DEFAULT_PLATFORM_URL)
    for origin, layer in reversed(layers):
        secrets = {f: v for f, v in layer.items() if f in SECRET_FIELDS}
        if not secrets:
            continue
        if origin.startswith("profile"):
            bound = store.credentials_url(profile_name or "")
            if bound is not None and same_platform_key(bound) != same_platform_key(platform):
                withheld = (
                    f"profile {profile_name!r} holds credentials for {bound}, not for "
                    f"{platform}; they were not sent"
                )
                break
        for field, value in secrets.items():
            values[field] = value
            sources[field] = (
                f"environment variable {from_env[field][0]}" if origin == "environment" else origin
            )
        if origin == "environment" and profile_name:
            stored = layers[0][1]
            overridden.update({f: from_env[f][0] for f in secrets if f in stored})
        break
    config = FlowConfig(profile=profile_name, **values)
    return ResolvedConfig(config=config, sources=sources, overridden=overridden, withheld=withheld)


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
