"""The web console of the local platform: server-rendered pages under ``/console``.

Getting in: ``flow local console`` prints a one-time link
``/console/login?token=…`` whose token is an HMAC under the local admin secret
with an expiry (:data:`LINK_SECONDS`) and a nonce the server accepts once (used
nonces are kept in the platform's store until they expire, so neither a restart
nor a reset makes a used link work again).
Following it sets the session cookie (HttpOnly, SameSite=Strict,
Path=/console), itself derived from the admin secret: rotating the secret
logs every browser out. Without the cookie every page is a 403 saying how to
get in. A served platform's Host and Origin checks apply as to every route;
each form that changes state carries a CSRF token, checked on POST.

Panels: flow-sdk-local's overview and platform controls (faults, the CLI logins
waiting for approval, the clock, reset), and whatever plugins
add through the ``flow_sdk_local_console_panels(console)`` hook, each with
:meth:`Console.panel`. A panel renders HTML from a :class:`View` (the request,
the org/workspace chosen, and helpers for paged tables, details and bar charts).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlencode

from flow_sdk.plugin import per_plugin

from ._app import route_not_found
from ._faults import FaultError, FaultRule, FaultsConfig
from ._http import HTTPError, Request, Response
from ._paging import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from ._app import App
    from ._platform import LocalPlatform

__all__ = [
    "COOKIE",
    "PAGE_SIZE",
    "PREFIX",
    "Console",
    "Interval",
    "Markup",
    "Panel",
    "Span",
    "View",
    "install",
    "link",
    "login_link",
    "plain_page",
]

logger = logging.getLogger("flow_sdk")

PREFIX = "/console"
COOKIE = "flow_console"
LINK_SECONDS = 300.0
"""How long a one-time link stays valid."""
PAGE_SIZE = 20
NONCE_TABLE = "console_login_nonces"
"""The used nonces of one-time links, until they expire: a table of its own (not a
document kind), so no listing, export or activity feed of documents ever shows them."""
_NONCE_MIGRATION = (
    "CREATE TABLE IF NOT EXISTS console_login_nonces "
    "(nonce TEXT PRIMARY KEY, expires REAL NOT NULL)"
)
_NOTE_NONCE = (
    "INSERT INTO console_login_nonces (nonce, expires) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING"
)
_PRUNE_NONCES = "DELETE FROM console_login_nonces WHERE expires < ?"
LOGIN_PAGE = "/_local/cli-login/"
"""Where a CLI login request is approved (the control plane's page, see ``_control``)."""
_FORM = "application/x-www-form-urlencoded"
e = html.escape

_STYLE = """
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;
--card:#fff;--accent:#0969da;--ok:#1a7f37;--bad:#cf222e;--on-accent:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;
--bg:#0d1117;--card:#151b23;--accent:#4493f8;--ok:#3fb950;--bad:#f85149;
--on-accent:#0d1117}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.75rem 1rem;
background:var(--card);border-bottom:1px solid var(--line)}
header .brand{font-weight:700;margin-right:auto}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem;margin:0;padding:0;list-style:none}
nav a{display:block;padding:.3rem .7rem;border-radius:6px;color:var(--fg);text-decoration:none}
nav a[aria-current=page]{background:var(--accent);color:var(--on-accent)}
main{max-width:64rem;margin:1rem auto;padding:0 1rem}
section{margin:0 0 1rem;padding:1rem;background:var(--card);border:1px solid var(--line);
border-radius:10px;overflow-x:auto}
h1{font-size:1.35rem;margin:.25rem 0 1rem}h2{font-size:1.05rem;margin:0 0 .75rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);
overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600;overflow-wrap:normal}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
label{display:flex;flex-direction:column;gap:.2rem;font-size:.9rem}
label.check{flex-direction:row;align-items:center;gap:.5rem}
select{max-width:100%}
input,select{font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:6px;
background:var(--bg);color:var(--fg)}
button{font:inherit;font-weight:600;padding:.4rem .9rem;border-radius:6px;cursor:pointer;
border:1px solid var(--accent);background:var(--accent);color:var(--on-accent)}
button.danger{border-color:var(--bad);background:var(--bad)}
.muted{color:var(--muted)}.pager{margin:.75rem 0 0}
.notice{padding:.5rem .75rem;border:1px solid var(--ok);border-radius:8px;color:var(--ok)}
.error{padding:.5rem .75rem;border:1px solid var(--bad);border-radius:8px;color:var(--bad)}
svg{max-width:100%;height:auto}svg .bar{fill:var(--accent)}svg text{fill:var(--fg);font-size:12px}
a{color:var(--accent)}code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{margin:.5rem 0;padding:.5rem .75rem;background:var(--bg);border:1px solid var(--line);
border-radius:6px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
ins{color:var(--ok);text-decoration:none}del{color:var(--bad);text-decoration:none}
.badge{display:inline-block;white-space:nowrap;padding:0 .45rem;border-radius:999px;
border:1px solid var(--line);font-size:.85rem}.badge.ok{color:var(--ok);border-color:var(--ok)}
.badge.bad{color:var(--bad);border-color:var(--bad)}
svg .ok{fill:var(--ok)}svg .bad{fill:var(--bad)}svg .muted{fill:var(--muted)}
svg .axis{stroke:var(--line)}svg .whisker{stroke:var(--fg);stroke-width:2}
svg .ref{stroke:var(--muted);stroke-dasharray:4 3}
main.narrow{max-width:34rem}.ok{color:var(--ok)}.bad{color:var(--bad)}
.code{margin:1rem 0;padding:.75rem;text-align:center;border:2px dashed var(--line);
border-radius:8px;font:600 2rem/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
letter-spacing:.15em;overflow-wrap:anywhere}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1rem}.actions button{flex:1}
button.secondary{border-color:var(--line);background:transparent;color:var(--fg)}
""".strip()
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with a
    # form's POST, which the served platform's Origin check must refuse
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


# secrets


def _mac(secret: str, purpose: str) -> str:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def login_token(secret: str, *, now: float | None = None) -> str:
    """A one-time login token: ``EXPIRY.NONCE.MAC`` under the local admin secret."""
    expiry = int((time.time() if now is None else now) + LINK_SECONDS)
    nonce = secrets.token_urlsafe(12)
    return f"{expiry}.{nonce}.{_mac(secret, f'console-login:{expiry}:{nonce}')}"


def login_link(base_url: str, secret: str) -> str:
    """The link ``flow local console`` prints: it sets the console cookie, once."""
    return f"{base_url.rstrip('/')}{PREFIX}/login?{urlencode({'token': login_token(secret)})}"


def session_value(secret: str) -> str:
    """The console cookie's value (derived from the admin secret)."""
    return _mac(secret, "console-session")


def csrf_token(secret: str) -> str:
    """The token every console form carries (only a page behind the cookie shows it)."""
    return _mac(secret, "console-csrf")


# panels and views


@dataclass(frozen=True)
class Panel:
    """One page of the console: ``render(view)`` returns its HTML; ``action(view, form)``
    (optional) handles its forms' POSTs and returns a message to show."""

    slug: str
    title: str
    render: Callable[[View], str]
    action: Callable[[View, dict[str, str]], str] | None = None
    owner: str = ""


class Console:
    """What ``flow_sdk_local_console_panels(console)`` is given: add panels with :meth:`panel`."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.platform: LocalPlatform = app.platform
        self.panels: dict[str, Panel] = {}
        self.owner = ""
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def panel(
        self,
        slug: str,
        title: str,
        render: Callable[[View], str],
        *,
        action: Callable[[View, dict[str, str]], str] | None = None,
    ) -> Panel:
        """Add a panel at ``/console/SLUG`` (a lowercase word), listed in the navigation."""
        if not slug.replace("-", "").isalnum() or slug != slug.lower() or slug == "login":
            raise ValueError(f"a console panel slug is a lowercase word, not {slug!r}")
        if slug in self.panels:
            raise ValueError(f"console panel {slug!r} is already added")
        panel = Panel(slug, title, render, action, self.owner)
        self.panels[slug] = panel
        return panel

    def redeem(self, token: str) -> bool:
        """Whether ``token`` is a valid login token not used before (it is then used up)."""
        expiry_text, _, rest = token.partition(".")
        nonce, _, mac = rest.partition(".")
        if not expiry_text.isdigit() or not nonce or not mac:
            return False
        expiry = int(expiry_text)
        now = time.time()
        if not now <= expiry <= now + LINK_SECONDS + 5:
            return False
        expected = _mac(self.platform.admin_secret, f"console-login:{expiry}:{nonce}")
        if not hmac.compare_digest(mac, expected):
            return False
        with self._lock:
            self._used = {n: t for n, t in self._used.items() if t >= now}
            if nonce in self._used or not self._record_nonce(nonce, expiry, now):
                return False
            self._used[nonce] = expiry
        return True

    def _record_nonce(self, nonce: str, expiry: float, now: float) -> bool:
        """Note a used nonce in the store (so a restart does not make its link work again),
        dropping the expired ones; False when it was there already."""
        with self.platform.store.transaction() as tx:
            tx.execute(_PRUNE_NONCES, (now,))
            return tx.execute(_NOTE_NONCE, (nonce, expiry)).rowcount == 1

    def _restore_nonces(self) -> None:
        """After a reset wiped the store: note again the nonces used and not yet expired."""
        now = time.time()
        with self._lock:
            live = [(n, t) for n, t in self._used.items() if t >= now]
        with self.platform.store.transaction() as tx:
            for nonce, expiry in live:
                tx.execute(_NOTE_NONCE, (nonce, expiry))


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

    def page(self, kind: str, scope: str | None, size: int = PAGE_SIZE) -> tuple[list[Any], str]:
        """One page of stored documents at ``?cursor``, and the next page's cursor ("")."""
        cursor = self.arg("cursor")
        after = decode_cursor(cursor) if cursor else 0
        with self.store.transaction(write=False) as tx:
            docs = tx.list(kind, scope, after=after, limit=size + 1)
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

    def pager(self, next_cursor: str) -> str:
        """The link to the next page ("" on the last): this page's URL, ``?cursor`` changed."""
        if not next_cursor:
            return ""
        href = e(self.here(cursor=next_cursor))
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


_BAD = {"failed", "error", "errored", "cancelled", "canceled", "timed_out", "bad", "rolled_back"}
_OK = {
    "succeeded",
    "success",
    "ok",
    "completed",
    "done",
    "delivered",
    "active",
    "good",
    "applied",
    "ready",
}


def _tone(status: str) -> str:
    lowered = status.lower()
    if lowered in _BAD:
        return "bad"
    if lowered in _OK:
        return "ok"
    return "bar" if lowered in ("", "running", "pending") else "muted"


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def _hidden(values: dict[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in values.items() if v
    )


class Markup(str):
    """Text already HTML (a table cell or detail value not to escape)."""


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


_NEXT = re.compile(r'rel="next" href="([^"]+)"')


def next_page(page: str) -> str:
    """The "Next page →" link of a rendered console page, as a path to get; "" on the last
    page. What a panel's test follows to check its paging."""
    found = _NEXT.search(page)
    return html.unescape(found.group(1)) if found else ""


def link(href: str, text: str) -> Markup:
    """A link as a table cell."""
    return Markup(f'<a href="{e(href)}">{e(text)}</a>')


# pages


def _page(
    title: str,
    body: str,
    status: int = 200,
    extra: dict[str, str] | None = None,
    *,
    site: str = "Flow console",
) -> Response:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)} · {e(site)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
    return Response(
        status,
        document.encode(),
        {**_HEADERS, **(extra or {})},
        media_type="text/html; charset=utf-8",
    )


def plain_page(title: str, body: str, status: int = 200) -> Response:
    """A page in the console's style and with its headers (CSP, no framing, no caching)
    but without the panel frame: for a page reached without the console cookie, such
    as the CLI login approval page. ``body`` is HTML, shown under the ``title`` heading."""
    return _page(
        title,
        '<header><span class="brand">Flow local platform</span></header>'
        f'<main class="narrow"><section><h1>{e(title)}</h1>{body}</section></main>',
        status,
        site="Flow local platform",
    )


def _refused(title: str, text: str, status: int = 403) -> Response:
    return _page(title, f"<main><section><h1>{e(title)}</h1><p>{text}</p></section></main>", status)


_HOW_TO_GET_IN = (
    "Run <code>flow local console</code> in a terminal: it prints a one-time link that "
    "lets this browser in."
)


def _cookie(request: Request, name: str) -> str:
    for part in (request.header("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _frame(view: View, body: str, notice: str = "", error: str = "") -> str:
    console = view.console
    items = "".join(
        f'<li><a href="{e(view.url(p.slug))}"'
        + (' aria-current="page"' if p.slug == view.panel.slug else "")
        + f">{e(p.title)}</a></li>"
        for p in console.panels.values()
    )
    with view.store.transaction(write=False) as tx:
        orgs = tx.list("org", "", limit=200)
        workspaces = tx.list("workspace", view.org_id, limit=200) if view.org_id else []
    org_options = '<option value="">All orgs</option>' + "".join(
        f'<option value="{e(o.id)}"{" selected" if o.id == view.org_id else ""}>'
        f"{e(str(o.data.get('name', o.id)))}</option>"
        for o in orgs
    )
    ws_options = '<option value="">All workspaces</option>' + "".join(
        f'<option value="{e(w.id)}"{" selected" if w.id == view.workspace_id else ""}>'
        f"{e(str(w.data.get('name', w.id)))}</option>"
        for w in workspaces
    )
    switcher = (
        f'<form method="get" class="inline" action="{e(PREFIX)}/{e(view.panel.slug)}" '
        'aria-label="Organisation and workspace">'
        f'<label>Org<select name="org" id="org">{org_options}</select></label>'
        f'<label>Workspace<select name="ws" id="ws">{ws_options}</select></label>'
        '<button type="submit" id="switch">Switch</button></form>'
    )
    message = (f'<p class="notice" role="status" id="notice">{e(notice)}</p>' if notice else "") + (
        f'<p class="error" role="alert" id="error">{e(error)}</p>' if error else ""
    )
    return (
        '<header><span class="brand">Flow local console</span>'
        f'<nav aria-label="Panels"><ul>{items}</ul></nav>{switcher}</header>'
        f"<main><h1>{e(view.panel.title)}</h1>{message}{body}</main>"
    )


def _show(view: View, notice: str = "", error: str = "", status: int = 200) -> Response:
    try:
        body = view.panel.render(view)
    except HTTPError:
        raise
    except Exception:
        logger.exception("console panel %s failed", view.panel.slug)
        body = '<section><p class="error">This panel failed; see the platform log.</p></section>'
    return _page(view.panel.title, _frame(view, body, notice, error), status)


def install(app: App) -> Console:
    """Add the ``/console`` routes; panels come from flow-sdk-local and the hook."""
    console = Console(app)
    platform = app.platform
    app.migration("local-0001-console-login-nonces", _NONCE_MIGRATION)
    app.on_reset(console._restore_nonces)
    opts: dict[str, Any] = {"auth": "none", "transaction": False, "tags": ("console",)}

    def admitted(request: Request) -> bool:
        return hmac.compare_digest(_cookie(request, COOKIE), session_value(platform.admin_secret))

    @app.get(f"{PREFIX}/login", **opts)
    def login(request: Request) -> Response:
        """Redeem a one-time link: set the console cookie and go to the overview."""
        if not console.redeem(request.query_one("token") or ""):
            return _refused(
                "This link has expired",
                "Each link works once, for a few minutes. " + _HOW_TO_GET_IN,
            )
        cookie = (
            f"{COOKIE}={session_value(platform.admin_secret)}; Path={PREFIX}; HttpOnly; "
            "SameSite=Strict"
        )
        return Response(
            303,
            b"",
            {**_HEADERS, "Location": f"{PREFIX}/overview", "Set-Cookie": cookie},
            media_type="text/plain",
        )

    def view_of(request: Request, slug: str) -> View | Response:
        if not admitted(request):
            return _refused("Sign in to the console", _HOW_TO_GET_IN)
        panel = console.panels.get(slug)
        if panel is None:
            return _refused("No such panel", "A plugin may not be installed.", 404)
        return View(console, panel, request)

    @app.get("/", **opts)
    def root(request: Request) -> Response:
        """A browser opening the served platform's address is sent to the console; any
        other client gets the 404 of a path no route serves."""
        if "text/html" not in (request.header("accept") or ""):
            raise route_not_found("GET", "/")
        return Response(303, b"", {**_HEADERS, "Location": PREFIX}, media_type="text/plain")

    @app.get(PREFIX, **opts)
    def home(request: Request) -> Response:
        """The console's first panel."""
        view = view_of(request, next(iter(console.panels), ""))
        return view if isinstance(view, Response) else _show(view)

    @app.get(f"{PREFIX}/{{panel}}", **opts)
    def show(request: Request) -> Response:
        """One console panel."""
        view = view_of(request, request.params["panel"])
        return view if isinstance(view, Response) else _show(view)

    @app.post(f"{PREFIX}/{{panel}}", **opts)
    def act(request: Request) -> Response:
        """A console form: the CSRF token must come with it."""
        view = view_of(request, request.params["panel"])
        if isinstance(view, Response):
            return view
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        fields = (
            parse_qs(request.body.decode("utf-8", "replace"), max_num_fields=32)
            if content_type == _FORM
            else {}
        )
        form = {k: v[-1] for k, v in fields.items()}
        if not hmac.compare_digest(form.get("csrf", ""), view.csrf):
            return _refused("This form has expired", "Reload the page and send the form again.")
        if view.panel.action is None:
            return _refused("Nothing to do here", "This panel has no forms.", 405)
        try:
            notice = view.panel.action(view, form)
        except ValueError as exc:
            return _show(view, error=str(exc), status=422)
        return _show(view, notice=notice)

    console.owner = "flow-sdk-local"
    console.panel("overview", "Overview", _overview)
    console.panel("platform", "Platform", _controls, action=_control_action)
    for name, call in per_plugin(platform.plugin_manager, "flow_sdk_local_console_panels"):
        console.owner = name
        try:
            call(console=console)
        except Exception:
            logger.exception("local platform: plugin %s failed to add console panels", name)
            if os.environ.get("FLOW_STRICT_PLUGINS", "") not in ("", "0", "false", "no"):
                raise
    console.owner = ""
    # The navigation: the overview first, the plugins' panels by title (the same order
    # whatever order the plugins load in), the platform's own controls last.
    contributed = sorted(
        (p for p in console.panels.values() if p.owner != "flow-sdk-local"),
        key=lambda p: p.title.lower(),
    )
    panels = [console.panels["overview"], *contributed, console.panels["platform"]]
    console.panels = {p.slug: p for p in panels}
    app.console = console
    return console


# flow-sdk-local's panels


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
