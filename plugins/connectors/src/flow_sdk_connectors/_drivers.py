"""Talking to the databases behind connector instances: SQLite and PostgreSQL.

Each driver does three things the routes need: check the connection, run one
read-only query (on a read-only connection or in a read-only transaction, the
second guard after the parser), and run a batch of DDL in one transaction
(all or nothing). Every message a driver raises has its secrets scrubbed.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from flow_sdk.plugin import redact_text

__all__ = [
    "ConnectionCheck",
    "DdlFailed",
    "Driver",
    "DriverError",
    "DriverUnavailable",
    "PostgresDriver",
    "QueryFailed",
    "QueryOutcome",
    "SqliteDriver",
    "jsonable",
]

Params = Sequence[Any] | Mapping[str, Any] | None


class DriverError(Exception):
    """The database could not be reached or used (the connection, not the SQL)."""


class DriverUnavailable(DriverError):
    """The driver's Python package is not installed."""


class QueryFailed(Exception):
    """The database refused the query (including any attempt to write)."""


class DdlFailed(Exception):
    """Statement ``index`` (0-based) failed; nothing of the batch was applied."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


@dataclass(frozen=True)
class ConnectionCheck:
    """What a connection test found."""

    ok: bool
    detail: str
    latency_ms: float
    server_version: str | None = None


@dataclass(frozen=True)
class QueryOutcome:
    """Column names, rows as JSON-ready lists, and whether ``max_rows`` cut them."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    truncated: bool = False


class Driver(Protocol):
    """What the routes ask of a database."""

    dialect: str

    def check(self) -> ConnectionCheck:
        """Connect, and say whether it worked, how fast, and the server's version."""

    def query(self, sql: str, params: Params, *, max_rows: int, timeout_s: float) -> QueryOutcome:
        """Run one read-only statement and return at most ``max_rows`` rows."""

    def run_ddl(self, statements: Sequence[str], *, timeout_s: float) -> None:
        """Run the DDL statements in order in one transaction: all of them or none."""


def jsonable(value: Any) -> Any:
    """A database value as JSON: exact decimals and bytes as text, times in ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def _scrub(text: str, secrets: Sequence[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
            text = text.replace(quote(secret, safe=""), "<redacted>")
    return redact_text(text)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _positional_or_named(params: Params) -> Sequence[Any] | Mapping[str, Any] | None:
    if params is None:
        return None
    if isinstance(params, Mapping):
        return dict(params) if params else None
    return list(params) if len(params) else None


# SQLite


class SqliteDriver:
    """A SQLite database file. Queries open it read-only; DDL runs in one transaction."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"SqliteDriver({str(self.path)!r})"

    def _read_only(self, timeout_s: float) -> sqlite3.Connection:
        if not self.path.exists():
            raise DriverError(
                f"the database file {self.path.name!r} does not exist yet; "
                "create its tables with execute_ddl first"
            )
        uri = f"file:{quote(str(self.path))}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=timeout_s, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            raise DriverError(f"could not open the database file: {exc}") from None
        return conn

    def check(self) -> ConnectionCheck:
        """Open the file (or, when it does not exist yet, check it can be created)."""
        started = time.perf_counter()
        if not self.path.exists():
            parent = self.path.parent
            while not parent.exists() and parent != parent.parent:
                parent = parent.parent
            if parent.is_dir() and os.access(parent, os.W_OK):
                return ConnectionCheck(
                    True,
                    "the database file does not exist yet; the first execute_ddl creates it",
                    _ms(started),
                    sqlite3.sqlite_version,
                )
            return ConnectionCheck(
                False,
                f"cannot create the database file: {parent} is not a writable directory",
                _ms(started),
            )
        try:
            conn = self._read_only(5.0)
            try:
                conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            finally:
                conn.close()
        except (DriverError, sqlite3.Error) as exc:
            return ConnectionCheck(False, f"not a usable SQLite database: {exc}", _ms(started))
        return ConnectionCheck(True, "connected", _ms(started), sqlite3.sqlite_version)

    def query(self, sql: str, params: Params, *, max_rows: int, timeout_s: float) -> QueryOutcome:
        """Run one read-only statement on a read-only connection."""
        conn = self._read_only(timeout_s)
        deadline = time.monotonic() + timeout_s
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            bound = _positional_or_named(params)
            cursor = conn.execute(sql, bound) if bound is not None else conn.execute(sql)
            columns = [d[0] for d in cursor.description or ()]
            fetched = cursor.fetchmany(max_rows + 1)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryFailed(
                    f"the query ran longer than {timeout_s:g}s and was stopped"
                ) from None
            raise QueryFailed(str(exc)) from None
        except (sqlite3.Error, ValueError, TypeError) as exc:
            raise QueryFailed(str(exc)) from None
        finally:
            conn.close()
        rows = [[jsonable(v) for v in row] for row in fetched[:max_rows]]
        return QueryOutcome(columns, rows, len(fetched) > max_rows)

    def run_ddl(self, statements: Sequence[str], *, timeout_s: float) -> None:
        """Run every statement in one transaction; any failure rolls all of them back."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=timeout_s, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise DriverError(f"could not open the database file: {exc}") from None
        try:
            conn.execute("BEGIN IMMEDIATE")
            for index, statement in enumerate(statements):
                try:
                    conn.execute(statement)
                except (sqlite3.Error, ValueError) as exc:
                    conn.execute("ROLLBACK")
                    raise DdlFailed(index, str(exc)) from None
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise DriverError(f"the transaction failed: {exc}") from None
        finally:
            conn.close()


# PostgreSQL


_PSYCOPG_HINT = (
    "the postgres connector needs the psycopg driver: pip install 'flow-sdk-connectors[postgres]'"
)


def _psycopg() -> Any:
    try:
        import psycopg  # type: ignore[import-not-found,unused-ignore]  # an optional extra
    except ImportError:
        raise DriverUnavailable(_PSYCOPG_HINT) from None
    return psycopg


def psycopg_available() -> bool:
    """True when the PostgreSQL driver can be imported."""
    try:
        _psycopg()
    except DriverUnavailable:
        return False
    return True


class PostgresDriver:
    """A PostgreSQL database. Queries run in a read-only transaction that is rolled back."""

    dialect = "postgres"

    def __init__(self, dsn: str, password: str | None, *, connect_timeout_s: float = 10.0):
        self._dsn = dsn
        self._password = password
        self._connect_timeout = max(1, round(connect_timeout_s))

    def __repr__(self) -> str:
        return f"PostgresDriver({redact_text(self._dsn)!r})"

    def _scrub(self, text: str) -> str:
        return _scrub(text, [self._password])

    def _connect(self) -> Any:
        psycopg = _psycopg()
        kwargs: dict[str, Any] = {
            "connect_timeout": self._connect_timeout,
            "application_name": "flow-sdk-local",
            "autocommit": False,
        }
        if self._password is not None:
            kwargs["password"] = self._password
        try:
            return psycopg.connect(self._dsn, **kwargs)
        except psycopg.Error as exc:
            raise DriverError(f"could not connect: {self._scrub(str(exc).strip())}") from None

    def check(self) -> ConnectionCheck:
        """Connect and ask the server its version."""
        started = time.perf_counter()
        try:
            conn = self._connect()
        except DriverError as exc:
            return ConnectionCheck(False, str(exc), _ms(started))
        try:
            version = conn.execute("SHOW server_version").fetchone()[0]
            conn.rollback()
        except Exception as exc:
            return ConnectionCheck(False, self._scrub(str(exc)), _ms(started))
        finally:
            conn.close()
        return ConnectionCheck(True, "connected", _ms(started), str(version))

    def query(self, sql: str, params: Params, *, max_rows: int, timeout_s: float) -> QueryOutcome:
        """Run one statement in a READ ONLY transaction with a statement timeout."""
        psycopg = _psycopg()
        conn = self._connect()
        try:
            conn.read_only = True
            conn.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [str(max(1, int(timeout_s * 1000)))],
            )
            cursor = conn.execute(sql, _positional_or_named(params))
            columns = [d.name for d in cursor.description or ()]
            fetched = cursor.fetchmany(max_rows + 1) if cursor.description else []
        except psycopg.Error as exc:
            raise QueryFailed(self._scrub(_pg_message(exc))) from None
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise QueryFailed(f"the parameters do not fit the query: {exc}") from None
        finally:
            _rollback_and_close(conn)
        rows = [[jsonable(v) for v in row] for row in fetched[:max_rows]]
        return QueryOutcome(columns, rows, len(fetched) > max_rows)

    def run_ddl(self, statements: Sequence[str], *, timeout_s: float) -> None:
        """Run every statement in one transaction (PostgreSQL DDL is transactional)."""
        psycopg = _psycopg()
        conn = self._connect()
        try:
            conn.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [str(max(1, int(timeout_s * 1000)))],
            )
            for index, statement in enumerate(statements):
                try:
                    conn.execute(statement)
                except psycopg.Error as exc:
                    raise DdlFailed(index, self._scrub(_pg_message(exc))) from None
            conn.commit()
        except psycopg.Error as exc:
            raise DriverError(f"the transaction failed: {self._scrub(str(exc))}") from None
        finally:
            _rollback_and_close(conn)


def _pg_message(exc: Exception) -> str:
    """The server's one-line message (no DSN, no context lines)."""
    primary = getattr(getattr(exc, "diag", None), "message_primary", None)
    if primary:
        return str(primary)
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _rollback_and_close(conn: Any) -> None:
    try:
        if not conn.closed:
            conn.rollback()
    except Exception:  # noqa: S110 - the connection is being discarded anyway
        pass
    finally:
        conn.close()
