"""The "MCP servers" panel of the local platform's web console (``flow local console``).

It shows the chosen workspace's registered MCP servers (paged: name, transport,
URL, status, tools, last probe) and one server (``?id=``) with what its last
refresh found: who the server said it is, the last error, and its tools
(paged, each with its input schema as JSON). "Refresh tools" connects to the
server and stores what it lists, with the same functions ``POST …/refresh``
uses. The platform stores no resources, prompts or headers of a server; the
URL is how one is reached, so its user info and secret-looking query values
are hidden. Imported inside the ``flow_sdk_local_console_panels`` hook only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import msgspec
from flow_sdk.plugin import redact_url
from flow_sdk_local.console import Markup

from .._models import DEFAULT_REFRESH_TIMEOUT_S, MAX_REFRESH_TIMEOUT_S
from ._probe import ProbeError
from ._routes import KIND, ServerChanged, _state, refresh_tools

if TYPE_CHECKING:
    from flow_sdk_local.console import Console, View

__all__ = ["install", "refresh"]

TOOLS_PAGE = 20
_TONES: dict[str, Literal["ok", "bad", ""]] = {"ok": "ok", "error": "bad"}


def _status(view: View, status: str) -> Any:
    return view.badge(status, _TONES.get(status, ""))


def _listing(view: View) -> str:
    docs, cursor = view.page(KIND, view.scope())
    ids = [doc.id for doc in docs]
    states: dict[str, tuple[Any, ...]] = {}
    if ids:
        with view.store.transaction(write=False) as tx:
            rows = tx.execute(
                "SELECT server_id, status, tool_count, checked_at FROM mcp_server_state "
                "WHERE server_id IN (SELECT value FROM json_each(?))",
                (msgspec.json.encode(ids).decode(),),
            ).fetchall()
        states = {row[0]: tuple(row[1:]) for row in rows}
    table = []
    for doc in docs:
        status, tools, checked = states.get(doc.id, ("new", 0, None))
        table.append(
            (
                view.link(view.url(id=doc.id), doc.data.get("name", doc.id)),
                doc.data.get("transport", ""),
                redact_url(str(doc.data.get("url", ""))),
                _status(view, status),
                tools,
                checked or "never",
            )
        )
    return view.section(
        view.table(
            "MCP servers",
            ("Name", "Transport", "URL", "Status", "Tools", "Last probe"),
            table,
            cursor,
            empty="No MCP servers in this workspace. Register one with flow mcp-servers register.",
        )
    )


def _tools(view: View, server_id: str) -> str:
    """The stored tools in the server's order, a page at a time (``?cursor=`` a position)."""
    after = view.arg("cursor")
    with view.store.transaction(write=False) as tx:
        rows = tx.execute(
            "SELECT position, name, description, input_schema FROM mcp_server_tools "
            "WHERE server_id = ? AND position > ? ORDER BY position LIMIT ?",
            (server_id, int(after) if after.isdigit() else 0, TOOLS_PAGE + 1),
        ).fetchall()
    page = rows[:TOOLS_PAGE]
    table = [
        (name, description, Markup(view.code(msgspec.json.decode(schema))))
        for _, name, description, schema in page
    ]
    return view.table(
        "Tools",
        ("Name", "Description", "Input schema"),
        table,
        str(page[-1][0]) if len(rows) > TOOLS_PAGE else "",
        empty="No tools stored: refresh the server to list them.",
    )


def _detail(view: View, server_id: str) -> str:
    with view.store.transaction(write=False) as tx:
        doc = tx.get(KIND, view.scope(), server_id)
        state = _state(tx, server_id) if doc is not None else {}
    if doc is None:
        return view.missing(f"No MCP server {server_id} in this workspace.")
    data = doc.data
    who = " ".join(str(state[k]) for k in ("server_name", "server_version") if state.get(k))
    fields = [
        ("Name", data.get("name")),
        ("Description", data.get("description") or ""),
        ("URL", redact_url(str(data.get("url", "")))),
        ("Transport", data.get("transport")),
        ("Status", _status(view, state["status"])),
        ("Tools", state["tool_count"]),
        ("Last refresh", state.get("refreshed_at") or "never"),
        ("Last probe", state.get("checked_at") or "never"),
        ("Last error", state.get("last_error") or "none"),
        ("Server", who),
        ("Protocol version", state.get("protocol_version") or ""),
        ("Version", doc.version),
        ("Created", doc.created_at),
        ("Updated", doc.updated_at),
    ]
    refresh_form = view.form(
        view.field("timeout_s", "Timeout (seconds)", f"{DEFAULT_REFRESH_TIMEOUT_S:g}", size=5),
        "Refresh tools",
        action="refresh",
        values={"id": doc.id},
    )
    return (
        view.section(view.detail(f"MCP server {doc.id}", fields))
        + view.section(
            "<h2>Refresh</h2><p>Connect to the server with MCP and store the tools it lists.</p>",
            refresh_form,
        )
        + view.section(_tools(view, doc.id))
    )


def _timeout(text: str) -> float:
    try:
        timeout = float(text or DEFAULT_REFRESH_TIMEOUT_S)
    except ValueError:
        raise ValueError(f"The timeout must be a number of seconds, not {text!r}.") from None
    if not 0 < timeout <= MAX_REFRESH_TIMEOUT_S:
        raise ValueError(f"The timeout must be above 0 and at most {MAX_REFRESH_TIMEOUT_S:g} s.")
    return timeout


def refresh(view: View, form: dict[str, str]) -> str:
    """Refresh one server of the chosen workspace as ``POST …/refresh`` does: probe it
    outside any transaction, then store its tools, or the failure while the server is
    still the one probed."""
    if form.get("action") != "refresh":
        raise ValueError(f"Unknown action {form.get('action', '')!r}.")
    if not view.scope():
        raise ValueError("Choose an org and a workspace first.")
    server_id = form.get("id", "")
    timeout = _timeout(form.get("timeout_s", "").strip())
    with view.store.transaction(write=False) as tx:
        doc = tx.get(KIND, view.scope(), server_id)
    if doc is None:
        raise ValueError(f"No MCP server {server_id!r} in this workspace.")
    try:
        found = refresh_tools(view.store, doc, timeout)
    except ProbeError as failure:
        raise ValueError(f"The refresh failed: {failure.message}") from None
    except ServerChanged:
        raise ValueError(
            "The server was deleted, or its URL or transport changed, during the refresh; "
            "refresh it again."
        ) from None
    count = len(found.tools)
    return f"Refreshed {doc.data.get('name', doc.id)}: {count} tool{'' if count == 1 else 's'}."


def install(console: Console) -> None:
    """Add the "MCP servers" panel to ``console``."""

    def render(view: View) -> str:
        if not view.scope():
            return view.needs_workspace("MCP servers")
        server_id = view.arg("id")
        if server_id:
            back = view.link(view.url(), "All MCP servers")
            return f"<p>{back}</p>" + _detail(view, server_id)
        return _listing(view)

    console.panel("mcp", "MCP servers", render, action=refresh)
