"""The local platform's MCP server routes.

``GET/POST <tenant>/mcp-servers``, ``GET/PATCH/DELETE <tenant>/mcp-servers/{id}``,
``POST <tenant>/mcp-servers/{id}/refresh`` (connect with MCP, store the tools)
and ``GET <tenant>/mcp-servers/{id}/tools`` (the stored tools, paged).

The registration is an ordinary stored resource. What a refresh finds lives in
tables of its own (``mcp_server_tools``, ``mcp_server_state``), so a refresh
never bumps the registration's ``version`` and an ``If-Match`` held by a
writer stays valid. A refresh talks to the server outside any transaction
(``transaction=False``): the database is not held while the network is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import msgspec
from flow_sdk_local import (
    PAGE_QUERY,
    FieldError,
    HTTPError,
    Page,
    Request,
    conflict,
    is_blank,
    not_found,
    page_of,
    page_params,
)

from .._models import McpServer, McpServerCreate, McpServerUpdate, McpTool, Refresh, RefreshRequest
from ._probe import ProbeError, ProbeResult, list_tools

if TYPE_CHECKING:
    from flow_sdk_local import App, Document, Transaction

__all__ = ["MIGRATION", "ServerChanged", "install", "refresh_tools", "url_problem"]

KIND = "mcp-servers"

MIGRATION = """
CREATE TABLE IF NOT EXISTS mcp_server_tools (
    server_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    input_schema TEXT NOT NULL,
    PRIMARY KEY (server_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mcp_server_state (
    server_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    tool_count INTEGER NOT NULL,
    refreshed_at TEXT,
    checked_at TEXT,
    last_error TEXT,
    server_name TEXT,
    server_version TEXT,
    protocol_version TEXT
);
"""

# what a failed probe answers: unreachable and silent servers are the gateway's
# failure (502, 504); a server that answers but does not speak MCP is a problem
# with the registered URL or transport, which a retry cannot fix (422)
_FAILURE_STATUS = {
    "unreachable": (502, "mcp_server_unreachable"),
    "timeout": (504, "mcp_server_timeout"),
    "protocol": (422, "not_an_mcp_server"),
    "missing_client": (501, "mcp_client_missing"),
}

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an MCP server's address, or None when it can."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL, e.g. http://127.0.0.1:8000/mcp"
    if not parts.hostname:
        return "must name a host, e.g. http://127.0.0.1:8000/mcp"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    if parts.fragment:
        return "must not have a #fragment"
    if port == 0:
        return "must not use port 0"
    if any(ch.isspace() for ch in url):
        return "must not contain spaces; percent-encode them"
    return None


def _unprocessable(field: str, message: str) -> HTTPError:
    return HTTPError(422, [FieldError(["body", field], message)], "validation_error")


def _state(tx: Transaction, server_id: str) -> dict[str, Any]:
    row = tx.execute(
        "SELECT status, tool_count, refreshed_at, checked_at, last_error, server_name, "
        "server_version, protocol_version FROM mcp_server_state WHERE server_id = ?",
        (server_id,),
    ).fetchone()
    if row is None:
        return {"status": "new", "tool_count": 0}
    names = (
        "status",
        "tool_count",
        "refreshed_at",
        "checked_at",
        "last_error",
        "server_name",
        "server_version",
        "protocol_version",
    )
    return dict(zip(names, row, strict=True))


def _forget(tx: Transaction, server_id: str) -> None:
    tx.execute("DELETE FROM mcp_server_tools WHERE server_id = ?", (server_id,))
    tx.execute("DELETE FROM mcp_server_state WHERE server_id = ?", (server_id,))


def _store_tools(tx: Transaction, server_id: str, found: ProbeResult) -> None:
    tx.execute("DELETE FROM mcp_server_tools WHERE server_id = ?", (server_id,))
    tx.conn.executemany(
        "INSERT INTO mcp_server_tools (server_id, position, name, description, input_schema) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (
                server_id,
                position,
                tool["name"],
                tool["description"],
                _encode(tool["input_schema"]).decode(),
            )
            for position, tool in enumerate(found.tools, start=1)
        ],
    )
    now = tx.now()
    tx.execute(
        "INSERT OR REPLACE INTO mcp_server_state (server_id, status, tool_count, refreshed_at, "
        "checked_at, last_error, server_name, server_version, protocol_version) "
        "VALUES (?, 'ok', ?, ?, ?, NULL, ?, ?, ?)",
        (
            server_id,
            len(found.tools),
            now,
            now,
            found.server_name,
            found.server_version,
            found.protocol_version,
        ),
    )


def _store_failure(tx: Transaction, server_id: str, message: str) -> None:
    """Record a failed refresh; the tools of the last good one stay."""
    state = _state(tx, server_id)
    tx.execute(
        "INSERT OR REPLACE INTO mcp_server_state (server_id, status, tool_count, refreshed_at, "
        "checked_at, last_error, server_name, server_version, protocol_version) "
        "VALUES (?, 'error', ?, ?, ?, ?, ?, ?, ?)",
        (
            server_id,
            state["tool_count"],
            state.get("refreshed_at"),
            tx.now(),
            message,
            state.get("server_name"),
            state.get("server_version"),
            state.get("protocol_version"),
        ),
    )


def _tool_out(row: tuple[Any, ...]) -> McpTool:
    _, name, description, schema = row
    return McpTool(name=name, description=description, input_schema=_decode(schema))


def install(app: App) -> None:
    """Add the MCP server routes and their tables to a local platform."""
    app.migration("mcp-servers-0001-tools", MIGRATION)
    store = app.platform.store

    def present(doc: Document) -> dict[str, Any]:
        with store.transaction(write=False) as tx:
            state = _state(tx, doc.id)
        return {**doc.public(), **state}

    def validate(request: Request, data: dict[str, Any], existing: Document | None) -> Any:
        if is_blank(str(data["name"])):
            raise _unprocessable("name", "must not be blank")
        problem = url_problem(data["url"])
        if problem is not None:
            raise _unprocessable("url", f"the MCP server URL {problem}")
        if existing is not None and (
            data["url"] != existing.data.get("url")
            or data["transport"] != existing.data.get("transport")
        ):
            # the stored tools were those of another endpoint: forget them (same transaction)
            with request.store.transaction() as tx:
                _forget(tx, existing.id)
        return data

    def after_write(request: Request, action: str, doc: Document) -> None:
        if action == "delete":
            with request.store.transaction() as tx:
                _forget(tx, doc.id)

    servers = app.resource(
        "mcp-servers",
        model=McpServer,
        create=McpServerCreate,
        update=McpServerUpdate,
        id_prefix="mcp",
        filters=("name", "transport"),
        validate=validate,
        after_write=after_write,
        present=present,
        tags=("mcp-servers",),
    )

    def refresh(request: Request) -> Refresh:
        """Connect to the server with MCP, list its tools and store them."""
        body: RefreshRequest = request.data
        doc = servers.load(request)
        try:
            found = refresh_tools(store, doc, body.timeout_s)
        except ProbeError as failure:
            status, code = _FAILURE_STATUS[failure.kind]
            raise HTTPError(status, failure.message, code) from None
        except ServerChanged as changed:
            if changed.deleted:
                raise not_found(f"MCP server {doc.id!r} (deleted during the refresh)") from None
            raise conflict(
                "the server's url or transport changed during the refresh; refresh it again"
            ) from None
        with store.transaction(write=False) as tx:
            current = tx.get(doc.kind, doc.scope, doc.id)
        assert current is not None
        return Refresh(
            server=servers.render(current),
            tools=[
                McpTool(
                    name=tool["name"],
                    description=tool["description"],
                    input_schema=tool["input_schema"],
                )
                for tool in found.tools
            ],
        )

    def tools(request: Request) -> Any:
        """The tools the server listed at its last successful refresh, in its order."""
        doc = servers.load(request)
        limit, after = page_params(request)
        with store.transaction(write=False) as tx:
            rows = tx.execute(
                "SELECT position, name, description, input_schema FROM mcp_server_tools "
                "WHERE server_id = ? AND position > ? ORDER BY position LIMIT ?",
                (doc.id, after, limit + 1),
            ).fetchall()
        return page_of(rows, limit, lambda row: int(row[0]), _tool_out)

    tag = ("mcp-servers",)
    app.add_route(
        "POST",
        servers.item_path + "/refresh",
        refresh,
        body=RefreshRequest,
        response=Refresh,
        transaction=False,
        tags=tag,
        summary="Connect to the server with MCP and store the tools it lists "
        "(502 unreachable, 504 no answer in time, 422 not an MCP server)",
    )
    app.add_route(
        "GET",
        servers.item_path + "/tools",
        tools,
        response=Page[McpTool],
        query=PAGE_QUERY,
        tags=tag,
    )


class ServerChanged(Exception):
    """The server was deleted (``deleted``), or its url or transport changed, while it was
    being probed: what the probe found is not stored."""

    def __init__(self, deleted: bool) -> None:
        super().__init__("deleted" if deleted else "changed")
        self.deleted = deleted


def refresh_tools(store: Any, doc: Document, timeout_s: float) -> ProbeResult:
    """Probe the server ``doc`` over MCP (no transaction open meanwhile) and store the tools
    it lists, or the failure (then :class:`ProbeError` is raised), unless the server changed
    meanwhile (:class:`ServerChanged`). The one sequence the route and the console share."""
    try:
        found = list_tools(doc.data["url"], doc.data["transport"], timeout_s)
    except ProbeError as failure:
        with store.transaction() as tx:
            if _unchanged(tx, doc):
                _store_failure(tx, doc.id, failure.message)
        raise
    with store.transaction() as tx:
        if not _unchanged(tx, doc):
            raise ServerChanged(deleted=tx.get(doc.kind, doc.scope, doc.id) is None)
        _store_tools(tx, doc.id, found)
    return found


def _unchanged(tx: Transaction, doc: Document) -> bool:
    """True while the server still exists with the url and transport that were probed."""
    current = tx.get(doc.kind, doc.scope, doc.id)
    return (
        current is not None
        and current.data.get("url") == doc.data.get("url")
        and current.data.get("transport") == doc.data.get("transport")
    )
