"""The "Connectors" panel of the local platform's web console (``flow local console``).

It shows the connector instances the chosen workspace can use (its own and its
org's; paged: name, connector, target, status, last DDL, created) and, at
``?id=``, one instance with its DDL audit log (time, statements, who, reason,
outcome), newest first, paged. Secrets never reach a page: the secrets table is
not read, a DSN is shown with any password masked, and a secret field shows
only that it is stored. Imported inside the ``flow_sdk_local_console_panels``
hook only.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from flow_sdk_local.console import PAGE_SIZE, Markup, View

from . import _storage as storage
from ._catalog import CONNECTORS

if TYPE_CHECKING:
    from flow_sdk_local.console import Console

__all__ = ["install", "masked_dsn", "shown_config"]

MASK = "••••"
SQL_CHARS = 4000
"""An audit record's statements are cut after this many characters."""
e = html.escape


def install(console: Console) -> None:
    """Add the "Connectors" panel to ``console``."""
    console.panel("connectors", "Connectors", render)


def render(view: View) -> str:
    """The instances, or one instance and its audit log at ``?id=``."""
    if not view.scope():
        return view.needs_workspace("connector instances")
    instance_id = view.arg("id")
    return detail(view, instance_id) if instance_id else listing(view)


def masked_dsn(dsn: str) -> str:
    """The DSN with any password (in the user info or ``?password=``) replaced by a mask;
    text that is no URL is masked whole (it could hold anything)."""
    try:
        parts = urlsplit(dsn)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return MASK
    if not parts.scheme or not host:
        return MASK
    netloc = ""
    if parts.username:
        netloc = parts.username + (f":{MASK}" if parts.password is not None else "") + "@"
    netloc += f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    query = "&".join(
        f"{quote(k, safe='')}={MASK if k.lower() == 'password' else quote(v, safe='')}"
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def shown_config(row: storage.InstanceRow) -> list[tuple[str, str]]:
    """The config as ``(field, text)`` pairs safe to show: secret fields masked, a DSN
    without its password."""
    kind = CONNECTORS.get(row.connector_key)
    secret = {*row.secret_fields, *(kind.secret_fields if kind else ()), "password"}
    shown = []
    for key, value in sorted(row.config.items()):
        if key in secret:
            shown.append((key, MASK))
        elif key == "dsn":
            shown.append((key, masked_dsn(str(value))))
        else:
            shown.append((key, str(value)))
    return shown


def _target(row: storage.InstanceRow) -> str:
    """Where the instance points, in one line (a masked DSN or a file path)."""
    config = dict(shown_config(row))
    return config.get("dsn") or config.get("path") or ""


def _status(row: storage.InstanceRow) -> Markup:
    kind = CONNECTORS.get(row.connector_key)
    if kind is None:
        return View.badge("unknown connector", "bad")
    reason = kind.availability()
    if reason is None:
        return View.badge("ready", "ok")
    return View.badge("driver missing", "bad", title=reason)


def _outcome(status: str | None) -> Markup | str:
    if status is None:
        return ""
    return View.status(status)


def _after(view: View) -> int:
    cursor = view.arg("cursor")
    return int(cursor) if cursor.isdigit() and len(cursor) <= 18 else 0  # else: from the start


def _usable(view: View, row: storage.InstanceRow) -> bool:
    """Whether the chosen workspace may use the instance (its own, or its org's)."""
    if row.org_id != view.org_id:
        return False
    own = (row.scope_type, row.scope_id) == ("workspace", view.workspace_id)
    return own or (row.scope_type, row.scope_id) == ("org", view.org_id)


_USABLE = (
    "SELECT id, seq FROM connector_instances WHERE org_id = :org AND scope_type = 'workspace' "
    "AND scope_id = :ws AND seq > :after "
    "UNION ALL SELECT id, seq FROM connector_instances WHERE org_id = :org "
    "AND scope_type = 'org' AND scope_id = :org AND seq > :after ORDER BY seq LIMIT :limit"
)
"""The workspace's instances and its org's, after a seq: each branch one range of the
scope index, merged in seq order."""


def listing(view: View) -> str:
    """The instances the workspace can use, one page (keyset on ``seq``)."""
    scope = {"org": view.org_id, "ws": view.workspace_id}
    with view.store.transaction(write=False) as tx:
        params = {**scope, "after": _after(view), "limit": PAGE_SIZE + 1}
        found = tx.execute(_USABLE, params).fetchall()
        rows = [storage.get_instance(tx, i) for i, _seq in found[:PAGE_SIZE]]
        last_ddl = {
            r.id: tx.execute(
                "SELECT status FROM connector_ddl_audit WHERE instance_id = ? "
                "ORDER BY seq DESC LIMIT 1",
                (r.id,),
            ).fetchone()
            for r in rows
            if r is not None
        }
    shown = [r for r in rows if r is not None]
    table_rows = [
        (
            view.link(view.url(id=r.id), r.name),
            _connector_name(r.connector_key),
            _target(r),
            _status(r),
            _outcome(last_ddl[r.id][0] if last_ddl[r.id] else None),
            r.created_at,
        )
        for r in shown
    ]
    next_cursor = str(shown[-1].seq) if len(found) > PAGE_SIZE and shown else ""
    table = view.table(
        "Connector instances",
        ("Name", "Connector", "Target", "Status", "Last DDL", "Created"),
        table_rows,
        next_cursor,
        empty="No connector instances in this workspace or its org.",
    )
    return view.section(table)


def _connector_name(key: str) -> str:
    kind = CONNECTORS.get(key)
    return f"{kind.name} ({key})" if kind else key


def detail(view: View, instance_id: str) -> str:
    """One instance (never its secrets) and its DDL audit log."""
    with view.store.transaction(write=False) as tx:
        row = storage.get_instance(tx, instance_id)
    if row is None or not _usable(view, row):
        return view.missing(f"No connector instance {instance_id} in this workspace.")
    secrets = ", ".join(row.secret_fields) or "none"
    back = f'<p><a href="{e(view.url())}" id="all-instances">← All instances</a></p>'
    fields: list[tuple[str, Any]] = [
        ("Id", row.id),
        ("Connector", _connector_name(row.connector_key)),
        ("Scope", f"{row.scope_type} {row.scope_id}"),
        ("Description", row.description),
        *((f"Config: {k}", v) for k, v in shown_config(row)),
        ("Secrets", f"{secrets} (stored apart, never shown)" if row.secret_fields else secrets),
        ("Status", _status(row)),
        ("Version", row.version),
        ("Created by", row.created_by or ""),
        ("Created", row.created_at),
        ("Updated", row.updated_at),
    ]
    out = view.section(back, view.detail(f"Instance {row.name}", fields))
    return out + view.section(audit_table(view, row.id))


def audit_table(view: View, instance_id: str) -> str:
    """The instance's DDL audit, newest first, older than the ``?cursor`` seq."""
    names: dict[str, str] = {}
    with view.store.transaction(write=False) as tx:
        records = storage.list_audit(tx, instance_id, before=_after(view), limit=PAGE_SIZE + 1)
        for actor in {r.actor for r in records[:PAGE_SIZE]}:
            user = tx.get("user", "", actor)
            name = str(user.data.get("name") or "") if user is not None else ""
            names[actor] = f"{name} ({actor})" if name else actor
    page = records[:PAGE_SIZE]
    rows = [
        (
            r.created_at,
            _statements(r.statements),
            names.get(r.actor, r.actor),
            r.reason or "",
            _outcome_with_error(r.status, r.error),
        )
        for r in page
    ]
    next_cursor = str(page[-1].seq) if len(records) > PAGE_SIZE else ""
    return view.table(
        "DDL audit",
        ("Time", "Statements", "Who", "Reason", "Outcome"),
        rows,
        next_cursor,
        empty="No DDL was run through this instance.",
    )


def _statements(statements: list[dict[str, Any]]) -> Markup:
    text = "\n".join(f"{str(s.get('sql', '')).rstrip(';')};" for s in statements)
    if len(text) > SQL_CHARS:
        text = text[:SQL_CHARS] + "\n…"
    return Markup(View.code(text))


def _outcome_with_error(status: str, error: str | None) -> Markup:
    badge = _outcome(status)
    return Markup(f"{badge} {e(error)}" if error else str(badge))
