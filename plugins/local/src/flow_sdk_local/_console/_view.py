"""The :class:`View`: one console request as a panel sees it, with the helpers panels
render with (paged tables, details, forms, badges, times), its charts (bar chart,
:class:`Span` timeline, :class:`Interval` chart) and how a cell is shown."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from .._paging import decode_cursor, encode_cursor
from ._markup import Markup, _duration, _hidden, _tone, link
from ._tokens import PREFIX, csrf_token

if TYPE_CHECKING:
    from .._http import Request
    from ._model import Console, Panel

PAGE_SIZE = 20
e = html.escape


class View:
    """One console request as a panel sees it, with the helpers panels render with."""

    def __init__(self, console: Console, panel: Panel, request: Request) -> None:
        self.console = console
        self.panel = panel
        self.request = request
        self.platform = console.platform
        self.store = console.platform.store
        self.org_id = request.query_one("org") or ""
        self.workspace_id = request.query_one("ws") or ""
        self.csrf = csrf_token(self.platform.admin_secret)

    def arg(self, name: str) -> str:
        """A query parameter ("" when absent)."""
        return self.request.query_one(name) or ""

    def url(self, slug: str | None = None, **params: str) -> str:
        """A console URL keeping the org and workspace chosen; ``params`` added."""
        query = {"org": self.org_id, "ws": self.workspace_id, **params}
        text = urlencode({k: v for k, v in query.items() if v})
        return f"{PREFIX}/{slug or self.panel.slug}" + (f"?{text}" if text else "")

    def here(self, **params: str) -> str:
        """This page's URL with every query parameter kept but the cursor; ``params``
        override (an empty value drops one)."""
        query = {k: v[-1] for k, v in self.request.query.items() if v and k != "cursor"}
        query.update(params)
        text = urlencode({k: v for k, v in query.items() if v})
        return f"{PREFIX}/{self.panel.slug}" + (f"?{text}" if text else "")

    def scope(self) -> str:
        """The store scope of the chosen workspace (``org/ws``), "" when none."""
        return f"{self.org_id}/{self.workspace_id}" if self.org_id and self.workspace_id else ""

    def page(
        self,
        kind: str,
        scope: str | None,
        size: int = PAGE_SIZE,
        *,
        where: Mapping[str, Any] | None = None,
        contains: Mapping[str, str] | None = None,
    ) -> tuple[list[Any], str]:
        """One page of stored documents at ``?cursor``, and the next page's cursor ("");
        ``where`` and ``contains`` filter them as the store's ``list`` does (a field equal
        to a value; a text field containing a text, in any case)."""
        cursor = self.arg("cursor")
        after = decode_cursor(cursor) if cursor else 0
        with self.store.transaction(write=False) as tx:
            docs = tx.list(kind, scope, where=where, contains=contains, after=after, limit=size + 1)
        more = len(docs) > size
        docs = docs[:size]
        return docs, encode_cursor(docs[-1].seq) if more and docs else ""

    def counts(self, kind: str, prefix: str = "") -> dict[str, int]:
        """How many documents of ``kind`` each scope under ``prefix`` holds (every scope when
        ""): a range read of the store's (kind, scope) index, not a scan of the documents."""
        sql = "SELECT scope, count(*) FROM documents WHERE kind = ?"
        params: list[str] = [kind]
        if prefix:
            # every scope starting "prefix/": "0" is the character after "/"
            sql += " AND scope > ? AND scope < ?"
            params += [f"{prefix}/", f"{prefix}0"]
        with self.store.transaction(write=False) as tx:
            return dict(tx.execute(sql + " GROUP BY scope", params).fetchall())

    def table(
        self,
        caption: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        next_cursor: str = "",
        *,
        empty: str = "Nothing here yet.",
    ) -> str:
        """A table (cells escaped unless :class:`Markup`) and a link to the next page."""
        rows = list(rows)
        head = "".join(f'<th scope="col">{e(c)}</th>' for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_cell(value)}</td>" for value in row) + "</tr>" for row in rows
        )
        out = f"<h2>{e(caption)}</h2>"
        if not rows:
            return out + f'<p class="muted">{e(empty)}</p>'
        out += f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        return out + self.pager(next_cursor)

    def pager(self, next_cursor: str, **params: str) -> str:
        """The link to the next page ("" on the last): this page's URL, ``?cursor`` changed
        (and ``params`` too: an empty one drops a parameter that chose this page)."""
        if not next_cursor:
            return ""
        href = e(self.here(cursor=next_cursor, **params))
        return f'<p class="pager"><a rel="next" href="{href}">Next page →</a></p>'

    @staticmethod
    def link(href: str, text: Any) -> Markup:
        """A link as a table cell or detail value."""
        return link(href, str(text))

    def detail(self, caption: str, fields: Iterable[tuple[str, Any]]) -> str:
        """A definition list of ``(label, value)`` pairs."""
        items = "".join(f"<dt>{e(k)}</dt><dd>{_cell(v)}</dd>" for k, v in fields)
        return f"<h2>{e(caption)}</h2><dl>{items}</dl>"

    def bar_chart(self, caption: str, data: Sequence[tuple[str, float]]) -> str:
        """A horizontal SVG bar chart, rendered here (no script), with its numbers as text."""
        if not data:
            return f'<h2>{e(caption)}</h2><p class="muted">No data.</p>'
        top = max(v for _, v in data) or 1
        row, label_w, width = 24, 130, 460
        bars = []
        for i, (label, value) in enumerate(data):
            y = i * row
            w = max(1.0, (width - label_w - 50) * value / top)
            bars.append(
                f'<text x="0" y="{y + 16}">{e(label[:18])}</text>'
                f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="16"/>'
                f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{value:g}</text>'
            )
        height = row * len(data)
        title = e(caption)
        return (
            f"<h2>{title}</h2>"
            f'<svg role="img" aria-label="{title}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{title}</title>{''.join(bars)}</svg>"
        )

    def form(
        self,
        fields: str,
        submit: str,
        *,
        action: str,
        danger: bool = False,
        button_id: str = "",
        values: dict[str, str] | None = None,
    ) -> str:
        """A POST form to this page (its query kept) carrying the CSRF token; ``action``
        names what it does (and is the button's id unless ``button_id``); ``values`` are
        sent as hidden fields (the id of what to act on, say)."""
        css = ' class="danger"' if danger else ""
        hidden = _hidden({"csrf": self.csrf, "action": action, **(values or {})})
        return (
            f'<form method="post" class="inline" action="{e(self.here())}">{hidden}'
            f'{fields}<button type="submit" id="{e(button_id or action)}"{css}>{e(submit)}'
            "</button></form>"
        )

    def get_form(self, label: str, fields: str, submit: str, *, button_id: str, **keep: str) -> str:
        """A GET form to this panel (a filter or a chooser): the org and workspace, and
        ``keep``, ride along as hidden fields; ``label`` names it for assistive technology."""
        hidden = _hidden({"org": self.org_id, "ws": self.workspace_id, **keep})
        return (
            f'<form method="get" class="inline" action="{e(PREFIX)}/{e(self.panel.slug)}" '
            f'aria-label="{e(label)}">{hidden}{fields}'
            f'<button type="submit" id="{e(button_id)}">{e(submit)}</button></form>'
        )

    @staticmethod
    def select(
        name: str, label: str, options: Iterable[str | tuple[str, str]], chosen: str = ""
    ) -> str:
        """A labelled ``<select id=NAME>``; an option is a value or ``(value, text)``."""
        items = []
        for option in options:
            value, text = option if isinstance(option, tuple) else (option, option)
            picked = " selected" if value == chosen else ""
            items.append(f'<option value="{e(value)}"{picked}>{e(text)}</option>')
        return (
            f'<label>{e(label)}<select name="{e(name)}" id="{e(name)}">{"".join(items)}'
            "</select></label>"
        )

    @staticmethod
    def field(name: str, label: str, value: str = "", *, size: int = 16, kind: str = "text") -> str:
        """A labelled ``<input id=NAME>``."""
        return (
            f'<label>{e(label)}<input type="{e(kind)}" name="{e(name)}" id="{e(name)}" '
            f'value="{e(value)}" size="{size}"></label>'
        )

    @staticmethod
    def textarea(name: str, label: str, value: str = "", *, rows: int = 6) -> str:
        """A labelled ``<textarea id=NAME>`` (JSON to paste, say)."""
        return (
            f'<label>{e(label)}<textarea name="{e(name)}" id="{e(name)}" rows="{rows}" '
            f'cols="60">{e(value)}</textarea></label>'
        )

    @staticmethod
    def code(value: Any) -> str:
        """A ``<pre>`` block: text as is, anything else as indented JSON (escaped)."""
        text = value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True)
        return f"<pre><code>{e(text)}</code></pre>"

    @staticmethod
    def badge(text: str, tone: Literal["ok", "bad", ""] = "", *, title: str = "") -> Markup:
        """A small status label (a table cell or detail value); ``tone`` colours it,
        ``title`` says more on hover."""
        css = f"badge {tone}".strip()
        hint = f' title="{e(title)}"' if title else ""
        return Markup(f'<span class="{css}"{hint}>{e(text)}</span>')

    @staticmethod
    def status(text: str, *, title: str = "") -> Markup:
        """A badge for a status word, coloured as every panel colours it: green for done
        well (succeeded, applied, active…), red for gone wrong (failed, error…)."""
        shade = _tone(text)
        tone: Literal["ok", "bad", ""] = "ok" if shade == "ok" else "bad" if shade == "bad" else ""
        return View.badge(text, tone, title=title)

    @staticmethod
    def when(moment: datetime | str | float | None) -> str:
        """A time as the console shows every time: ``YYYY-MM-DD HH:MM:SS UTC``, from a
        datetime, a stored RFC 3339 text or seconds since the epoch ("" for None)."""
        if moment is None or moment == "":
            return ""
        if isinstance(moment, (int, float)):
            return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(moment))
        if isinstance(moment, datetime):
            return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        text = str(moment)
        return f"{text[:10]} {text[11:19]} UTC" if len(text) >= 19 and text[10] == "T" else text

    @staticmethod
    def duration(seconds: float) -> str:
        """A duration as the console shows every one (ms below a second, then s, then min)."""
        return _duration(seconds)

    @staticmethod
    def section(*parts: str) -> str:
        """Parts of a panel in one card."""
        return f"<section>{''.join(parts)}</section>"

    def needs_workspace(self, what: str) -> str:
        """The panel's answer when no workspace is chosen: what to choose, and why."""
        return self.section(f"<p>Choose an org and a workspace to see their {e(what)}.</p>")

    @staticmethod
    def missing(text: str) -> str:
        """The answer for an id that is not there (``#not-found``)."""
        return f'<section><p class="error" id="not-found">{e(text)}</p></section>'

    def timeline(self, caption: str, spans: Sequence[Span]) -> str:
        """A timeline (an SVG Gantt chart) of spans, with each one's duration as text:
        the steps of a run, say. A span still running is drawn up to the latest end."""
        if not spans:
            return f'<h2>{e(caption)}</h2><p class="muted">Nothing ran.</p>'
        start = min(s.start for s in spans)
        end = max(max(s.end or s.start for s in spans), start)
        total = (end - start) or 1.0
        row, label_w, width, bar_w = 26, 150, 560, 330
        rows = []
        for i, span in enumerate(spans):
            y = i * row
            x = label_w + bar_w * (span.start - start) / total
            stop = span.end if span.end is not None else end
            w = max(2.0, bar_w * (stop - span.start) / total)
            took = "running" if span.end is None else _duration(stop - span.start)
            rows.append(
                f"<g><title>{e(span.label)}: {e(span.status)}, {took}</title>"
                f'<text x="0" y="{y + 17}">{e(span.label[:20])}</text>'
                f'<rect class="{_tone(span.status)}" x="{x:.1f}" y="{y + 5}" width="{w:.1f}" '
                f'height="16" rx="3"/>'
                f'<text x="{min(x + w + 6, width - 60):.1f}" y="{y + 17}">{took}</text></g>'
            )
        height = row * len(spans)
        title = e(caption)
        return (
            f"<h2>{title}</h2>"
            f'<svg role="img" aria-label="{title}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{title}</title>{''.join(rows)}</svg>"
        )

    def interval_chart(
        self, caption: str, intervals: Sequence[Interval], *, reference: float | None = None
    ) -> str:
        """Estimates with their confidence intervals (an SVG forest plot: a dot and a
        whisker per row), the numbers as text beside; ``reference`` draws a dashed line
        (the control's value, or zero for a difference)."""
        if not intervals:
            return f'<h2>{e(caption)}</h2><p class="muted">No data yet.</p>'
        values = [v for i in intervals for v in (i.low, i.estimate, i.high)]
        if reference is not None:
            values.append(reference)
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
        row, label_w, width, plot_w = 28, 130, 560, 280

        def x(value: float) -> float:
            return label_w + plot_w * (value - lo) / (hi - lo)

        rows = []
        for n, item in enumerate(intervals):
            y = n * row + 14
            rows.append(
                f"<g><title>{e(item.label)}: {item.estimate:.4g} "
                f"[{item.low:.4g}, {item.high:.4g}]</title>"
                f'<text x="0" y="{y + 4}">{e(item.label[:18])}</text>'
                f'<line class="whisker" x1="{x(item.low):.1f}" y1="{y}" '
                f'x2="{x(item.high):.1f}" y2="{y}"/>'
                f'<circle class="{_tone(item.tone)}" cx="{x(item.estimate):.1f}" cy="{y}" r="5"/>'
                f'<text x="{label_w + plot_w + 10}" y="{y + 4}">{item.estimate:.4g} '
                f"[{item.low:.4g}, {item.high:.4g}]</text></g>"
            )
        height = row * len(intervals)
        ref = ""
        if reference is not None:
            ref = (
                f'<line class="ref" x1="{x(reference):.1f}" y1="0" x2="{x(reference):.1f}" '
                f'y2="{height}"/>'
            )
        title = e(caption)
        return (
            f"<h2>{title}</h2>"
            f'<svg role="img" aria-label="{title}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{title}</title>{ref}{''.join(rows)}</svg>"
        )


@dataclass(frozen=True)
class Span:
    """One bar of :meth:`View.timeline`: times in seconds (epoch or any common origin);
    ``end`` None while running; ``status`` colours it (failed/error: red, ok-ish: green)."""

    label: str
    start: float
    end: float | None
    status: str = "succeeded"


@dataclass(frozen=True)
class Interval:
    """One row of :meth:`View.interval_chart`: an estimate and its interval."""

    label: str
    estimate: float
    low: float
    high: float
    tone: str = ""


_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
"""A stored time (RFC 3339), as the store and the models write them."""


def _cell(value: Any) -> str:
    """A table cell or detail value as HTML: escaped, unless Markup; a time (a datetime,
    or a stored RFC 3339 text) shown as every time is, in a ``<time>`` element."""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, datetime) or (isinstance(value, str) and _STAMP.fullmatch(value)):
        stamp = value.isoformat() if isinstance(value, datetime) else value
        return f'<time datetime="{e(stamp)}">{e(View.when(value))}</time>'
    return e("" if value is None else str(value))
