"""What the connector endpoints return, as typed msgspec records.

The same Structs are the local platform's response schemas, so the SDK and
the routes cannot drift apart. No record ever holds a secret: an instance
lists the *names* of the secrets it has stored (``secret_fields``), never
their values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from flow_sdk import Model

__all__ = [
    "ConnectionTestResult",
    "Connector",
    "ConnectorInstance",
    "ConnectorInstanceCreate",
    "ConnectorInstanceUpdate",
    "DdlAuditRecord",
    "DdlRequest",
    "DdlResult",
    "DdlStatement",
    "QueryRequest",
    "QueryResult",
    "ScopeType",
]

ScopeType = Literal["workspace", "org"]


class Connector(Model):
    """A kind of connection the platform can make (``sqlite``, ``postgres``, …)."""

    key: str
    name: str
    description: str = ""
    dialect: str = ""
    config_schema: dict[str, Any] = {}
    secret_fields: list[str] = []
    available: bool = True
    unavailable_reason: str | None = None


class ConnectorInstance(Model):
    """A configured connection, owned by a workspace or an org.

    ``config`` is what was given at creation minus its secrets (a DSN comes
    back without its password); ``secret_fields`` names the secrets stored apart.
    """

    id: str
    connector_key: str
    name: str
    scope_type: ScopeType
    scope_id: str
    description: str = ""
    config: dict[str, Any] = {}
    secret_fields: list[str] = []
    version: int = 1
    created_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ConnectionTestResult(Model):
    """Whether the instance's database answered, and how fast."""

    ok: bool
    detail: str
    latency_ms: float = 0.0
    server_version: str | None = None


class QueryResult(Model):
    """The rows of a read-only query; ``truncated`` when ``max_rows`` cut them."""

    columns: list[str]
    rows: list[list[Any]]
    row_count: int = 0
    truncated: bool = False


class DdlStatement(Model):
    """One statement of a DDL batch, as the parser classified it."""

    sql: str
    kind: str
    destructive: bool


class DdlResult(Model):
    """A preview (``executed`` false) or the outcome of running a DDL batch.

    ``reason_required`` says a confirm needs a ``reason`` (a statement is
    destructive); ``audit_id`` names the audit record of an executed batch.
    """

    executed: bool
    statements: list[DdlStatement]
    reason_required: bool = False
    audit_id: str | None = None


class DdlAuditRecord(Model):
    """Who ran which DDL on an instance, when, in which scope, and why."""

    id: str
    instance_id: str
    actor: str
    scope_type: str
    scope_id: str
    statements: list[DdlStatement]
    status: Literal["applied", "failed"] = "applied"
    reason: str | None = None
    error: str | None = None
    created_at: datetime | None = None


# Request bodies (the local platform decodes into these; they are its OpenAPI schemas)

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ScopeId = Annotated[str, msgspec.Meta(min_length=1)]
MAX_QUERY_ROWS = 10_000
MAX_TIMEOUT_S = 300.0
CONNECTOR_KEYS = ("postgres", "sqlite")
"""The connectors of the catalog (the routes check a key against it, naming the known ones)."""
ConnectorKey = Annotated[str, msgspec.Meta(extra_json_schema={"enum": list(CONNECTOR_KEYS)})]
Config = Annotated[
    dict[str, Any],
    msgspec.Meta(description="as the connector's config_schema says (GET …/connectors/{key})"),
]


class ConnectorInstanceCreate(Model, forbid_unknown_fields=True):
    """``POST /api/v1/connectors/instances``."""

    connector_key: ConnectorKey
    name: Name
    scope_id: ScopeId
    scope_type: ScopeType = "workspace"
    description: str = ""
    config: Config = {}


class ConnectorInstanceUpdate(Model, forbid_unknown_fields=True):
    """``PATCH /api/v1/connectors/instances/{id}``: only the fields sent change."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    config: Config | msgspec.UnsetType = msgspec.UNSET


Sql = Annotated[
    str,
    msgspec.Meta(
        description="SQL text (the route refuses what its parser cannot read: 422)",
        extra_json_schema={"pattern": "^[^\\x00]*$"},
    ),
]


class QueryRequest(Model, forbid_unknown_fields=True):
    """``POST /api/v1/connectors/instances/{id}/query``."""

    sql: Sql
    params: list[Any] | dict[str, Any] | None = None
    max_rows: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUERY_ROWS)] = 1000
    timeout_s: Annotated[float, msgspec.Meta(gt=0, le=MAX_TIMEOUT_S)] = 30.0


class DdlRequest(Model, forbid_unknown_fields=True):
    """``POST /api/v1/connectors/instances/{id}/execute-ddl`` (the reference's body)."""

    sql: Sql
    scope_id: ScopeId
    scope_type: ScopeType = "workspace"
    confirm: bool = False
    reason: str | None = None
