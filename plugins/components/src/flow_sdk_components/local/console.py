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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flow_sdk_local.console import Console, View

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


def install(console: Console) -> None:
    """Add the "Components" panel to ``console``."""

    def types() -> list[str]:
        return sorted(console.platform.component_types)

    def type_selector(view: View, chosen: str) -> str:
        # a component's scope is org/ws/type
        counted = view.counts(KIND, view.scope())
        counts = {scope.rsplit("/", 1)[-1]: n for scope, n in counted.items()}
        options = [(t, f"{t} ({counts.get(t, 0)})") for t in types()]
        fields = view.select("type", "Type", options, chosen) + view.field(
            "q", "Name contains", view.arg("q")
        )
        return view.section(
            view.get_form("Components to list", fields, "Show", button_id="show-type")
        )

    def listing(view: View, component_type: str) -> str:
        scope = f"{view.scope()}/{component_type}"
        wanted = view.arg("q").strip()
        docs, cursor = view.page(KIND, scope, contains={"name": wanted} if wanted else None)
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
            cursor,
            empty=(
                f"No {component_type} component's name contains {wanted!r}."
                if wanted
                else f"No {component_type} components in this workspace."
            ),
        )
        return view.section(table)

    def detail(view: View, component_type: str, component_id: str) -> str:
        scope = f"{view.scope()}/{component_type}"
        with view.store.transaction(write=False) as tx:
            doc = tx.get(KIND, scope, component_id)
            if doc is None:
                return view.missing(
                    f"No {component_type} component {component_id} in this workspace."
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
            + "<h2>Spec</h2>"
            + view.code(_text("spec", data.get("spec")))
            + "</section>"
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
        view: View, component_type: str, component_id: str, history: list[tuple[int, Any, str]]
    ) -> str:
        versions = [v for v, _, _ in history]
        a_arg, b_arg = view.arg("a"), view.arg("b")
        a = int(a_arg) if a_arg.isdigit() and int(a_arg) in versions else versions[-2]
        b = int(b_arg) if b_arg.isdigit() and int(b_arg) in versions else versions[-1]

        def select(name: str, label: str, chosen: int) -> str:
            return view.select(name, label, [str(v) for v in reversed(versions)], str(chosen))

        form = view.get_form(
            "Versions to compare",
            select("a", "From version", a) + select("b", "To version", b),
            "Compare",
            button_id="compare",
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

    def render(view: View) -> str:
        if not view.scope():
            return view.needs_workspace("components")
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
