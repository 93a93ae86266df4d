"""``client.connectors`` (the catalog) and ``client.connector_instances``.

Both live under ``/api/v1/connectors``, outside the tenant prefix: an
instance names its own scope (a workspace or an org), and the platform
checks that the caller may act there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from flow_sdk.plugin import (
    API_PREFIX,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    CLIClientError,
    Listing,
    ModeT,
    Namespace,
    Page,
    ResourceNamespace,
    Steps,
    body_of,
    cursor_pages,
    ddl_body,
    endpoint,
    paginated,
    path_segment,
    send,
)

from .models import (
    ConnectionTestResult,
    Connector,
    ConnectorInstance,
    DdlAuditRecord,
    DdlResult,
    QueryResult,
    ScopeType,
)

__all__ = ["ConnectorInstancesNamespace", "ConnectorsNamespace"]

CATALOG = f"{API_PREFIX}/connectors"
INSTANCES = f"{CATALOG}/instances"
#: How long the local platform lets one confirmed DDL batch run.
DDL_TIMEOUT_S = 120.0


class ConnectorsNamespace(Namespace[ModeT]):
    """The connector catalog: which kinds of connection exist and how to configure them."""

    @paginated
    def list(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, limit: int | None = None
    ) -> Listing[Connector]:
        """Every connector in the catalog, fetched lazily page by page."""
        return cursor_pages(
            CATALOG, Page[Connector], page_size=page_size, limit=limit, max_page_size=MAX_PAGE_SIZE
        )

    @endpoint
    def get(self, key: str) -> Steps[Connector]:
        """One connector by key (e.g. ``"sqlite"``), with its ``config_schema``."""
        return (yield from send("GET", f"{CATALOG}/{path_segment(key, 'key')}", type=Connector))


class ConnectorInstancesNamespace(ResourceNamespace[ModeT, ConnectorInstance]):
    """Configured connections: create them, test them, query them, change their schema.

    ``get``, ``update`` and ``delete`` are the generic ones (``update`` with
    ``if_match=<version>`` is safe against a concurrent write; a new
    ``config`` replaces the old one, but a secret it leaves out, such as a DSN
    with no password, keeps the stored one).
    """

    path = "connectors/instances"
    scope = "global"
    model = ConnectorInstance

    def _item(self, resource_id: str, *more: str) -> str:
        return "/".join([INSTANCES, path_segment(resource_id, "instance_id"), *more])

    def _scope_id(self, scope_type: str, scope_id: str | None) -> str | None:
        if scope_id is not None:
            return scope_id
        if scope_type == "org":
            return self.config.org_id
        return self.config.workspace_id

    @paginated
    def list(  # type: ignore[override]
        self,
        *,
        scope_type: ScopeType | None = None,
        scope_id: str | None = None,
        connector_key: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
    ) -> Listing[ConnectorInstance]:
        """Instances lazily, page by page.

        With ``scope_type`` only those of that scope (``scope_id`` defaults to
        the configured workspace, or org for ``"org"``); without it, every
        instance the caller can see. ``connector_key`` keeps one kind.
        """
        if scope_id is not None and scope_type is None:
            raise CLIClientError(
                "scope_id needs scope_type",
                hint="pass scope_type='workspace' or scope_type='org' with it",
            )
        filters: dict[str, Any] = {"connector_key": connector_key}
        if scope_type is not None:
            filters["scope_type"] = scope_type
            filters["scope_id"] = self._scope_id(scope_type, scope_id)
        return self._list(page_size=page_size, limit=limit, **filters)

    @endpoint
    def create(
        self,
        /,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Steps[ConnectorInstance]:
        """Configure a connection: ``connector_key``, ``name`` and ``config`` are required.

        Give them in ``data`` or as keywords, e.g. ``create(connector_key="sqlite",
        name="app", config={"path": "app.db"})``. ``config`` follows the
        connector's ``config_schema``; secrets in it (a DSN's password) are
        stored apart and never returned. ``scope_type`` defaults to
        ``"workspace"`` and ``scope_id`` to the configured workspace (or org).
        Safe to retry: the same ``idempotency_key`` goes with every attempt.
        """
        body = body_of(data, fields)
        scope_type = body.setdefault("scope_type", "workspace")
        if body.get("scope_id") is None:
            body["scope_id"] = self._scope_id(str(scope_type), None)
        return (
            yield from send(
                "POST",
                self._collection(),
                json=body,
                idempotency_key=idempotency_key,
                type=ConnectorInstance,
            )
        )

    @endpoint
    def test(self, instance_id: str) -> Steps[ConnectionTestResult]:
        """Check that the instance's database answers; a failure is ``ok=False``, not an error."""
        return (yield from send("POST", self._item(instance_id, "test"), type=ConnectionTestResult))

    @endpoint
    def query(
        self,
        instance_id: str,
        sql: str,
        params: Sequence[Any] | Mapping[str, Any] | None = None,
        *,
        max_rows: int = 1000,
        timeout_s: float | None = None,
    ) -> Steps[QueryResult]:
        """Run one read-only statement; anything that writes is refused (``CLIValidationError``).

        ``params`` are bound by the database, never pasted into the SQL: a list
        for positional placeholders (``?`` on SQLite, ``%s`` on PostgreSQL) or a
        mapping for named ones (``:name`` / ``%(name)s``). At most ``max_rows``
        rows come back; ``truncated`` says there were more.
        """
        body: dict[str, Any] = {"sql": sql, "max_rows": max_rows}
        if params is not None:
            body["params"] = dict(params) if isinstance(params, Mapping) else list(params)
        timeout = None
        if timeout_s is not None:
            body["timeout_s"] = timeout_s
            timeout = self._wait_for(timeout_s)
        return (
            yield from send(
                "POST",
                self._item(instance_id, "query"),
                json=body,
                type=QueryResult,
                timeout=timeout,
            )
        )

    def _wait_for(self, server_seconds: float) -> float:
        """The HTTP timeout for work the platform may spend ``server_seconds`` on."""
        return max(self.config.timeout, server_seconds + 10.0)

    @endpoint
    def execute_ddl(
        self,
        instance_id: str,
        sql: str,
        *,
        confirm: bool = False,
        scope_type: str = "workspace",
        scope_id: str | None = None,
        reason: str | None = None,
    ) -> Steps[DdlResult]:
        """Preview DDL (``confirm=False``) or run it, as ``CLIClient.execute_ddl`` does.

        The preview lists each statement with its kind and whether it is
        destructive, without touching the database. ``confirm=True`` runs them
        all in one transaction (all or nothing) and returns the ``audit_id``;
        a destructive statement needs a ``reason``, and anything that is not
        DDL is refused. As the reference: an empty or missing ``scope_id``
        means the configured workspace, and an empty ``reason`` is not sent.
        """
        body = ddl_body(
            sql,
            self.config,
            confirm=confirm,
            scope_type=scope_type,
            scope_id=scope_id,
            reason=reason,
        )
        # A confirmed batch may take the platform up to DDL_TIMEOUT_S (e.g. building an index).
        timeout = self._wait_for(DDL_TIMEOUT_S) if confirm else None
        return (
            yield from send(
                "POST",
                self._item(instance_id, "execute-ddl"),
                json=body,
                type=DdlResult,
                timeout=timeout,
            )
        )

    @paginated
    def audit(
        self, instance_id: str, *, page_size: int = DEFAULT_PAGE_SIZE, limit: int | None = None
    ) -> Listing[DdlAuditRecord]:
        """The instance's DDL audit log, newest first, fetched lazily."""
        return cursor_pages(
            self._item(instance_id, "audit"),
            Page[DdlAuditRecord],
            page_size=page_size,
            limit=limit,
            max_page_size=MAX_PAGE_SIZE,
        )
