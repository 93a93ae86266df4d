"""The connector tables in the local platform's SQLite store.

Instances, their secrets and the DDL audit log each have their own table:
the secrets table is read only to build a driver, never to answer a request,
so no route can return a secret by mistake. Every function takes the store
transaction it runs in.
"""

from __future__ import annotations

import secrets as _random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

__all__ = [
    "MIGRATION",
    "MIGRATION_NAME",
    "AuditRow",
    "InstanceRow",
    "delete_instance",
    "get_instance",
    "insert_audit",
    "insert_instance",
    "list_audit",
    "list_instances",
    "read_secrets",
    "update_instance",
]

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode

MIGRATION_NAME = "connectors-001-instances-secrets-audit"
MIGRATION = """
CREATE TABLE IF NOT EXISTS connector_instances (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    scope_type TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    connector_key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL,
    secret_fields TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS connector_instances_by_scope
    ON connector_instances (org_id, scope_type, scope_id, seq);
CREATE TABLE IF NOT EXISTS connector_secrets (
    instance_id TEXT PRIMARY KEY REFERENCES connector_instances (id) ON DELETE CASCADE,
    secrets TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connector_ddl_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    instance_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    scope_type TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    statements TEXT NOT NULL,
    reason TEXT,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS connector_ddl_audit_by_instance
    ON connector_ddl_audit (instance_id, seq);
"""

_INSTANCE_COLUMNS = (
    "seq, id, org_id, scope_type, scope_id, connector_key, name, description, config, "
    "secret_fields, version, created_by, created_at, updated_at"
)


@dataclass(frozen=True)
class InstanceRow:
    """One stored instance, without its secrets."""

    seq: int
    id: str
    org_id: str
    scope_type: str
    scope_id: str
    connector_key: str
    name: str
    description: str
    config: dict[str, Any]
    secret_fields: list[str]
    version: int
    created_by: str | None
    created_at: str
    updated_at: str

    def public(self) -> dict[str, Any]:
        """The instance as the API shows it (``org_id`` and ``seq`` are bookkeeping)."""
        return {
            "id": self.id,
            "connector_key": self.connector_key,
            "name": self.name,
            "description": self.description,
            "scope_type": self.scope_type,
            "scope_id": self.scope_id,
            "config": self.config,
            "secret_fields": self.secret_fields,
            "version": self.version,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def _instance(row: Sequence[Any]) -> InstanceRow:
    values = list(row)
    values[8] = _decode(values[8])
    values[9] = _decode(values[9])
    return InstanceRow(*values)


def new_id(prefix: str) -> str:
    """``<prefix>_<random>``, the platform's id shape."""
    return f"{prefix}_{_random.token_hex(8)}"


def insert_instance(
    tx: Any,
    *,
    org_id: str,
    scope_type: str,
    scope_id: str,
    connector_key: str,
    name: str,
    description: str,
    config: Mapping[str, Any],
    secrets: Mapping[str, str],
    created_by: str | None,
) -> InstanceRow:
    """Store a new instance at version 1, and its secrets in their own table."""
    instance_id = new_id("conn")
    now = tx.now()
    tx.execute(
        "INSERT INTO connector_instances (id, org_id, scope_type, scope_id, connector_key, name, "
        "description, config, secret_fields, version, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        (
            instance_id,
            org_id,
            scope_type,
            scope_id,
            connector_key,
            name,
            description,
            _encode(dict(config)).decode(),
            _encode(sorted(secrets)).decode(),
            created_by,
            now,
            now,
        ),
    )
    _write_secrets(tx, instance_id, secrets)
    row = get_instance(tx, instance_id)
    assert row is not None
    return row


def _write_secrets(tx: Any, instance_id: str, secrets: Mapping[str, str]) -> None:
    if secrets:
        tx.execute(
            "INSERT OR REPLACE INTO connector_secrets (instance_id, secrets) VALUES (?, ?)",
            (instance_id, _encode(dict(secrets)).decode()),
        )
    else:
        tx.execute("DELETE FROM connector_secrets WHERE instance_id = ?", (instance_id,))


def get_instance(tx: Any, instance_id: str) -> InstanceRow | None:
    """The instance with this id in any scope (callers check visibility)."""
    row = tx.execute(
        f"SELECT {_INSTANCE_COLUMNS} FROM connector_instances WHERE id = ?",  # noqa: S608 - constant columns
        (instance_id,),
    ).fetchone()
    return _instance(row) if row else None


def read_secrets(tx: Any, instance_id: str) -> dict[str, str]:
    """The instance's secrets, for its driver only."""
    row = tx.execute(
        "SELECT secrets FROM connector_secrets WHERE instance_id = ?", (instance_id,)
    ).fetchone()
    return dict(_decode(row[0])) if row else {}


def list_instances(
    tx: Any,
    *,
    org_ids: Sequence[str],
    scope: tuple[str, str] | None,
    connector_key: str | None,
    after: int,
    limit: int,
) -> list[InstanceRow]:
    """Instances in the given orgs (and scope), in creation order, after ``seq``."""
    if not org_ids:
        return []
    sql = [
        f"SELECT {_INSTANCE_COLUMNS} FROM connector_instances WHERE seq > ?",  # noqa: S608
        f"AND org_id IN ({', '.join('?' for _ in org_ids)})",
    ]
    params: list[Any] = [after, *org_ids]
    if scope is not None:
        sql.append("AND scope_type = ? AND scope_id = ?")
        params.extend(scope)
    if connector_key is not None:
        sql.append("AND connector_key = ?")
        params.append(connector_key)
    sql.append("ORDER BY seq LIMIT ?")
    params.append(limit)
    return [_instance(row) for row in tx.execute(" ".join(sql), params).fetchall()]


def update_instance(
    tx: Any,
    current: InstanceRow,
    *,
    name: str,
    description: str,
    config: Mapping[str, Any],
    secrets: Mapping[str, str],
) -> InstanceRow:
    """Write new fields and secrets and bump the version (the caller checked If-Match)."""
    tx.execute(
        "UPDATE connector_instances SET name = ?, description = ?, config = ?, "
        "secret_fields = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        (
            name,
            description,
            _encode(dict(config)).decode(),
            _encode(sorted(secrets)).decode(),
            tx.now(),
            current.id,
            current.version,
        ),
    )
    _write_secrets(tx, current.id, secrets)
    row = get_instance(tx, current.id)
    assert row is not None
    return row


def delete_instance(tx: Any, instance_id: str) -> None:
    """Remove the instance and (by cascade, and explicitly) its secrets."""
    tx.execute("DELETE FROM connector_secrets WHERE instance_id = ?", (instance_id,))
    tx.execute("DELETE FROM connector_instances WHERE id = ?", (instance_id,))


@dataclass(frozen=True)
class AuditRow:
    """One DDL audit record."""

    seq: int
    id: str
    instance_id: str
    actor: str
    scope_type: str
    scope_id: str
    statements: list[dict[str, Any]]
    reason: str | None
    status: str
    error: str | None
    created_at: str

    def public(self) -> dict[str, Any]:
        """The record as the API shows it (without ``seq``)."""
        return {
            "id": self.id,
            "instance_id": self.instance_id,
            "actor": self.actor,
            "scope_type": self.scope_type,
            "scope_id": self.scope_id,
            "statements": self.statements,
            "reason": self.reason,
            "status": self.status,
            "error": self.error,
            "created_at": self.created_at,
        }


_AUDIT_COLUMNS = (
    "seq, id, instance_id, actor, scope_type, scope_id, statements, reason, status, error, "
    "created_at"
)


def insert_audit(
    tx: Any,
    *,
    instance: InstanceRow,
    actor: str,
    scope_type: str,
    scope_id: str,
    statements: Sequence[Mapping[str, Any]],
    reason: str | None,
    status: str,
    error: str | None = None,
) -> str:
    """Record one DDL execution (applied or failed); its audit id."""
    audit_id = new_id("audit")
    tx.execute(
        "INSERT INTO connector_ddl_audit (id, instance_id, org_id, actor, scope_type, scope_id, "
        "statements, reason, status, error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            audit_id,
            instance.id,
            instance.org_id,
            actor,
            scope_type,
            scope_id,
            _encode([dict(s) for s in statements]).decode(),
            reason,
            status,
            error,
            tx.now(),
        ),
    )
    return audit_id


def list_audit(tx: Any, instance_id: str, *, before: int, limit: int) -> list[AuditRow]:
    """Audit records of an instance, newest first, older than ``seq`` ``before`` (0: newest)."""
    sql = f"SELECT {_AUDIT_COLUMNS} FROM connector_ddl_audit WHERE instance_id = ?"  # noqa: S608
    params: list[Any] = [instance_id]
    if before:
        sql += " AND seq < ?"
        params.append(before)
    sql += " ORDER BY seq DESC LIMIT ?"
    params.append(limit)
    rows = tx.execute(sql, params).fetchall()
    return [
        AuditRow(r[0], r[1], r[2], r[3], r[4], r[5], _decode(r[6]), r[7], r[8], r[9], r[10])
        for r in rows
    ]
