"""The "Components" panel of the local platform's web console (``flow local console``).

Imported inside the ``flow_sdk_local_console_panels`` hook only, so nothing here
loads unless a local platform is built. The panel shows the chosen workspace's
components of one type (paged), a component with its version history, and the
difference between two of its versions (a line diff of name, description and spec).
"""

from __future__ import annotations

import difflib
import html
import json
from typing import Any

__all__ = ["DIFF_FIELDS", "field_diff", "install"]

KIND = "component"
DIFF_FIELDS = ("name", "description", "spec")
VERSIONS_SHOWN = 200
"""The newest versions the detail lists (and the diff can choose from)."""
e = html.escape


def _text(field: str, value: Any) -> str:
    if field == "spec":
        return json.dumps(value if value is not None else {}, indent=2, sort_keys=True)
    return "" if value is None else str(value)


def field_diff(field: str, old: Any, new: Any, old_label: str, new_label: str) -> str:
    """A unified line diff of one field as escaped HTML (``<del>``/``<ins>`` lines); ""
    when the field did not change."""
    before, after = _text(field, old), _text(field, new)
    if before == after:
        return ""
    lines = difflib.unified_diff(
        before.splitlines(),
        after.splitlines(),
        f"{field} ({old_label})",
        f"{field} ({new_label})",
        lineterm="",
    )
    out = []
    for line in lines:
        text = e(line)
        if line.startswith(("+++", "---")):
            out.append(f"<strong>{text}</strong>")
        elif line.startswith("+"):
            out.append(f"<ins>{text}</ins>")
        elif line.startswith("-"):
            out.append(f"<del>{text}</del>")
        else:
            out.append(text)
    return "\n".join(out)


def install(console: Any) -> None:
    """Add the "Components" panel to ``console``."""

    def types() -> list[str]:
        return sorted(console.platform.component_types)

    def hidden(view: Any, **params: str) -> str:
        values = {"org": view.org_id, "ws": view.workspace_id, **params}
        return "".join(
            f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in values.items() if v
        )

    def get_form(
        view: Any, label: str, fields: str, submit: str, button_id: str, **keep: str
    ) -> str:
        return (
            f'<form method="get" class="inline" action="{e(view.url().split("?")[0])}" '
            f'aria-label="{e(label)}">{hidden(view, **keep)}{fields}'
            f'<button type="submit" id="{e(button_id)}">{e(submit)}</button></form>'
        )

    def type_selector(view: Any, chosen: str) -> str:
        # a component's scope is org/ws/type
        counted = view.counts(KIND, view.scope())
        counts = {scope.rsplit("/", 1)[-1]: n for scope, n in counted.items()}
        options = "".join(
            f'<option value="{e(t)}"{" selected" if t == chosen else ""}>'
            f"{e(t)} ({counts.get(t, 0)})</option>"
            for t in types()
        )
        select = f'<label>Type<select name="type" id="type">{options}</select></label>'
        form = get_form(view, "Component type", select, "Show", "show-type")
        return f"<section>{form}</section>"

    def listing(view: Any, component_type: str) -> str:
        scope = f"{view.scope()}/{component_type}"
        docs, cursor = view.page(KIND, scope)
        rows = [
            (
                view.link(view.url(type=component_type, id=d.id), d.data.get("name", d.id)),
                d.id,
                d.version,
                d.updated_at,
            )
            for d in docs
        ]
        table = view.table(
            f"{component_type} components",
            ("Name", "Id", "Version", "Updated"),
            rows,
            empty=f"No {component_type} components in this workspace.",
        )
        if cursor:
            href = view.url(type=component_type, cursor=cursor)
            table += f'<p class="pager"><a rel="next" href="{e(href)}">Next page →</a></p>'
        return f"<section>{table}</section>"

    def detail(view: Any, component_type: str, component_id: str) -> str:
        scope = f"{view.scope()}/{component_type}"
        with view.store.transaction(write=False) as tx:
            doc = tx.get(KIND, scope, component_id)
            if doc is None:
                return (
                    '<section><p class="error" id="not-found">'
                    f"No {e(component_type)} component {e(component_id)} in this workspace."
                    "</p></section>"
                )
            history = tx.versions(KIND, scope, doc.id)[-VERSIONS_SHOWN:]
        data = doc.data
        out: str = (
            "<section>"
            + view.detail(
                f"Component {doc.id}",
                [
                    ("Name", data.get("name")),
                    ("Type", component_type),
                    ("Description", data.get("description") or ""),
                    ("Version", doc.version),
                    ("Created", doc.created_at),
                    ("Updated", doc.updated_at),
                ],
            )
            + "<h2>Spec</h2><pre><code>"
            + e(_text("spec", data.get("spec")))
            + "</code></pre></section>"
        )
        rows = [
            (
                version,
                entry.get("name", ""),
                entry.get("description", "") or "",
                created,
            )
            for version, entry, created in reversed(history)
        ]
        out += (
            "<section>"
            + view.table("Versions", ("Version", "Name", "Description", "Saved"), rows)
            + "</section>"
        )
        if len(history) >= 2:
            out += compare(view, component_type, doc.id, history)
        return out

    def compare(
        view: Any, component_type: str, component_id: str, history: list[tuple[int, Any, str]]
    ) -> str:
        versions = [v for v, _, _ in history]
        a_arg, b_arg = view.arg("a"), view.arg("b")
        a = int(a_arg) if a_arg.isdigit() and int(a_arg) in versions else versions[-2]
        b = int(b_arg) if b_arg.isdigit() and int(b_arg) in versions else versions[-1]

        def select(name: str, label: str, chosen: int) -> str:
            options = "".join(
                f'<option value="{v}"{" selected" if v == chosen else ""}>{v}</option>'
                for v in reversed(versions)
            )
            return f'<label>{e(label)}<select name="{name}" id="{name}">{options}</select></label>'

        form = get_form(
            view,
            "Versions to compare",
            select("a", "From version", a) + select("b", "To version", b),
            "Compare",
            "compare",
            type=component_type,
            id=component_id,
        )
        out = f"<section><h2>Compare versions</h2>{form}"
        if view.arg("a") or view.arg("b"):
            by_version = {v: entry for v, entry, _ in history}
            old, new = by_version[a], by_version[b]
            diffs = [
                (field, field_diff(field, old.get(field), new.get(field), f"v{a}", f"v{b}"))
                for field in DIFF_FIELDS
            ]
            changed = [(f, d) for f, d in diffs if d]
            out += f"<h3>Version {a} → version {b}</h3>"
            if not changed:
                out += '<p class="muted" id="no-diff">No change in name, description or spec.</p>'
            for field, text in changed:
                out += f'<h4>{e(field)}</h4><pre id="diff-{e(field)}"><code>{text}</code></pre>'
        return out + "</section>"

    def render(view: Any) -> str:
        if not view.scope():
            return (
                "<section><p>Choose an org and a workspace to see their components.</p></section>"
            )
        known = types()
        if not known:
            return '<section><p class="muted">No component types are registered.</p></section>'
        chosen = view.arg("type")
        if chosen not in known:
            chosen = known[0]
        out = type_selector(view, chosen)
        component_id = view.arg("id")
        if component_id:
            out += detail(view, chosen, component_id)
        return out + listing(view, chosen)

    console.panel("components", "Components", render)
