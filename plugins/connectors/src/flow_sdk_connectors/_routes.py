"""The local platform's connector routes, under ``/api/v1/connectors``.

These routes are not tenant-prefixed: an instance carries its own scope
(``workspace`` or ``org``), and every handler checks that the caller may act
there. An instance the caller cannot see is 404, never 403. Secrets are read
from their own table only to build a driver. Work that talks to a database
(test, query, DDL) runs outside the store's transaction, so a slow database
never holds the platform's lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
from flow_sdk_local import (  # type: ignore[import-untyped,unused-ignore]
    API,
    NOT_BLANK,
    PAGE_QUERY,
    App,
    FieldError,
    HTTPError,
    Page,
    QueryParam,
    Request,
    Response,
    not_found,
    page_of,
    page_params,
    parse_if_match,
)

from . import _storage as storage
from ._catalog import CONNECTORS, ConfigError, ConnectorType, resolve_sqlite_path
from ._drivers import DdlFailed, Driver, DriverError, DriverUnavailable, QueryFailed
from ._files import remove_connector_files, sqlite_location
from .models import (
    CONNECTOR_KEYS,
    ConnectionTestResult,
    Connector,
    ConnectorInstance,
    ConnectorInstanceCreate,
    ConnectorInstanceUpdate,
    DdlAuditRecord,
    DdlRequest,
    DdlResult,
    DdlStatement,
    QueryRequest,
    QueryResult,
    ScopeId,
    ScopeType,
)
from .namespaces import DDL_TIMEOUT_S

__all__ = ["install"]

CATALOG = f"{API}/connectors"
INSTANCES = f"{CATALOG}/instances"
INSTANCE = f"{INSTANCES}/{{id}}"
TAGS = ("connectors",)

# What the OpenAPI document shows of the bodies (``documented_body``): the config that
# goes with each connector. The routes decode the plain models and check the config with
# the connector's own ``prepare``, which says in words which rule a config breaks.

SQLITE_PATH_PATTERN = (
    r"^(?!:memory:$)(?!file:)(?!\.\.(/|$))(?![^/\x00][^\x00]*/\.\.(/|$))"
    rf"[^\x00]*{NOT_BLANK}[^\x00]*$"
)
"""A database file path: not blank, not ``:memory:`` or a ``file:`` URI, no NUL, and a
relative path without ``..`` (an absolute one may not point into the platform's own files)."""
_HOST = r"([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[::1\])"
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
DSN_PATTERN = (
    rf"^postgres(ql)?://([A-Za-z0-9._~%-]+(:[A-Za-z0-9._~%-]*)?@)?{_HOST}(:{_PORT})?"
    r"(/[A-Za-z0-9._~%-]*)?(\?[A-Za-z0-9._~%=&-]*)?$"
)
"""A ``postgresql://`` URL with a host (the password, in it or apart, is stored apart)."""


class SqliteConfigIn(msgspec.Struct, forbid_unknown_fields=True):
    """The config of a ``sqlite`` instance."""

    path: Annotated[
        str,
        msgspec.Meta(
            pattern=SQLITE_PATH_PATTERN,
            description="database file: relative (kept per scope) or absolute; not :memory:",
        ),
    ]


class PostgresConfigIn(msgspec.Struct, forbid_unknown_fields=True):
    """The config of a ``postgres`` instance."""

    dsn: Annotated[str, msgspec.Meta(pattern=DSN_PATTERN)]
    password: str | None = None
    connect_timeout_s: Annotated[float, msgspec.Meta(gt=0, le=120)] = 10.0


class _InstanceCreateIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    scope_id: Annotated[
        ScopeId, msgspec.Meta(description="a workspace or org of the caller (404 otherwise)")
    ]
    scope_type: ScopeType = "workspace"
    description: str = ""


class SqliteInstanceCreate(_InstanceCreateIn, tag_field="connector_key", tag="sqlite"):
    """A ``sqlite`` instance."""

    config: SqliteConfigIn


class PostgresInstanceCreate(_InstanceCreateIn, tag_field="connector_key", tag="postgres"):
    """A ``postgres`` instance."""

    config: PostgresConfigIn


InstanceCreateIn = SqliteInstanceCreate | PostgresInstanceCreate
assert {"sqlite", "postgres"} == set(CONNECTOR_KEYS) == set(CONNECTORS)


class InstanceUpdateIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The fields to change; ``config`` is one of the instance's connector."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    description: str | msgspec.UnsetType = msgspec.UNSET
    config: (
        Annotated[
            dict[str, Any],
            msgspec.Meta(
                extra_json_schema={
                    "anyOf": [
                        {"$ref": "#/components/schemas/SqliteConfigIn"},
                        {"$ref": "#/components/schemas/PostgresConfigIn"},
                    ]
                }
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET


SCOPE_TYPE_QUERY = QueryParam(
    "scope_type",
    ScopeType,
    "workspace or org; with scope_id (without it: the caller's own), only that scope",
)
SCOPE_ID_QUERY = QueryParam("scope_id", ScopeId, "the workspace or org id (needs scope_type)")


def install(app: App) -> None:
    """Add the connector tables and routes to a local platform."""
    app.migration(storage.MIGRATION_NAME, storage.MIGRATION)
    platform = app.platform
    app.on_reset(lambda: remove_connector_files(platform))
    app.add_route(
        "GET", CATALOG, list_connectors, response=Page[Connector], query=PAGE_QUERY,
        summary="The connector catalog", tags=TAGS,
    )  # fmt: skip
    app.add_route(
        "GET", f"{CATALOG}/{{key}}", get_connector, response=Connector,
        summary="One connector and its config schema", tags=TAGS,
    )  # fmt: skip
    app.add_route(
        "GET", INSTANCES, list_instances, response=Page[ConnectorInstance],
        query=(
            *PAGE_QUERY,
            SCOPE_TYPE_QUERY,
            SCOPE_ID_QUERY,
            QueryParam("connector_key", str, "only instances of this connector"),
        ),
        summary="Connector instances the caller can see", tags=TAGS,
    )  # fmt: skip
    create = app.add_route(
        "POST", INSTANCES, create_instance, body=ConnectorInstanceCreate,
        response=ConnectorInstance, status=201, summary="Configure a connection", tags=TAGS,
    )  # fmt: skip
    create.documented_body = InstanceCreateIn
    app.add_route(
        "GET", INSTANCE, get_instance, response=ConnectorInstance,
        summary="One connector instance (never its secrets)", tags=TAGS,
    )  # fmt: skip
    update = app.add_route(
        "PATCH", INSTANCE, update_instance, body=ConnectorInstanceUpdate,
        response=ConnectorInstance, summary="Change an instance (If-Match honoured)", tags=TAGS,
    )  # fmt: skip
    update.documented_body = InstanceUpdateIn
    app.add_route(
        "DELETE", INSTANCE, delete_instance, status=204,
        summary="Delete an instance and its secrets (If-Match honoured)", tags=TAGS,
    )  # fmt: skip
    app.add_route(
        "POST", f"{INSTANCE}/test", test_instance, response=ConnectionTestResult,
        transaction=False, summary="Check that the connection works", tags=TAGS,
    )  # fmt: skip
    app.add_route(
        "POST", f"{INSTANCE}/query", query_instance, body=QueryRequest, response=QueryResult,
        transaction=False, summary="Run one read-only query", tags=TAGS,
    )  # fmt: skip
    app.add_route(
        "POST", f"{INSTANCE}/execute-ddl", execute_ddl, body=DdlRequest, response=DdlResult,
        transaction=False,
        summary="Preview DDL, or run it in one transaction (confirm) with an audit record",
        tags=TAGS,
    )  # fmt: skip
    app.add_route(
        "GET", f"{INSTANCE}/audit", list_audit, response=Page[DdlAuditRecord], query=PAGE_QUERY,
        summary="The instance's DDL audit log, newest first", tags=TAGS,
    )  # fmt: skip


# helpers


def _invalid(loc: Sequence[str | int], message: str, code: str = "validation_error") -> HTTPError:
    return HTTPError(422, [FieldError(list(loc), message)], code)


def _refused(message: str, code: str) -> HTTPError:
    return HTTPError(422, message, code)


def _render(row: storage.InstanceRow) -> ConnectorInstance:
    return msgspec.convert(row.public(), ConnectorInstance)


def _with_etag(status: int, row: storage.InstanceRow, **headers: str) -> Response:
    return Response(status, _render(row), {"ETag": f'"{row.version}"', **headers})


def _connector_type(key: str) -> ConnectorType:
    found = CONNECTORS.get(key)
    if found is None:
        raise _invalid(
            ["body", "connector_key"],
            f"unknown connector {key!r}; choose one of {', '.join(sorted(CONNECTORS))}",
        )
    return found


def _scope_org(
    request: Request, tx: Any, scope_type: str, scope_id: str | None, where: str = "body"
) -> str:
    """The org of a scope the caller may act in; 404 when it cannot (or it does not exist)."""
    principal = request.principal
    assert principal is not None
    if scope_type not in ("workspace", "org"):
        raise _invalid([where, "scope_type"], "must be 'workspace' or 'org'")
    if not scope_id:
        raise _invalid(
            [where, "scope_id"],
            f"the {scope_type} id is required (the SDK fills in the configured one)",
        )
    if scope_type == "org":
        if not principal.can_see_org(scope_id) or tx.get("org", "", scope_id) is None:
            raise not_found(f"org {scope_id!r}")
        return scope_id
    workspace = tx.find("workspace", scope_id)
    if workspace is None or not principal.can_see_org(workspace.scope):
        raise not_found(f"workspace {scope_id!r}")
    return str(workspace.scope)


def _visible(request: Request, tx: Any) -> storage.InstanceRow:
    """The instance named by ``{id}``, if the caller may see it; 404 otherwise."""
    principal = request.principal
    assert principal is not None
    instance_id = request.params["id"]
    row = storage.get_instance(tx, instance_id)
    if row is None or not principal.can_see_org(row.org_id):
        raise not_found(f"connector instance {instance_id!r}")
    return row


def _load_with_driver(request: Request) -> tuple[storage.InstanceRow, Driver]:
    with request.store.transaction(write=False) as tx:
        row = _visible(request, tx)
        secrets = storage.read_secrets(tx, row.id)
    kind = CONNECTORS.get(row.connector_key)
    if kind is None:
        raise _refused(
            f"this platform has no connector {row.connector_key!r} any more", "unknown_connector"
        )
    location = sqlite_location(request.platform, row.org_id, row.scope_type, row.scope_id)
    try:
        driver = kind.driver(row.config, secrets, location)
    except ConfigError as exc:
        raise _refused(str(exc), "invalid_config") from None
    return row, driver


def _driver_error(exc: DriverError) -> HTTPError:
    if isinstance(exc, DriverUnavailable):
        return _refused(str(exc), "driver_unavailable")
    return _refused(
        f"{exc}; check the instance with `flow connector-instances test ID`", "connection_failed"
    )


# the catalog


def list_connectors(request: Request) -> Any:
    """The connector catalog."""
    limit, after = page_params(request)
    entries = list(CONNECTORS.values())
    positioned = [(index + 1, c) for index, c in enumerate(entries) if index + 1 > after]
    return page_of(
        positioned[: limit + 1],
        limit,
        lambda item: item[0],
        lambda item: msgspec.convert(item[1].document(), Connector),
    )


def get_connector(request: Request) -> Any:
    """One connector and its config schema."""
    key = request.params["key"]
    found = CONNECTORS.get(key)
    if found is None:
        raise HTTPError(
            404,
            f"connector {key!r} not found; the catalog has {', '.join(sorted(CONNECTORS))}",
            "not_found",
        )
    return msgspec.convert(found.document(), Connector)


# instances


def list_instances(request: Request) -> Any:
    """Instances the caller can see, optionally of one scope and one connector."""
    principal = request.principal
    assert principal is not None
    limit, after = page_params(request)
    scope_type = SCOPE_TYPE_QUERY.value(request)
    scope_id = request.query_one("scope_id")
    with request.store.transaction(write=False) as tx:
        if scope_type is None:
            if scope_id is not None:
                raise _invalid(["query", "scope_type"], "scope_id needs scope_type")
            orgs = sorted(principal.org_ids)
            scope = None
        else:
            orgs = [_scope_org(request, tx, scope_type, scope_id, "query")]
            scope = (scope_type, str(scope_id))
        rows = storage.list_instances(
            tx,
            org_ids=orgs,
            scope=scope,
            connector_key=request.query_one("connector_key"),
            after=after,
            limit=limit + 1,
        )
    return page_of(rows, limit, lambda r: r.seq, _render)


def create_instance(request: Request) -> Any:
    """Configure a connection; its secrets go to their own table."""
    body: ConnectorInstanceCreate = request.data
    kind = _connector_type(body.connector_key)
    try:
        prepared = kind.prepare(body.config, {})
    except ConfigError as exc:
        raise _invalid(["body", "config"], str(exc)) from None
    with request.store.transaction() as tx:
        org_id = _scope_org(request, tx, body.scope_type, body.scope_id)
        if kind.key == "sqlite":
            _check_sqlite_path(request, org_id, body.scope_type, body.scope_id, prepared.public)
        row = storage.insert_instance(
            tx,
            org_id=org_id,
            scope_type=body.scope_type,
            scope_id=body.scope_id,
            connector_key=kind.key,
            name=body.name,
            description=body.description,
            config=prepared.public,
            secrets=prepared.secrets,
            created_by=request.user_id,
        )
    return _with_etag(201, row, Location=f"{INSTANCES}/{row.id}")


def _check_sqlite_path(
    request: Request, org_id: str, scope_type: str, scope_id: str, public: dict[str, Any]
) -> None:
    location = sqlite_location(request.platform, org_id, scope_type, scope_id)
    try:
        resolve_sqlite_path(str(public["path"]), location)
    except ConfigError as exc:
        raise _invalid(["body", "config"], str(exc)) from None


def get_instance(request: Request) -> Any:
    """One instance, without its secrets."""
    with request.store.transaction(write=False) as tx:
        row = _visible(request, tx)
    return _with_etag(200, row)


def _stale(expected: int, current: int) -> HTTPError:
    return HTTPError(
        409,
        f"version conflict: If-Match named version {expected}, but the current version is "
        f"{current}; fetch it again and retry with If-Match: {current}",
        "version_conflict",
    )


def update_instance(request: Request) -> Any:
    """Change name, description or config; a config without a secret keeps the stored one."""
    body: ConnectorInstanceUpdate = request.data
    expected = parse_if_match(request)
    with request.store.transaction() as tx:
        current = _visible(request, tx)
        if expected is not None and expected != current.version:
            raise _stale(expected, current.version)
        config, secrets = current.config, storage.read_secrets(tx, current.id)
        if body.config is not msgspec.UNSET:
            kind = _connector_type(current.connector_key)
            try:
                prepared = kind.prepare(body.config, secrets)
            except ConfigError as exc:
                raise _invalid(["body", "config"], str(exc)) from None
            if kind.key == "sqlite":
                _check_sqlite_path(
                    request, current.org_id, current.scope_type, current.scope_id, prepared.public
                )
            config, secrets = prepared.public, prepared.secrets
        row = storage.update_instance(
            tx,
            current,
            name=current.name if body.name is msgspec.UNSET else body.name,
            description=(
                current.description if body.description is msgspec.UNSET else body.description
            ),
            config=config,
            secrets=secrets,
        )
    return _with_etag(200, row)


def delete_instance(request: Request) -> None:
    """Delete the instance and its secrets; the database itself is left alone."""
    expected = parse_if_match(request)
    with request.store.transaction() as tx:
        current = _visible(request, tx)
        if expected is not None and expected != current.version:
            raise _stale(expected, current.version)
        storage.delete_instance(tx, current.id)


def test_instance(request: Request) -> Any:
    """Connect and report; a failed connection is ``ok: false``, not an error status."""
    _row, driver = _load_with_driver(request)
    try:
        check = driver.check()
    except DriverError as exc:
        return ConnectionTestResult(ok=False, detail=str(exc))
    return ConnectionTestResult(
        ok=check.ok,
        detail=check.detail,
        latency_ms=check.latency_ms,
        server_version=check.server_version,
    )


def query_instance(request: Request) -> Any:
    """One read-only statement: refused by the parser if it writes, and run read-only anyway."""
    from ._sql import SqlRefused, check_read_only  # sqlglot loads on first SQL, not at start-up

    body: QueryRequest = request.data
    _row, driver = _load_with_driver(request)
    try:
        statement = check_read_only(body.sql, driver.dialect)
    except SqlRefused as exc:
        raise _refused(str(exc), "not_read_only") from None
    try:
        outcome = driver.query(
            statement, body.params, max_rows=body.max_rows, timeout_s=body.timeout_s
        )
    except QueryFailed as exc:
        raise _refused(f"the database refused the query: {exc}", "query_failed") from None
    except DriverError as exc:
        raise _driver_error(exc) from None
    return QueryResult(
        columns=outcome.columns,
        rows=outcome.rows,
        row_count=len(outcome.rows),
        truncated=outcome.truncated,
    )


def execute_ddl(request: Request) -> Any:
    """Preview DDL, or run every statement in one transaction and audit it."""
    from ._sql import DDL_KINDS, SqlRefused, classify  # sqlglot loads on first SQL

    body: DdlRequest = request.data
    row, driver = _load_with_driver(request)
    with request.store.transaction(write=False) as tx:
        _check_ddl_scope(request, tx, row, body)
    try:
        statements = classify(body.sql, driver.dialect)
    except SqlRefused as exc:
        raise _refused(str(exc), "invalid_sql") from None
    not_ddl = [(n, s) for n, s in enumerate(statements, 1) if s.kind not in DDL_KINDS]
    if not_ddl:
        listed = "; ".join(f"statement {n} is {s.kind.upper()}" for n, s in not_ddl)
        raise _refused(
            f"execute_ddl runs schema changes only ({', '.join(sorted(DDL_KINDS))}): {listed}; "
            "use query for reads, and your application for data changes",
            "not_ddl",
        )
    documents = [{"sql": s.sql, "kind": s.kind, "destructive": s.destructive} for s in statements]
    destructive = [n for n, s in enumerate(statements, 1) if s.destructive]
    if not body.confirm:
        return DdlResult(
            executed=False, statements=_ddl_statements(documents), reason_required=bool(destructive)
        )
    reason = (body.reason or "").strip() or None
    if destructive and reason is None:
        numbers = ", ".join(str(n) for n in destructive)
        raise _refused(
            f"statement(s) {numbers} are destructive: confirming them needs a reason "
            "(reason=... in the SDK, --reason in the CLI), which goes into the audit log",
            "reason_required",
        )
    audit: dict[str, Any] = {
        "instance": row,
        "actor": request.user_id,
        "scope_type": body.scope_type,
        "scope_id": str(body.scope_id),
        "statements": documents,
        "reason": reason,
    }
    try:
        driver.run_ddl([s.sql for s in statements], timeout_s=DDL_TIMEOUT_S)
    except DdlFailed as exc:
        failed = f"statement {exc.index + 1} failed: {exc.message}"
        with request.store.transaction() as tx:
            audit_id = storage.insert_audit(tx, status="failed", error=failed, **audit)
        raise _refused(
            f"{failed}; nothing was applied (the transaction was rolled back) [audit {audit_id}]",
            "ddl_failed",
        ) from None
    except DriverError as exc:
        with request.store.transaction() as tx:
            storage.insert_audit(tx, status="failed", error=str(exc), **audit)
        raise _driver_error(exc) from None
    with request.store.transaction() as tx:
        audit_id = storage.insert_audit(tx, status="applied", **audit)
    return DdlResult(executed=True, statements=_ddl_statements(documents), audit_id=audit_id)


def _ddl_statements(documents: list[dict[str, Any]]) -> list[DdlStatement]:
    return [DdlStatement(**d) for d in documents]


def _check_ddl_scope(request: Request, tx: Any, row: storage.InstanceRow, body: DdlRequest) -> None:
    """The caller may act in the body's scope, and the instance belongs to it.

    An org's instance may be used from any workspace of that org.
    """
    org_id = _scope_org(request, tx, body.scope_type, body.scope_id)
    same = (body.scope_type, body.scope_id) == (row.scope_type, row.scope_id)
    inherited = row.scope_type == "org" and row.scope_id == org_id
    if not (same or inherited):
        raise _refused(
            f"connector instance {row.id!r} belongs to {row.scope_type} {row.scope_id!r}, not "
            f"{body.scope_type} {body.scope_id!r}; pass scope_type={row.scope_type!r} and "
            f"scope_id={row.scope_id!r}",
            "scope_mismatch",
        )


def list_audit(request: Request) -> Any:
    """The instance's DDL audit log, newest first."""
    limit, before = page_params(request)
    with request.store.transaction(write=False) as tx:
        row = _visible(request, tx)
        records = storage.list_audit(tx, row.id, before=before, limit=limit + 1)
    return page_of(
        records, limit, lambda r: r.seq, lambda r: msgspec.convert(r.public(), DdlAuditRecord)
    )
