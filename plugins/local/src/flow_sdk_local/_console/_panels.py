"""flow-sdk-local's own panels: the overview (orgs, workspaces, components by type,
recent activity) and the platform's controls (faults, the CLI logins waiting for
approval, the clock, reset)."""

from __future__ import annotations

import html
import json

from .._faults import FaultError, FaultRule, FaultsConfig
from .._paging import decode_cursor, encode_cursor
from ._markup import Markup, _duration, link
from ._view import PAGE_SIZE, View

LOGIN_PAGE = "/_local/cli-login/"
"""Where a CLI login request is approved (the control plane's page, see ``_control``)."""
e = html.escape


def _overview(view: View) -> str:
    orgs, next_orgs = view.page("org", "")
    org_rows = [
        (link(view.url(org=o.id, ws=""), str(o.data.get("name", o.id))), o.id, o.created_at)
        for o in orgs
    ]
    out = "<section>" + view.table("Organisations", ("Name", "Id", "Created"), org_rows, next_orgs)
    out += "</section>"
    if view.org_id:
        spaces, next_ws = view.page("workspace", view.org_id)
        ws_rows = [
            (link(view.url(ws=w.id), str(w.data.get("name", w.id))), w.id, w.created_at)
            for w in spaces
        ]
        out += "<section>" + view.table("Workspaces", ("Name", "Id", "Created"), ws_rows, next_ws)
        out += "</section>"
    counted: dict[str, int] = {}
    for scope, count in view.counts("component", view.scope() or view.org_id).items():
        component_type = scope.rsplit("/", 1)[-1]  # a component's scope is org/ws/type
        counted[component_type] = counted.get(component_type, 0) + count
    sql = (
        "SELECT kind, scope, id, version, updated_at FROM documents "
        "WHERE kind NOT IN ('api_key', 'user', 'cli_login', 'secret')"
    )
    within = view.scope() or view.org_id
    params: list[str] = []
    if within:  # what happened in the chosen org or workspace (and what it holds)
        sql += " AND (scope = ? OR (scope > ? AND scope < ?))"
        params = [within, f"{within}/", f"{within}0"]
    with view.store.transaction(write=False) as tx:
        recent = tx.execute(sql + " ORDER BY updated_at DESC LIMIT 10", params).fetchall()
    counts = [(t, float(counted.get(t, 0))) for t in sorted(view.platform.component_types)]
    out += "<section>" + view.bar_chart("Components by type", counts) + "</section>"
    out += (
        "<section>"
        + view.table(
            "Recent activity",
            ("Kind", "Id", "Version", "Updated"),
            [(k, i, v, u) for k, _s, i, v, u in recent],
        )
        + "</section>"
    )
    return out


def _controls(view: View) -> str:
    faults = view.platform.faults.snapshot()
    rows = [
        (r.kind, f"{r.share:g}", r.path_prefix, r.count if r.count is not None else "∞", r.injected)
        for r in faults.rules
    ]
    out = "<section>" + view.table(
        "Faults in force",
        ("Kind", "Share", "Path prefix", "Count", "Injected"),
        rows,
        empty="No faults: every request is answered normally.",
    )
    kinds = "".join(f'<option value="{k}">{k}</option>' for k in ("503", "429", "delay", "drop"))
    out += "<h2>Inject a fault</h2>" + view.form(
        f'<label>Kind<select name="kind" id="fault-kind">{kinds}</select></label>'
        '<label>Share (0 to 1)<input name="share" id="fault-share" value="1" inputmode="decimal" '
        'size="5"></label>'
        '<label>Count<input name="count" id="fault-count" value="1" inputmode="numeric" '
        'size="6"></label>'
        '<label>Path prefix<input name="path_prefix" id="fault-prefix" value="/api/" '
        'size="14"></label>',
        "Inject",
        action="inject",
    )
    if faults.rules:
        out += view.form("", "Clear faults", action="clear")
    out += "</section>"
    out += _pending_logins(view)
    clock = view.platform.clock
    out += "<section>" + view.detail(
        "Clock",
        [
            ("Now", View.when(clock.now())),
            ("Offset", f"{clock.offset:g} s"),
        ],
    )
    out += (
        view.form(
            '<label>Seconds<input name="seconds" id="clock-seconds" value="3600" '
            'inputmode="decimal" size="8"></label>',
            "Move forward",
            action="clock",
        )
        + "</section>"
    )
    out += (
        "<section><h2>Reset</h2><p>Wipes all data, clears faults and the clock, and seeds "
        "the dev tenant with a new API key (saved profiles need <code>flow local init</code> "
        "again).</p>"
        + view.form(
            '<label class="check"><input type="checkbox" name="confirm" value="reset" '
            'id="reset-confirm" required>I understand this deletes everything</label>',
            "Reset the platform",
            action="reset",
            danger=True,
        )
        + "</section>"
    )
    return out


def _pending_logins(view: View) -> str:
    """The CLI logins waiting for approval, newest first and paged, each with a link to
    its approval page (where the person compares the code with their terminal's)."""
    now = view.platform.clock.now()
    cursor = view.arg("cursor")
    before = decode_cursor(cursor) if cursor else 2**63 - 1
    with view.store.transaction(write=False) as tx:
        rows = tx.execute(
            "SELECT seq, id, data, created_at FROM documents "
            "WHERE kind = 'cli_login' AND scope = '' AND seq < ? "
            "AND json_extract(data, '$.status') = 'pending' "
            "AND json_extract(data, '$.expires') > ? ORDER BY seq DESC LIMIT ?",
            (before, now, PAGE_SIZE + 1),
        ).fetchall()
    shown = rows[:PAGE_SIZE]
    next_cursor = encode_cursor(shown[-1][0]) if len(rows) > PAGE_SIZE else ""
    table = []
    for _seq, login_id, text, created in shown:
        data = json.loads(text)
        left = max(0.0, float(data["expires"]) - now)
        table.append(
            (
                Markup(f'<code class="user-code">{e(str(data["user_code"]))}</code>'),
                View.when(created),
                f"{View.when(float(data['expires']))} (in {_duration(left)})",
                link(f"{LOGIN_PAGE}{login_id}", "Review and approve"),
            )
        )
    return (
        '<section id="cli-logins">'
        + view.table(
            "CLI logins waiting for approval",
            ("Code", "Requested", "Expires", "Approval page"),
            table,
            next_cursor,
            empty="No CLI login is waiting: a `flow login` shows here until it is decided.",
        )
        + "</section>"
    )


def _number(form: dict[str, str], name: str, default: str) -> float:
    text = form.get(name, default).strip() or default
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {text!r}") from None


def _control_action(view: View, form: dict[str, str]) -> str:
    platform = view.platform
    action = form.get("action", "")
    if action == "inject":
        count_text = form.get("count", "").strip()
        rule = FaultRule(
            kind=form.get("kind", "503"),  # type: ignore[arg-type]
            share=_number(form, "share", "1"),
            count=int(_number(form, "count", "1")) if count_text else None,
            path_prefix=form.get("path_prefix", "/api/") or "/api/",
        )
        if rule.kind not in ("503", "429", "delay", "drop"):
            raise ValueError(f"unknown fault kind {rule.kind!r}")
        config = FaultsConfig(rules=[*platform.faults.snapshot().rules, rule])
        try:
            platform.faults.configure(config)
        except FaultError as exc:
            raise ValueError(f"{'.'.join(map(str, exc.loc))}: {exc.message}") from None
        return f"Injecting {rule.kind} faults on {rule.path_prefix}."
    if action == "clear":
        platform.faults.clear()
        return "Faults cleared."
    if action == "clock":
        platform.clock.advance(_number(form, "seconds", "0"))
        return f"The clock is {platform.clock.offset:g} s ahead."
    if action == "reset":
        if form.get("confirm") != "reset":
            raise ValueError("Tick the box to confirm the reset: it deletes everything.")
        platform.reset()
        return "The platform was reset and the dev tenant seeded again."
    raise ValueError(f"unknown action {action!r}")
