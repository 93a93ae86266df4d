"""The "Policies" panel of the local platform's web console (``flow local console``).

Shows the access policies of the chosen workspace (paged, filtered by effect),
one policy with its rules as code and its stored versions, and answers "would this
be allowed?" for a principal, action and resource: the decision comes from the
platform's own loader and :func:`evaluate` (what ``POST …/policies/evaluate``
answers), with the policies and the patterns that decided it. Imported inside the
``flow_sdk_local_console_panels`` hook only, so nothing here loads unless a local
platform is built. Policies are enabled by existing (there is no switch to turn
one off), so the panel changes nothing.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from .._evaluation import Decision, evaluate, glob_match
from .._models import EvaluateRequest
from ._enforce import KIND, load_policies

if TYPE_CHECKING:
    from flow_sdk_local.console import Console, View

__all__ = ["install", "refusal"]

PAGE = 20
VERSIONS_SHOWN = 50
SHOWN_PATTERNS = 3
"""Patterns of each list a row of the table names (the detail shows them all)."""
EFFECTS = (("", "Any effect"), ("allow", "allow"), ("deny", "deny"))
e = html.escape


def install(console: Console) -> None:
    """Add the "Policies" panel to ``console``."""
    console.panel("policies", "Policies", render)


def render(view: View) -> str:
    """The panel: a policy's detail (``?id=``), the evaluator, and the policy list."""
    scope = view.scope()
    if not scope:
        return view.needs_workspace("access policies")
    out = detail(view, scope, view.arg("id")) if view.arg("id") else ""
    return out + evaluator(view, scope) + listing(view, scope)


def _patterns(values: Sequence[str]) -> str:
    shown = ", ".join(values[:SHOWN_PATTERNS])
    more = len(values) - SHOWN_PATTERNS
    return shown + (f" (+{more} more)" if more > 0 else "")


def _matches(data: dict[str, Any]) -> str:
    return (
        f"who: {_patterns(data.get('principals', ['*']))}; "
        f"does: {_patterns(data.get('actions', []))}; "
        f"on: {_patterns(data.get('resources', []))}"
    )


def _effect_badge(view: View, effect: str) -> Any:
    return view.badge(effect, "ok" if effect == "allow" else "bad")


def listing(view: View, scope: str) -> str:
    """One page of the workspace's policies, oldest first (``?effect`` filters)."""
    effect = view.arg("effect") if view.arg("effect") in ("allow", "deny") else ""
    cursor = view.arg("cursor")
    after = int(cursor) if cursor.isdigit() and len(cursor) < 19 else 0
    where = {"effect": effect} if effect else None
    with view.store.transaction(write=False) as tx:
        docs = tx.list(KIND, scope, where=where, after=after, limit=PAGE + 1)
        total = tx.execute(
            "SELECT count(*) FROM documents WHERE kind = ? AND scope = ?", (KIND, scope)
        ).fetchone()[0]
    more = len(docs) > PAGE
    docs = docs[:PAGE]
    rows = [
        (
            view.link(view.url(id=d.id, effect=effect), d.data.get("name", d.id)),
            d.id,
            _effect_badge(view, str(d.data.get("effect", ""))),
            _matches(d.data),
            d.version,
            d.updated_at,
        )
        for d in docs
    ]
    state = (
        f"{total} {'policy' if total == 1 else 'policies'} in force: every request to this "
        "workspace's routes is checked against them (deny wins; what none allows is denied)."
        if total
        else "No policies: enforcement is off and every request to this workspace is let "
        "through. The first policy turns it on."
    )
    chooser = view.get_form(
        "Filter policies",
        view.select("effect", "Effect", EFFECTS, effect),
        "Filter",
        button_id="filter",
    )
    table = view.table(
        "Policies in force",
        ("Name", "Id", "Effect", "Matches", "Version", "Updated"),
        rows,
        str(docs[-1].seq) if more and docs else "",
        empty=f"No {effect} policies in this workspace." if effect else "No policies here yet.",
    )
    return view.section(f'<p id="enforcement">{e(state)}</p>', chooser, table)


def detail(view: View, scope: str, policy_id: str) -> str:
    """A policy: its fields, its rules as code, and the versions the store keeps."""
    with view.store.transaction(write=False) as tx:
        doc = tx.get(KIND, scope, policy_id)
        history = (
            tx.versions(KIND, scope, doc.id, after=max(0, doc.version - VERSIONS_SHOWN))
            if doc
            else []
        )
    if doc is None:
        return view.missing(f"No policy {policy_id} in this workspace.")
    data = doc.data
    rules = {
        "effect": data.get("effect"),
        "principals": data.get("principals", ["*"]),
        "actions": data.get("actions", []),
        "resources": data.get("resources", []),
    }
    out = view.section(
        view.detail(
            f"Policy {doc.id}",
            [
                ("Name", data.get("name", "")),
                ("Effect", _effect_badge(view, str(data.get("effect", "")))),
                ("Description", data.get("description") or ""),
                ("Version", doc.version),
                ("Created", doc.created_at),
                ("Updated", doc.updated_at),
            ],
        ),
        "<h2>Rules</h2>",
        view.code(rules),
    )
    if history:
        rows = [
            (version, entry.get("effect", ""), _matches(entry), saved)
            for version, entry, saved in reversed(history)
        ]
        versions = view.table("Versions", ("Version", "Effect", "Matches", "Saved"), rows)
    else:
        versions = (
            '<h2>Versions</h2><p class="muted" id="no-history">The platform keeps only '
            f"the current version of a policy (version {doc.version}).</p>"
        )
    return out + view.section(versions)


def refusal(principal: str, action: str, resource: str) -> str:
    """Why ``POST …/policies/evaluate`` would refuse this body (422), or "" if it takes it."""
    try:
        msgspec.convert(
            {"principal": principal, "action": action, "resource": resource}, EvaluateRequest
        )
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$.")
        field = where.rstrip("`")
        return f"{field}: {message}" if field else message
    return ""


def evaluator(view: View, scope: str) -> str:
    """The "would this be allowed?" form, and its answer when asked (``?ask=1``)."""
    principal, action, resource = view.arg("principal"), view.arg("action"), view.arg("resource")
    form = view.get_form(
        "Would this be allowed?",
        view.field("principal", "Principal (user:<user id>)", principal, size=22)
        + view.field("action", "Action (<collection>:<verb>)", action, size=22)
        + view.field("resource", "Resource (path in the workspace)", resource, size=28),
        "Check",
        button_id="evaluate",
        ask="1",
    )
    hint = (
        '<p class="muted">e.g. <code>user:usr_dev</code>, <code>datasets:read</code>, '
        "<code>datasets/ds_1</code>. Answered as <code>POST …/policies/evaluate</code> "
        "would answer, without its own policy check.</p>"
    )
    out = "<h2>Would this be allowed?</h2>" + form + hint
    if view.arg("ask"):
        out += answer(view, scope, principal, action, resource)
    return view.section(out)


def answer(view: View, scope: str, principal: str, action: str, resource: str) -> str:
    """The decision, its reason and the policies (and their patterns) that matched."""
    refused = refusal(principal, action, resource)
    if refused:
        return (
            f'<p class="error" role="alert" id="eval-error">Not evaluated: the platform '
            f"refuses this request ({e(refused)}).</p>"
        )
    with view.store.transaction(write=False) as tx:
        policies = load_policies(tx, scope)
    decision = evaluate(policies, principal, action, resource)
    verdict = view.badge("Allowed", "ok") if decision.allowed else view.badge("Denied", "bad")
    out = f'<h3>Answer</h3><p id="verdict">{verdict}</p><p id="reason">{e(decision.reason)}</p>'
    if not policies:
        out += (
            '<p class="muted" id="open">This workspace has no policies, so enforcement is '
            "off: its routes let this request through all the same.</p>"
        )
    return out + _matched_table(view, decision, principal, action, resource)


def _first_match(patterns: Sequence[str], value: str) -> str:
    return next((p for p in patterns if glob_match(p, value)), "")


def _matched_table(
    view: View, decision: Decision, principal: str, action: str, resource: str
) -> str:
    deciding = set(decision.deciding_ids)
    rows = []
    for policy in decision.matched:
        role = "decided" if policy.id in deciding else "overruled by a deny"
        rows.append(
            (
                view.link(view.url(id=policy.id), getattr(policy, "name", "") or policy.id),
                _effect_badge(view, policy.effect),
                role,
                _first_match(policy.principals, principal),
                _first_match(policy.actions, action),
                _first_match(policy.resources, resource),
            )
        )
    return (
        '<div id="matched">'
        + view.table(
            "Matching policies",
            ("Policy", "Effect", "Role", "Principal rule", "Action rule", "Resource rule"),
            rows,
            empty="No policy matches this request, so it is denied.",
        )
        + "</div>"
    )
