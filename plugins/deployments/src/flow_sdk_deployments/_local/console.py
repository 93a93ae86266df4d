"""The "Deployments" panel of the local web console (``flow local console``).

Imported inside the ``flow_sdk_local_console_panels`` hook only. For the chosen
workspace it shows what runs where (the rings in their order, each with the
deployments in it), every component or workflow deployment (paged, filtered by
ring and status), and one deployment with its history as a table and a timeline.
Its forms promote a deployment to the next ring and roll one back (with a reason, if
given) with the functions the ``…/promote`` and ``…/rollback`` routes call, so the
console follows the API's rules (and its refusals) instead of restating them. The
history records these as done by ``"local console"``.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec
from flow_sdk_local import Document, HTTPError
from flow_sdk_local.console import Markup, Span, View

from ..models import DEPLOYMENT_STATUSES
from .bodies import MAX_REASON_LENGTH, DeploymentAction
from .catalog import load_component
from .deployments import FLAVOURS, promote_deployment, rollback_deployment
from .kinds import RING_KIND

if TYPE_CHECKING:
    from flow_sdk_local.console import Console

__all__ = ["install"]

SLUG = "deployments"
#: "component" / "workflow" → its store kind.
FLAVOUR_OF = {("workflow" if f.workflow else "component"): f.kind for f in FLAVOURS}
PAGE = 20
RINGS_PER_PAGE = 10
"""Rings shown at once in "What runs where" (each with up to PER_RING deployments)."""
PER_RING = 10
MAX_RINGS = 1000
"""The rings read from a workspace (the routes read them all to order them; so do we)."""
TIMELINE_EVENTS = 20
BY = "local console"
"""Who the history says acted, for what this panel does."""
_HINTS = {
    "last_ring": "Add a ring after it to promote further.",
    "deployment_not_active": "Reload this page once it is active.",
    "nothing_to_roll_back": "Deploy another version to this ring first.",
}
"""What to do next, added to the API's refusal (by its code)."""


def install(console: Console) -> None:
    """Add the "Deployments" panel to ``console``."""
    console.panel(SLUG, "Deployments", render, action=act)


# reading


def _rings(view: View) -> list[Any]:
    """The workspace's rings in their order."""
    with view.store.transaction(write=False) as tx:
        rings = tx.list(RING_KIND, view.scope(), limit=MAX_RINGS)
    return sorted(rings, key=lambda ring: int(ring.data["order"]))


def _find(view: View, deployment_id: str) -> tuple[str, Any] | None:
    """``(flavour, document)`` of a deployment of the chosen workspace, or None."""
    with view.store.transaction(write=False) as tx:
        for flavour, kind in FLAVOUR_OF.items():
            doc = tx.get(kind, view.scope(), deployment_id) if deployment_id else None
            if doc is not None:
                return flavour, doc
    return None


def _number(text: str) -> int | None:
    """A whole number from the query (a cursor) that SQLite can hold, or None."""
    try:
        return int(text) if text.isascii() and len(text) < 19 else None
    except ValueError:
        return None


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _since(doc: Any) -> str:
    """When the deployment's current version arrived in its ring."""
    history = doc.data.get("history") or []
    return View.when(history[-1]["at"] if history else doc.updated_at)


def _status(view: View, status: str) -> Markup:
    if status == "active":
        return view.badge(status, "ok")
    if status == "failed":
        return view.badge(status, "bad")
    return view.badge(status)


def _component(view: View, doc: Any, names: dict[tuple[str, str], str]) -> Any:
    """The deployed component's name and id, linked to it when the Components panel is there."""
    ctype, cid = doc.data["component_type"], doc.data["component_id"]
    name = names.get((ctype, cid))
    text = f"{name} ({ctype} {cid})" if name else f"{ctype} {cid}"
    if "components" in view.console.panels:
        return view.link(view.url("components", type=ctype, id=cid), text)
    return text


def _names(view: View, docs: list[Any]) -> dict[tuple[str, str], str]:
    """The current names of the components ``docs`` deploy (one read per component)."""
    wanted = {(d.data["component_type"], d.data["component_id"]) for d in docs}
    names = {}
    with view.store.transaction(write=False) as tx:
        for ctype, cid in wanted:
            component = load_component(tx, view.scope(), ctype, cid)
            if component is not None:
                names[(ctype, cid)] = str(component.data.get("name", ""))
    return names


def _sub(table: str) -> str:
    """A ``View.table`` under its section's heading: its caption becomes an ``<h3>``."""
    if table.startswith("<h2>"):
        head, _, rest = table[4:].partition("</h2>")
        return f"<h3>{head}</h3>{rest}"
    return table


def _ring_name(rings: dict[str, Any], ring_id: str) -> str:
    ring = rings.get(ring_id)
    return f"{ring.data['name']} ({ring_id})" if ring is not None else ring_id


# pages


def render(view: View) -> str:
    """The panel: one deployment at ``?id=``, else what runs where and the list."""
    if not view.scope():
        return view.needs_workspace("rings and deployments")
    rings = _rings(view)
    deployment_id = view.arg("id")
    if deployment_id:
        return _detail(view, deployment_id, rings)
    return _where(view, rings) + _listing(view, rings)


def _where(view: View, rings: list[Any]) -> str:
    """Each ring in its order with the deployments in it (paged by ring order)."""
    start = _number(view.arg("rings"))
    shown = [r for r in rings if start is None or int(r.data["order"]) > start]
    page, more = shown[:RINGS_PER_PAGE], len(shown) > RINGS_PER_PAGE
    out = "<section><h2>What runs where</h2>"
    if not rings:
        return out + '<p class="muted" id="no-rings">No rings in this workspace yet.</p></section>'
    for ring in page:
        found: list[Any] = []
        with view.store.transaction(write=False) as tx:
            for kind in FLAVOUR_OF.values():
                where = {"ring_id": ring.id}
                found += tx.list(kind, view.scope(), where=where, limit=PER_RING + 1)
        found.sort(key=lambda doc: doc.seq)
        names = _names(view, found[:PER_RING])
        rows = [
            (
                _component(view, doc, names),
                f"v{doc.data['component_version']}",
                view.link(view.url(id=doc.id), doc.id),
                _status(view, doc.data["status"]),
                _since(doc),
            )
            for doc in found[:PER_RING]
        ]
        data = ring.data
        out += f'<div id="ring-{html.escape(ring.id)}">' + _sub(
            view.table(
                f"{data['name']} · order {data['order']} · {data['traffic_percent']} % of traffic",
                ("Component", "Version", "Deployment", "Status", "Since"),
                rows,
                empty="Nothing is deployed in this ring.",
            )
        )
        if len(found) > PER_RING:
            name = data["name"]
            links = (
                view.link(view.url(kind=f, ring=ring.id), f"Every {f} deployment in {name} →")
                for f in FLAVOUR_OF
            )
            out += "".join(f'<p class="pager">{a}</p>' for a in links)
        out += "</div>"
    if more:
        href = html.escape(view.here(rings=str(page[-1].data["order"])))
        out += f'<p class="pager"><a rel="next" id="next-rings" href="{href}">More rings →</a></p>'
    return out + "</section>"


def _listing(view: View, rings: list[Any]) -> str:
    """The deployments of one flavour, filtered by ring and status, oldest first."""
    flavour = view.arg("kind") if view.arg("kind") in FLAVOUR_OF else "component"
    ring_id, status = view.arg("ring"), view.arg("status")
    where = {k: v for k, v in (("ring_id", ring_id), ("status", status)) if v}
    after = max(_number(view.arg("cursor")) or 0, 0)
    with view.store.transaction(write=False) as tx:
        docs = tx.list(FLAVOUR_OF[flavour], view.scope(), where=where, after=after, limit=PAGE + 1)
    page = docs[:PAGE]
    next_cursor = str(page[-1].seq) if len(docs) > PAGE else ""
    by_id = {r.id: r for r in rings}
    names = _names(view, page)
    rows = [
        (
            view.link(view.url(id=doc.id), doc.id),
            _component(view, doc, names),
            f"v{doc.data['component_version']}",
            _ring_name(by_id, doc.data["ring_id"]),
            _status(view, doc.data["status"]),
            _since(doc),
        )
        for doc in page
    ]
    filters = view.get_form(
        "Filter deployments",
        view.select(
            "kind", "Kind", [("component", "Components"), ("workflow", "Workflows")], flavour
        )
        + view.select(
            "ring", "Ring", [("", "All rings"), *((r.id, r.data["name"]) for r in rings)], ring_id
        )
        + view.select("status", "Status", [("", "Any status"), *DEPLOYMENT_STATUSES], status),
        "Filter",
        button_id="filter",
    )
    table = _sub(
        view.table(
            f"{flavour.capitalize()} deployments",
            ("Deployment", "Component", "Version", "Ring", "Status", "Since"),
            rows,
            next_cursor,
            empty=f"No {flavour} deployment matches.",
        )
    )
    return view.section("<h2>Deployments</h2>", filters, table)


def _detail(view: View, deployment_id: str, rings: list[Any]) -> str:
    """One deployment: its fields, what can be done with it, and its history."""
    found = _find(view, deployment_id)
    if found is None:
        return view.missing(f"No deployment {deployment_id} in this workspace.")
    flavour, doc = found
    data, by_id = doc.data, {r.id: r for r in rings}
    later = [r for r in rings if int(r.data["order"]) > _order(by_id, doc)]
    stack = list(data.get("stack") or [])
    back = view.link(view.url(), "← All deployments")
    out = view.section(
        f"<p>{back}</p>",
        view.detail(
            f"Deployment {doc.id}",
            [
                ("Kind", f"{flavour} deployment"),
                ("Component", _component(view, doc, _names(view, [doc]))),
                ("Version", f"v{data['component_version']}"),
                ("Ring", _ring_name(by_id, data["ring_id"])),
                ("Status", _status(view, data["status"])),
                *([("Error", data["error"])] if data.get("error") else []),
                ("Can roll back to", ", ".join(f"v{n}" for n in stack[-2::-1]) or "nothing"),
                ("Since", _since(doc)),
                ("Created", View.when(doc.created_at)),
            ],
        ),
    )
    out += _actions(view, doc, later[0] if later else None, stack)
    return out + _elsewhere(view, flavour, doc, by_id) + _history(view, doc)


def _order(rings: dict[str, Any], doc: Any) -> int:
    ring = rings.get(doc.data["ring_id"])
    return int(ring.data["order"]) if ring is not None else 0


def _actions(view: View, doc: Any, target: Any, stack: list[int]) -> str:
    """Promote (when a ring follows) and roll back (when there is a version to go back to)."""
    keep = {"id": doc.id}
    if target is not None:
        promote = view.form(
            "",
            f"Promote v{doc.data['component_version']} to {target.data['name']}",
            action="promote",
            values=keep,
        )
    else:
        promote = (
            '<p class="muted" id="last-ring">This is the last ring: nothing to promote to.</p>'
        )
    if len(stack) >= 2:
        rollback = view.form(
            '<label class="check"><input type="checkbox" name="confirm" value="rollback" '
            f'id="rollback-confirm" required>Put v{stack[-2]} back in place of '
            f"v{stack[-1]}</label>" + view.field("reason", "Reason (optional)", size=40),
            f"Roll back to v{stack[-2]}",
            action="rollback",
            danger=True,
            values=keep,
        )
    else:
        rollback = (
            '<p class="muted" id="no-rollback">This ring has had no other version: '
            "nothing to roll back to.</p>"
        )
    return view.section("<h2>Promote</h2>", promote) + view.section("<h2>Roll back</h2>", rollback)


def _elsewhere(view: View, flavour: str, doc: Any, rings: dict[str, Any]) -> str:
    """The same component's deployments in every ring (one per ring), in ring order."""
    where = {k: doc.data[k] for k in ("component_type", "component_id")}
    with view.store.transaction(write=False) as tx:
        docs = tx.list(FLAVOUR_OF[flavour], view.scope(), where=where, limit=MAX_RINGS)
    docs.sort(key=lambda d: _order(rings, d))
    rows = [
        (
            _ring_name(rings, d.data["ring_id"]),
            f"v{d.data['component_version']}",
            d.id if d.id == doc.id else view.link(view.url(id=d.id), d.id),
            _status(view, d.data["status"]),
            _since(d),
        )
        for d in docs
    ]
    return view.section(
        view.table(
            "This component in every ring",
            ("Ring", "Version", "Deployment", "Status", "Since"),
            rows,
        )
    )


def _history(view: View, doc: Any) -> str:
    """The deployment's events, newest first (paged), and the timeline of its versions."""
    events = list(doc.data.get("history") or [])
    start = max(_number(view.arg("cursor")) or 0, 0)
    newest = events[::-1][start : start + PAGE]
    more = len(events) > start + PAGE
    words = {"deploy": "deployed", "promote": "promoted in", "rollback": "rolled back"}
    rows = [
        (
            View.when(event["at"]),
            words.get(event["action"], event["action"]),
            f"v{event['from_version']}" if event.get("from_version") is not None else "",
            f"v{event['component_version']}",
            event.get("by") or "",
            event.get("reason") or "",
        )
        for event in newest
    ]
    table = view.table(
        "History",
        ("When", "What", "From version", "To version", "By", "Reason"),
        rows,
        str(start + PAGE) if more else "",
        empty="No event recorded.",
    )
    return view.section(table) + view.section(_timeline(view, doc, events))


def _timeline(view: View, doc: Any, events: list[dict[str, Any]]) -> str:
    """How long each version stayed in the ring: a rolled-back one in red, the current
    one in its status's colour, up to now."""
    recent = events[-TIMELINE_EVENTS:]
    now = view.platform.clock.now()
    spans = []
    for index, event in enumerate(recent):
        following = recent[index + 1] if index + 1 < len(recent) else None
        start = _epoch(event["at"])
        if following is None:
            end, status = max(now, start), doc.data["status"]
        else:
            end = _epoch(following["at"])
            status = "rolled_back" if following["action"] == "rollback" else "replaced"
        label = f"v{event['component_version']} {event['action']}"
        spans.append(Span(label, start, end, status))
    return view.timeline("Versions in this ring over time", spans)


# actions


def act(view: View, form: dict[str, str]) -> str:
    """Promote or roll back a deployment of the chosen workspace, as the API would."""
    verb = form.get("action", "")
    if verb not in ("promote", "rollback"):
        raise ValueError(f"unknown action {verb!r}")
    if not view.scope():
        raise ValueError("Choose an org and a workspace first.")
    deployment_id = form.get("id", "")
    found = _find(view, deployment_id)
    if found is None:
        raise ValueError(
            f"No deployment {deployment_id!r} in this workspace: choose one from the list."
        )
    if verb == "rollback" and form.get("confirm") != "rollback":
        raise ValueError("Tick the box to confirm the rollback: it changes what the ring runs.")
    flavour, doc = found
    result = _call(view, flavour, doc.id, verb, _reason(form))
    version, status = result.data["component_version"], result.data["status"]
    if verb == "promote":
        ring = _ring_name({r.id: r for r in _rings(view)}, result.data["ring_id"])
        return (
            f"Promoted {doc.data['component_type']} {doc.data['component_id']} v{version} "
            f"to ring {ring}: deployment {result.id} is {status}."
        )
    return f"Rolled back deployment {doc.id} to v{version}: it is {status}."


def _reason(form: dict[str, str]) -> str | None:
    """The form's reason (None when left empty), checked as the API checks it."""
    reason = form.get("reason", "")
    if not reason:
        return None
    try:
        return msgspec.convert({"reason": reason}, DeploymentAction).reason
    except msgspec.ValidationError:
        raise ValueError(
            f"The reason must be at most {MAX_REASON_LENGTH} characters, without control "
            "characters such as tab or newline."
        ) from None


def _call(view: View, flavour: str, deployment_id: str, verb: str, reason: str | None) -> Document:
    """Promote or roll back with the API's own functions, in one transaction as the route
    would, recorded as done by the local console; a refusal becomes a ``ValueError``
    saying what to do."""
    kind, scope = FLAVOUR_OF[flavour], view.scope()
    app = view.console.app
    try:
        with view.store.transaction():
            if verb == "promote":
                return promote_deployment(app, kind, scope, deployment_id, by=BY, reason=reason)[0]
            return rollback_deployment(app, kind, scope, deployment_id, by=BY, reason=reason)
    except HTTPError as refused:
        detail = refused.detail
        text = (
            detail
            if isinstance(detail, str)
            else "; ".join(f"{'.'.join(map(str, f.loc))}: {f.msg}" for f in detail)
        )
        hint = _HINTS.get(refused.code, "")
        sentence = f"{text[:1].upper()}{text[1:]}".rstrip(".") + "."
        raise ValueError(f"{sentence} {hint}".strip()) from None
