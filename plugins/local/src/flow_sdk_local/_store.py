"""The platform's state in SQLite (standard library).

One generic table holds every stored document (kind, scope key, id, version,
JSON data, timestamps), so a plugin needs no schema of its own for ordinary
resources; a plugin that does need tables declares them as named
:class:`Migration` steps. A file database runs in WAL mode with a busy
timeout, and every write happens in a ``BEGIN IMMEDIATE`` transaction, so
writers in several threads and processes queue up instead of losing updates.
The file carries a schema version: an older file is upgraded in place (the
``_UPGRADES`` steps), a newer or unreadable one is refused with a message that
names it and says what to do.
"""

from __future__ import annotations

import builtins
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from flow_sdk import CLIClientError

__all__ = [
    "SCHEMA_VERSION",
    "Document",
    "Migration",
    "Store",
    "StoreError",
    "Transaction",
    "VersionConflict",
    "format_time",
]

SCHEMA_VERSION = 2
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode

_CORE_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS documents (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        scope TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (kind, scope, id)
    )""",
    "CREATE INDEX IF NOT EXISTS documents_by_id ON documents (kind, id)",
    """CREATE TABLE IF NOT EXISTS document_versions (
        kind TEXT NOT NULL,
        scope TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (kind, scope, id, version)
    )""",
    """CREATE TABLE IF NOT EXISTS idempotency_keys (
        owner TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        headers TEXT NOT NULL,
        body BLOB NOT NULL,
        created REAL NOT NULL,
        PRIMARY KEY (owner, key)
    )""",
    """CREATE TABLE IF NOT EXISTS migrations (
        name TEXT PRIMARY KEY,
        applied_at TEXT NOT NULL
    )""",
)


_UPGRADES: dict[int, tuple[str, ...]] = {
    # a list page reads one scope in seq order straight from the index, not sorting the scope
    2: ("CREATE INDEX IF NOT EXISTS documents_by_scope ON documents (kind, scope, seq)",),
}
"""Schema version → the statements that bring a file from the version before up to it."""


class StoreError(CLIClientError):
    """The database cannot be used; the message names the file and what to do."""


class VersionConflict(Exception):
    """A write named a version that is no longer current."""

    def __init__(self, current: int) -> None:
        super().__init__(f"current version is {current}")
        self.current = current


def format_time(epoch: float) -> str:
    """RFC 3339 UTC with microseconds, e.g. ``2026-01-02T03:04:05.000006Z``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Document:
    """One stored document and its bookkeeping."""

    kind: str
    scope: str
    id: str
    version: int
    data: dict[str, Any]
    created_at: str
    updated_at: str
    seq: int

    def public(self) -> dict[str, Any]:
        """The data plus ``id``, ``version``, ``created_at`` and ``updated_at``."""
        return {
            **self.data,
            "id": self.id,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Migration:
    """A named, run-once schema step of a plugin: SQL text or a function of the connection."""

    name: str
    apply: str | Callable[[sqlite3.Connection], None]


def _row_to_document(row: Sequence[Any]) -> Document:
    seq, kind, scope, doc_id, version, data, created, updated = row
    return Document(kind, scope, doc_id, version, _decode(data), created, updated, seq)


class Transaction:
    """Reads and writes inside one SQLite transaction (see ``Store.transaction``)."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float]) -> None:
        self.conn = conn
        self._clock = clock

    def now(self) -> str:
        """The platform clock as RFC 3339 UTC text (what timestamps store)."""
        return format_time(self._clock())

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        """Run any SQL, e.g. on a plugin's own tables."""
        return self.conn.execute(sql, params)

    # documents

    def get(self, kind: str, scope: str, doc_id: str) -> Document | None:
        """A document by kind, scope and id, or None."""
        row = self.conn.execute(
            "SELECT seq, kind, scope, id, version, data, created_at, updated_at FROM documents "
            "WHERE kind = ? AND scope = ? AND id = ?",
            (kind, scope, doc_id),
        ).fetchone()
        return _row_to_document(row) if row else None

    def find(self, kind: str, doc_id: str) -> Document | None:
        """A document by kind and id, in whatever scope it lives (ids are unique)."""
        row = self.conn.execute(
            "SELECT seq, kind, scope, id, version, data, created_at, updated_at FROM documents "
            "WHERE kind = ? AND id = ?",
            (kind, doc_id),
        ).fetchone()
        return _row_to_document(row) if row else None

    def insert(
        self, kind: str, scope: str, doc_id: str, data: Mapping[str, Any], *, history: bool = False
    ) -> Document:
        """Add a document at version 1; ``history`` also records it in its version list."""
        now = self.now()
        cursor = self.conn.execute(
            "INSERT INTO documents (kind, scope, id, version, data, created_at, updated_at) "
            "VALUES (?, ?, ?, 1, ?, ?, ?)",
            (kind, scope, doc_id, _encode(data).decode(), now, now),
        )
        doc = Document(kind, scope, doc_id, 1, dict(data), now, now, cursor.lastrowid or 0)
        if history:
            self._record_version(doc)
        return doc

    def update(
        self,
        kind: str,
        scope: str,
        doc_id: str,
        data: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        history: bool = False,
    ) -> Document | None:
        """Replace a document's data and bump its version; None when it does not exist.

        Raises :class:`VersionConflict` when ``expected_version`` is not current.
        """
        current = self.get(kind, scope, doc_id)
        if current is None:
            return None
        if expected_version is not None and expected_version != current.version:
            raise VersionConflict(current.version)
        now = self.now()
        version = current.version + 1
        self.conn.execute(
            "UPDATE documents SET version = ?, data = ?, updated_at = ? WHERE seq = ?",
            (version, _encode(data).decode(), now, current.seq),
        )
        doc = Document(
            kind, scope, doc_id, version, dict(data), current.created_at, now, current.seq
        )
        if history:
            self._record_version(doc)
        return doc

    def delete(
        self, kind: str, scope: str, doc_id: str, *, expected_version: int | None = None
    ) -> Document | None:
        """Remove a document and its history; the removed document, or None."""
        current = self.get(kind, scope, doc_id)
        if current is None:
            return None
        if expected_version is not None and expected_version != current.version:
            raise VersionConflict(current.version)
        self.conn.execute("DELETE FROM documents WHERE seq = ?", (current.seq,))
        self.conn.execute(
            "DELETE FROM document_versions WHERE kind = ? AND scope = ? AND id = ?",
            (kind, scope, doc_id),
        )
        return current

    def list(
        self,
        kind: str,
        scope: str | None,
        *,
        where: Mapping[str, Any] | None = None,
        contains: Mapping[str, str] | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        """Documents of ``kind`` (in ``scope`` unless None) in creation order.

        ``where`` maps top-level data fields to the values they must equal;
        ``contains`` maps top-level text fields to text they must contain (in any case;
        "" filters nothing);
        ``after`` is the ``seq`` of the last document already seen.
        """
        sql = [
            "SELECT seq, kind, scope, id, version, data, created_at, updated_at FROM documents "
            "WHERE kind = ? AND seq > ?"
        ]
        params: list[Any] = [kind, after]
        if scope is not None:
            sql.append("AND scope = ?")
            params.append(scope)
        for field_name, value in (where or {}).items():
            sql.append("AND json_extract(data, ?) = ?")
            params.extend([f'$."{field_name}"', value])
        for field_name, text in (contains or {}).items():
            if not text:
                continue  # "" is in every text: no condition
            sql.append("AND instr(casefold(json_extract(data, ?)), ?) > 0")
            params.extend([f'$."{field_name}"', text.casefold()])
        sql.append("ORDER BY seq")
        if limit is not None:
            sql.append("LIMIT ?")
            params.append(limit)
        rows = self.conn.execute(" ".join(sql), params).fetchall()
        return [_row_to_document(row) for row in rows]

    # version history

    def _record_version(self, doc: Document) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO document_versions (kind, scope, id, version, data, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (doc.kind, doc.scope, doc.id, doc.version, _encode(doc.data).decode(), doc.updated_at),
        )

    def versions(
        self, kind: str, scope: str, doc_id: str, *, after: int = 0, limit: int | None = None
    ) -> builtins.list[tuple[int, dict[str, Any], str]]:
        """``(version, data, created_at)`` of each recorded version, oldest first."""
        sql = (
            "SELECT version, data, created_at FROM document_versions "
            "WHERE kind = ? AND scope = ? AND id = ? AND version > ? ORDER BY version"
        )
        params: list[Any] = [kind, scope, doc_id, after]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [(v, _decode(d), c) for v, d, c in self.conn.execute(sql, params).fetchall()]


class Store:
    """A SQLite database: ``path=None`` keeps it in memory (fresh per store).

    One connection per store, guarded by a re-entrant lock, so the store is
    safe to share between threads; other processes open their own store on
    the same file and SQLite's locks (with a busy timeout) order the writers.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 30.0,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.clock = clock
        self._lock = threading.RLock()
        self._depth = 0
        self._migrations: list[Migration] = []
        self._conn = self._connect(busy_timeout)
        self._init_schema()

    def __repr__(self) -> str:
        return f"Store({str(self.path) if self.path else ':memory:'})"

    @property
    def where(self) -> str:
        """The database file, or ``the in-memory database`` (for messages)."""
        return str(self.path) if self.path else "the in-memory database"

    def _connect(self, busy_timeout: float) -> sqlite3.Connection:
        if self.path is None:
            target = ":memory:"
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # The file holds the token signing secret: owner-only, like the credentials
            # file (SQLite gives its -wal and -shm files the same mode).
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            target = str(self.path)
        conn = sqlite3.connect(
            target, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            if self.path is not None:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._unreadable(exc) from None
        # SQLite's lower() folds ASCII only; searches fold case as Python does
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        return conn

    def _unreadable(self, exc: Exception) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and (
            "locked" in str(exc) or "busy" in str(exc)
        ):
            return StoreError(
                f"{self.where} stayed locked by another process for longer than the busy "
                f"timeout ({exc}); stop the process holding it (e.g. a stuck `flow local serve`) "
                f"and retry"
            )
        return StoreError(
            f"{self.where} is not a local platform database SQLite can read ({exc}); "
            f"move it away (or delete it) and run `flow local init` to start afresh"
        )

    def _init_schema(self) -> None:
        try:
            with self.transaction() as tx:
                tx.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                row = tx.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                found = int(row[0]) if row else None
                if found is not None and found > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.where} has schema version {found}, but this flow-sdk-local "
                        f"reads up to version {SCHEMA_VERSION}: upgrade flow-sdk-local "
                        f"(pip install -U flow-sdk-local), or move the file away to start afresh"
                    )
                for statement in _CORE_SCHEMA:  # the version-1 schema
                    tx.execute(statement)
                for version in range((found or 1) + 1, SCHEMA_VERSION + 1):
                    for statement in _UPGRADES[version]:
                        tx.execute(statement)
                tx.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None

    @property
    def schema_version(self) -> int:
        """The schema version the database is at."""
        with self.transaction(write=False) as tx:
            row = tx.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back on an exception.

        A transaction opened inside another on the same thread joins it.
        ``write=False`` starts a deferred (read) transaction, which never
        waits for another process's writer.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield Transaction(self._conn, self.clock)
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            self._depth = 1
            try:
                yield Transaction(self._conn, self.clock)
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self._conn.execute("COMMIT")

    # plugin tables

    def migrate(self, migrations: Sequence[Migration]) -> list[str]:
        """Apply each migration not yet applied (by name), once each; the names applied."""
        applied: list[str] = []
        for migration in migrations:
            if migration not in self._migrations:
                self._migrations.append(migration)
            with self.transaction() as tx:
                done = tx.execute(
                    "SELECT 1 FROM migrations WHERE name = ?", (migration.name,)
                ).fetchone()
                if done:
                    continue
                if isinstance(migration.apply, str):
                    for statement in _split_sql(migration.apply):
                        tx.execute(statement)
                else:
                    migration.apply(tx.conn)
                tx.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, tx.now()),
                )
                applied.append(migration.name)
        return applied

    def wipe(self) -> None:
        """Drop every table (the plugins' too), then recreate the schema and migrations."""
        with self.transaction() as tx:
            tables = [
                name
                for (name,) in tx.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                ).fetchall()
            ]
            for name in tables:
                tx.execute(f'DROP TABLE IF EXISTS "{name}"')
        self._init_schema()
        self.migrate(list(self._migrations))

    def close(self) -> None:
        """Close the connection (the store cannot be used afterwards)."""
        with self._lock:
            self._conn.close()


def _split_sql(script: str) -> list[str]:
    """Split a migration script into complete statements."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _casefold(value: str | float | None) -> str | float | None:
    """SQL ``casefold(x)``: a text folded for caseless matching ("Straße" and "STRASSE"
    alike); a number or NULL as it is."""
    return value.casefold() if isinstance(value, str) else value
