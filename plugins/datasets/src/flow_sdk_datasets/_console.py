"""The "Datasets" panel of the local platform's web console (``flow local console``).

It shows the chosen workspace's datasets (paged: name, stored row count, schema
summary, last change) and, at ``?id=``, one dataset: its schema as a table and
its rows, 20 a page. Rows are read as the rows route reads them: a keyset range
on ``dataset_rows``' primary key (dataset, seq), and the count comes from
``dataset_stats``, so a page costs the same at a million rows as at ten.
Imported inside the ``flow_sdk_local_console_panels`` hook only.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from flow_sdk_local.console import PAGE_SIZE, Markup

if TYPE_CHECKING:
    from flow_sdk_local.console import Console, View

__all__ = ["cell", "install", "schema_summary"]

KIND = "datasets"
"""The stored kind of the datasets resource (its collection path's first segment)."""
CELL_CHARS = 60
"""A longer cell is cut, with the full value in its title (up to TITLE_CHARS)."""
TITLE_CHARS = 2000
SHOWN_COLUMNS = 30
"""Columns the rows table shows at most (the schema table lists them all)."""
SUMMARY_COLUMNS = 5
e = html.escape


def install(console: Console) -> None:
    """Add the "Datasets" panel to ``console``."""
    console.panel("datasets", "Datasets", render)


def render(view: View) -> str:
    """The listing, or one dataset at ``?id=``."""
    if not view.scope():
        return view.needs_workspace("datasets")
    dataset_id = view.arg("id")
    return detail(view, dataset_id) if dataset_id else listing(view)


def schema_summary(schema: Any) -> str:
    """``id integer*, name string, … (+3 more)``; ``*`` marks a required column."""
    columns = (schema or {}).get("columns") or []
    if not columns:
        return "any JSON object"
    parts = [
        f"{c.get('name')} {c.get('type', 'string')}{'*' if c.get('required') else ''}"
        for c in columns[:SUMMARY_COLUMNS]
    ]
    more = len(columns) - SUMMARY_COLUMNS
    return ", ".join(parts) + (f", … (+{more} more)" if more > 0 else "")


def cell(value: Any) -> Markup | str:
    """One row value as a table cell: text as is, anything else as JSON; a long one cut,
    with the full value in the title attribute (escaped either way)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) <= CELL_CHARS:
        return text
    title = f' title="{e(text)}"' if len(text) <= TITLE_CHARS else ""
    return Markup(f"<span{title}>{e(text[: CELL_CHARS - 1])}…</span>")


def _stats(view: View, ids: list[str]) -> dict[str, tuple[int, str]]:
    """Stored ``(row_count, last append)`` of each dataset (one indexed lookup per id)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    with view.store.transaction(write=False) as tx:
        found = tx.execute(
            "SELECT dataset_id, row_count, updated_at FROM dataset_stats "  # noqa: S608
            f"WHERE dataset_id IN ({marks})",
            ids,
        ).fetchall()
    return {i: (int(n), str(u)) for i, n, u in found}


def _updated(doc_updated: str, appended: str | None) -> str:
    return appended if appended and appended > doc_updated else doc_updated


def listing(view: View) -> str:
    """The workspace's datasets, one page."""
    docs, cursor = view.page(KIND, view.scope())
    stats = _stats(view, [d.id for d in docs])
    rows = []
    for doc in docs:
        count, appended = stats.get(doc.id, (0, None))
        rows.append(
            (
                view.link(view.url(id=doc.id), doc.data.get("name", doc.id)),
                doc.id,
                f"{count:,}",
                schema_summary(doc.data.get("schema")),
                _updated(doc.updated_at, appended),
            )
        )
    table = view.table(
        "Datasets",
        ("Name", "Id", "Rows", "Schema", "Updated"),
        rows,
        cursor,
        empty="No datasets in this workspace.",
    )
    return view.section(table)


def detail(view: View, dataset_id: str) -> str:
    """One dataset: its fields, its schema and a page of its rows."""
    with view.store.transaction(write=False) as tx:
        doc = tx.get(KIND, view.scope(), dataset_id)
    if doc is None:
        return view.missing(f"No dataset {dataset_id} in this workspace.")
    count, appended = _stats(view, [doc.id]).get(doc.id, (0, None))
    data = doc.data
    columns = (data.get("schema") or {}).get("columns") or []
    back = f'<p><a href="{e(view.url())}" id="all-datasets">← All datasets</a></p>'
    out = view.section(
        back,
        view.detail(
            f"Dataset {data.get('name', doc.id)}",
            [
                ("Id", doc.id),
                ("Description", data.get("description") or ""),
                ("Rows", f"{count:,}"),
                ("Version", doc.version),
                ("Created", doc.created_at),
                ("Updated", _updated(doc.updated_at, appended)),
            ],
        ),
    )
    out += view.section(
        view.table(
            "Schema",
            ("Column", "Type", "Required", "Nullable"),
            [
                (
                    c.get("name"),
                    c.get("type", "string"),
                    "yes" if c.get("required") else "no",
                    "no" if c.get("required") else "yes",
                )
                for c in columns
            ],
            empty="No columns: any JSON object is a row.",
        )
    )
    return out + view.section(
        rows_table(view, doc.id, [str(c.get("name")) for c in columns], count)
    )


def rows_table(view: View, dataset_id: str, names: list[str], count: int) -> str:
    """A page of rows after the ``?cursor`` seq, or from row ``?row`` (the "Go to row"
    form): a range scan on the primary key either way."""
    cursor, row = view.arg("cursor"), view.arg("row")
    if row.isdigit() and 0 < len(row) <= 18 and int(row) > 0:
        after = int(row) - 1  # rows are numbered from 1 as they were appended
    else:
        after = int(cursor) if cursor.isdigit() and len(cursor) <= 18 else 0  # else: the start
    with view.store.transaction(write=False) as tx:
        found = tx.execute(
            "SELECT seq, data FROM dataset_rows WHERE dataset_id = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (dataset_id, after, PAGE_SIZE + 1),
        ).fetchall()
    page = [(seq, json.loads(text)) for seq, text in found[:PAGE_SIZE]]
    if not names:  # no schema: the keys this page's rows have, in order of appearance
        names = list(dict.fromkeys(k for _, row in page if isinstance(row, dict) for k in row))
    shown = names[:SHOWN_COLUMNS]
    body = [
        (seq, *(cell(row.get(n)) if isinstance(row, dict) else "" for n in shown))
        for seq, row in page
    ]
    caption = (
        f"Rows {page[0][0]:,} to {page[-1][0]:,} of {count:,}" if page else f"Rows (of {count:,})"
    )
    empty = "No more rows." if after else "No rows yet."
    out = view.table(caption, ("#", *shown), body, empty=empty)
    if len(names) > len(shown):
        out += f'<p class="muted">The first {len(shown)} of {len(names)} columns are shown.</p>'
    jump = view.field("row", "Go to row", row, size=10, kind="number")
    out += view.get_form("Go to a row", jump, "Go", button_id="go-to-row", id=dataset_id)
    if after:
        first = e(view.here(row=""))
        out += f'<p class="pager"><a href="{first}" id="first-page">First page</a></p>'
    next_cursor = str(page[-1][0]) if len(found) > PAGE_SIZE else ""
    return out + view.pager(next_cursor, row="")
