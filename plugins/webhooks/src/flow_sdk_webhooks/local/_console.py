"""The "Webhooks" panel of the local console: the workspace's webhooks (paged, with each
one's last delivery), a webhook with its deliveries (newest first, paged), and one
delivery: its payload, the headers sent (signature included), every attempt, and a
"Redeliver" button that queues the same event again.

Imported inside the ``flow_sdk_local_console_panels`` hook only. The signing secret
is read to recompute a sent signature, and never shown.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from flow_sdk_local.console import PAGE_SIZE, Markup

from ._engine import WEBHOOK_KIND
from ._routes import engine_of

if TYPE_CHECKING:
    from flow_sdk_local.console import Console, View

__all__ = ["install"]

SLUG = "webhooks"
_e = html.escape
VERIFY_CALL = "flow_sdk_webhooks.verify_signature(raw_body, request.headers, secret)"
VERIFY_HELP = (
    ": it raises WebhookSignatureError unless the body is unchanged and was signed with "
    "this webhook's secret within the last 5 minutes."
)
_NOT_SENT = ("the webhook was deleted", "the webhook is inactive")
"""The errors of an attempt the engine made without sending anything."""


def install(console: Console) -> None:
    """Add the "Webhooks" panel to ``console``."""
    console.panel(SLUG, "Webhooks", render, action=act)


def render(view: View) -> str:
    """The list, a webhook (``?id=``) or one of its deliveries (``&delivery=``)."""
    if not view.scope():
        return view.needs_workspace("webhooks")
    webhook_id = view.arg("id")
    if not webhook_id:
        return _listing(view)
    with view.store.transaction(write=False) as tx:
        doc = tx.get(WEBHOOK_KIND, view.scope(), webhook_id)
    if doc is None:
        return view.missing(f"No webhook {webhook_id} in this workspace.")
    back = f'<p><a href="{_e(view.url())}">← All webhooks</a></p>'
    delivery_id = view.arg("delivery")
    if delivery_id:
        return back + _delivery(view, doc, delivery_id)
    return back + _webhook(view, doc)


def act(view: View, form: dict[str, str]) -> str:
    """Redeliver: queue the delivery's event again, as a new delivery to the same webhook."""
    if form.get("action") != "redeliver":
        raise ValueError(f"unknown action {form.get('action', '')!r}")
    scope, webhook_id, delivery_id = view.scope(), view.arg("id"), form.get("delivery", "")
    if not scope or not webhook_id or not delivery_id:
        raise ValueError("Choose a workspace, a webhook and one of its deliveries to redeliver.")
    engine = engine_of(view.platform)
    with view.store.transaction() as tx:
        doc = tx.get(WEBHOOK_KIND, scope, webhook_id)
        if doc is None:
            raise ValueError(f"No webhook {webhook_id} in this workspace.")
        if not doc.data.get("active", True):
            raise ValueError(
                f"Webhook {doc.id} is disabled: enable it first "
                f"(flow webhooks update {doc.id} --set active=true)."
            )
        queued = engine.redeliver(tx, doc, delivery_id)
        if queued is None:
            raise ValueError(f"Webhook {doc.id} has no delivery {delivery_id}.")
    engine.wake()
    return (
        f"Queued delivery {queued['id']}: event {queued['event_type']} ({queued['event_id']}) "
        f"to {doc.data.get('url', '')} again."
    )


# pages


def _listing(view: View) -> str:
    docs, cursor = view.page(WEBHOOK_KIND, view.scope())
    with view.store.transaction(write=False) as tx:
        last = _last_deliveries(tx, [d.id for d in docs])
    rows = []
    for doc in docs:
        status, code = last.get(doc.id, ("", None))
        rows.append(
            (
                view.link(view.url(id=doc.id), doc.data.get("url", doc.id)),
                ", ".join(doc.data.get("events", ())),
                "yes" if doc.data.get("active", True) else "no",
                doc.created_at,
                _badge(view, status, code) if status else "none yet",
            )
        )
    table = view.table(
        "Webhooks",
        ("URL", "Events", "Enabled", "Created", "Last delivery"),
        rows,
        cursor,
        empty="No webhooks in this workspace: create one with flow webhooks create.",
    )
    return view.section(table)


def _webhook(view: View, doc: Any) -> str:
    data = doc.data
    fields = [
        ("Id", doc.id),
        ("URL", data.get("url")),
        ("Events", ", ".join(data.get("events", ()))),
        ("Enabled", "yes" if data.get("active", True) else "no"),
        ("Description", data.get("description") or ""),
        ("Signing secret", "shown once, when the webhook was created"),
        ("Version", doc.version),
        ("Created", doc.created_at),
        ("Updated", doc.updated_at),
    ]
    cursor = view.arg("cursor")
    before = int(cursor) if cursor.isdigit() else 0
    with view.store.transaction(write=False) as tx:
        found = engine_of(view.platform).page(tx, doc.id, before=before, limit=PAGE_SIZE + 1)
    page = found[:PAGE_SIZE]
    more = len(found) > PAGE_SIZE and page
    rows = [
        (
            view.link(view.url(id=doc.id, delivery=item["id"]), item["id"]),
            item["event_type"],
            _badge(view, item["status"]),
            item["attempts"],
            "" if item["response_code"] is None else item["response_code"],
            item["created_at"],
        )
        for _seq, item in page
    ]
    table = view.table(
        "Deliveries",
        ("Delivery", "Event", "Status", "Attempts", "Last code", "Time"),
        rows,
        str(page[-1][0]) if more else "",
        empty="No deliveries yet: events this webhook subscribes to will appear here.",
    )
    return view.section(view.detail(f"Webhook {doc.id}", fields)) + view.section(table)


def _delivery(view: View, doc: Any, delivery_id: str) -> str:
    engine = engine_of(view.platform)
    with view.store.transaction(write=False) as tx:
        item = engine.get(tx, doc.id, delivery_id)
        row = tx.execute(
            "SELECT payload FROM webhook_deliveries WHERE id = ? AND webhook_id = ?",
            (delivery_id, doc.id),
        ).fetchone()
    if item is None or row is None:
        return view.missing(f"Webhook {doc.id} has no delivery {delivery_id}.")
    payload = bytes(row[0])
    fields = [
        ("Id", item["id"]),
        ("Webhook", view.link(view.url(id=doc.id), doc.id)),
        ("Event", f"{item['event_type']} ({item['event_id']})"),
        ("Status", _badge(view, item["status"])),
        ("Attempts", item["attempts"]),
        ("Last status code", "" if item["response_code"] is None else item["response_code"]),
        ("Error", item["error"] or "—"),
        ("Queued", item["created_at"]),
        ("Last attempt", item["last_attempt_at"] or "—"),
        ("Next attempt", item["next_attempt_at"] or "—"),
    ]
    redeliver = view.form(
        "",
        "Redeliver",
        action="redeliver",
        values={"delivery": item["id"]},
    )
    out = view.section(
        view.detail(f"Delivery {item['id']}", fields),
        '<p class="muted">Redeliver queues the same event (same id and body) as a new '
        "delivery to this webhook.</p>",
        redeliver,
    )
    out += view.section(
        "<h2>Payload</h2>",
        f'<p class="muted">Sent as compact JSON ({len(payload)} bytes); the signature '
        "covers those exact bytes.</p>",
        _payload(view, payload),
    )
    out += view.section(_headers(view, doc, item, payload))
    return out + view.section(_attempts(view, item["history"]))


def _payload(view: View, payload: bytes) -> str:
    try:
        return view.code(json.loads(payload))
    except ValueError:
        return view.code(payload.decode("utf-8", "replace"))


def _headers(view: View, doc: Any, item: dict[str, Any], payload: bytes) -> str:
    sent = [a for a in item["history"] if a.get("error") not in _NOT_SENT]
    if not sent:
        return '<h2>Request headers</h2><p class="muted" id="no-headers">Not sent yet.</p>'
    attempt = sent[-1]
    headers = list((attempt.get("request_headers") or {}).items())
    if not headers:
        return '<h2>Request headers</h2><p class="muted" id="no-headers">Not recorded.</p>'
    return (
        view.detail(f"Request headers (attempt {attempt['number']})", headers)
        + f'<p class="muted" id="verify-help">Check it in your receiver with '
        f"<code>{_e(VERIFY_CALL)}</code>{_e(VERIFY_HELP)}</p>"
    )


def _attempts(view: View, history: list[dict[str, Any]]) -> str:
    excerpts = any(a.get("response_body") for a in history)
    columns = ["#", "Started", "Status code", "Duration", "Error"]
    if excerpts:
        columns.append("Response body (excerpt)")
    rows = []
    for attempt in reversed(history):
        code = attempt.get("response_code")
        cells: list[Any] = [
            attempt.get("number"),
            attempt.get("started_at"),
            _badge(view, str(code), code) if code is not None else "no response",
            f"{float(attempt.get('duration_ms') or 0):.1f} ms",
            attempt.get("error") or "",
        ]
        if excerpts:
            cells.append(Markup(view.code(str(attempt.get("response_body") or ""))))
        rows.append(cells)
    return view.table("Attempts", columns, rows, empty="No attempt yet: it is queued.")


# helpers


def _last_deliveries(tx: Any, webhook_ids: list[str]) -> dict[str, tuple[str, int | None]]:
    """Each webhook's newest delivery (status, code), one indexed query for the page."""
    if not webhook_ids:
        return {}
    marks = ",".join("?" * len(webhook_ids))
    rows = tx.execute(
        "SELECT webhook_id, status, response_code FROM webhook_deliveries WHERE seq IN "  # noqa: S608
        f"(SELECT MAX(seq) FROM webhook_deliveries WHERE webhook_id IN ({marks}) "
        "GROUP BY webhook_id)",
        webhook_ids,
    ).fetchall()
    return {webhook_id: (status, code) for webhook_id, status, code in rows}


def _badge(view: View, status: str, code: int | None = None) -> Markup:
    tone: Literal["ok", "bad", ""] = ""
    if status == "succeeded" or (code is not None and 200 <= code < 300):
        tone = "ok"
    elif status in ("failed", "retrying") or code is not None:
        tone = "bad"
    text = status if code is None or status == str(code) else f"{status} ({code})"
    return view.badge(text, tone)


def _epoch(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()
