"""The connector catalog of the local platform: ``sqlite`` and ``postgres``.

Each connector knows its config schema, how to check a config and split it
into what may be shown and the secrets that may not, and how to build the
driver that talks to the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from ._drivers import Driver, PostgresDriver, SqliteDriver, psycopg_available
from ._dsn import DsnError, split_dsn

__all__ = [
    "CONNECTORS",
    "ConfigError",
    "ConnectorType",
    "PreparedConfig",
    "SqliteLocation",
    "connector",
]


class ConfigError(ValueError):
    """A config the connector cannot use; the message names the field and never a secret."""


@dataclass(frozen=True)
class PreparedConfig:
    """A checked config: ``public`` is stored and shown, ``secrets`` only stored apart."""

    public: dict[str, Any]
    secrets: dict[str, str]


@dataclass(frozen=True)
class SqliteLocation:
    """Where relative SQLite paths of one scope live, and what no path may reach."""

    scope_dir: Path
    forbidden: tuple[Path, ...] = ()


def _always_available() -> str | None:
    """Why the connector type cannot be used here: never (the default)."""
    return None


@dataclass(frozen=True)
class ConnectorType:
    """One entry of the catalog."""

    key: str
    name: str
    description: str
    dialect: str
    config_schema: dict[str, Any]
    secret_fields: tuple[str, ...]
    prepare: Callable[[Mapping[str, Any], Mapping[str, str]], PreparedConfig]
    driver: Callable[[Mapping[str, Any], Mapping[str, str], SqliteLocation], Driver]
    availability: Callable[[], str | None] = _always_available

    def document(self) -> dict[str, Any]:
        """The catalog entry as the API shows it."""
        reason = self.availability()
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "dialect": self.dialect,
            "config_schema": self.config_schema,
            "secret_fields": list(self.secret_fields),
            "available": reason is None,
            "unavailable_reason": reason,
        }


def _convert(config: Mapping[str, Any], type_: Any, key: str) -> Any:
    try:
        return msgspec.convert(dict(config), type_)
    except msgspec.ValidationError as exc:
        message = str(exc).replace("`$.", "`config.").replace("`$`", "`config`")
        raise ConfigError(f"invalid {key} config: {message}") from None


# sqlite


class _SqliteConfig(msgspec.Struct, forbid_unknown_fields=True):
    path: str


def _sqlite_prepare(config: Mapping[str, Any], _previous: Mapping[str, str]) -> PreparedConfig:
    parsed = _convert(config, _SqliteConfig, "sqlite")
    path = parsed.path
    if not path.strip():
        raise ConfigError("config.path is empty; give a database file, e.g. 'app.db'")
    if path == ":memory:" or path.startswith("file:") or "\x00" in path:
        raise ConfigError(
            "config.path must be a database file path: an in-memory database would vanish "
            "between calls, and file: URIs are not accepted; e.g. 'app.db' (kept under the "
            "local platform's data directory) or an absolute path"
        )
    if not Path(path).is_absolute():
        parts = Path(path).parts
        if ".." in parts:
            raise ConfigError(
                "config.path may not leave the scope's directory with '..'; use a plain "
                "relative path such as 'app.db', or an absolute path"
            )
    return PreparedConfig({"path": path}, {})


def resolve_sqlite_path(path: str, location: SqliteLocation) -> Path:
    """Where a configured path points: relative paths under the scope's directory.

    An absolute path into the platform's own files (its store, other scopes'
    databases) is refused, so an instance can never read another tenant's data.
    """
    candidate = Path(path).expanduser()
    if not candidate.is_absolute():
        return location.scope_dir / candidate
    resolved = Path(os.path.realpath(candidate))
    own = Path(os.path.realpath(location.scope_dir))
    for forbidden in location.forbidden:
        root = Path(os.path.realpath(forbidden))
        if resolved == root or (resolved.is_relative_to(root) and not resolved.is_relative_to(own)):
            raise ConfigError(
                "config.path points into the local platform's own files; use a relative "
                "path (kept in this scope's directory) or a file elsewhere"
            )
    return resolved


def _sqlite_driver(
    public: Mapping[str, Any], _secrets: Mapping[str, str], location: SqliteLocation
) -> Driver:
    return SqliteDriver(resolve_sqlite_path(str(public["path"]), location))


SQLITE = ConnectorType(
    key="sqlite",
    name="SQLite",
    description=(
        "A SQLite database file. A relative path is kept in the scope's own directory "
        "under the local platform's data directory; the first execute_ddl creates the file."
    ),
    dialect="sqlite",
    config_schema={
        "type": "object",
        "required": ["path"],
        "additionalProperties": False,
        "properties": {
            "path": {
                "type": "string",
                "minLength": 1,
                "description": "database file: relative (per scope) or absolute; not :memory:",
                "examples": ["app.db", "/srv/data/app.sqlite"],
            }
        },
    },
    secret_fields=(),
    prepare=_sqlite_prepare,
    driver=_sqlite_driver,
)


# postgres


class _PostgresConfig(msgspec.Struct, forbid_unknown_fields=True):
    dsn: str
    password: str | None = None
    connect_timeout_s: float = 10.0


def _postgres_prepare(config: Mapping[str, Any], previous: Mapping[str, str]) -> PreparedConfig:
    parsed = _convert(config, _PostgresConfig, "postgres")
    try:
        split = split_dsn(parsed.dsn)
    except DsnError as exc:
        raise ConfigError(f"config.dsn: {exc}") from None
    if not 0 < parsed.connect_timeout_s <= 120:
        raise ConfigError("config.connect_timeout_s must be more than 0 and at most 120")
    password = parsed.password or split.password or previous.get("password")
    secrets = {"password": password} if password else {}
    public = {"dsn": split.public, "connect_timeout_s": parsed.connect_timeout_s}
    return PreparedConfig(public, secrets)


def _postgres_driver(
    public: Mapping[str, Any], secrets: Mapping[str, str], _location: SqliteLocation
) -> Driver:
    return PostgresDriver(
        str(public["dsn"]),
        secrets.get("password"),
        connect_timeout_s=float(public.get("connect_timeout_s", 10.0)),
    )


def _postgres_availability() -> str | None:
    if psycopg_available():
        return None
    return "the psycopg driver is not installed: pip install 'flow-sdk-connectors[postgres]'"


POSTGRES = ConnectorType(
    key="postgres",
    name="PostgreSQL",
    description=(
        "A PostgreSQL database, reached with a postgresql:// DSN. The password (in the DSN "
        "or the password field) is stored apart and never returned."
    ),
    dialect="postgres",
    config_schema={
        "type": "object",
        "required": ["dsn"],
        "additionalProperties": False,
        "properties": {
            "dsn": {
                "type": "string",
                "description": "postgresql://user[:password]@host[:port]/dbname[?sslmode=...]",
                "examples": ["postgresql://app@127.0.0.1:5432/app"],
            },
            "password": {
                "type": "string",
                "writeOnly": True,
                "description": "the password, if not in the DSN; stored apart, never returned",
            },
            "connect_timeout_s": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 120,
                "default": 10,
            },
        },
    },
    secret_fields=("password",),
    prepare=_postgres_prepare,
    driver=_postgres_driver,
    availability=_postgres_availability,
)

CONNECTORS: dict[str, ConnectorType] = {c.key: c for c in (SQLITE, POSTGRES)}


def connector(key: str) -> ConnectorType | None:
    """The catalog entry for ``key``, or None."""
    return CONNECTORS.get(key)
