"""The page shell: the stylesheet (allowed by its hash in the CSP), the headers every
console page carries, a plain page, a refusal, and a panel in its frame (navigation,
org and workspace switcher, the message of a form sent)."""

from __future__ import annotations

import base64
import hashlib
import html
import logging
from typing import TYPE_CHECKING

from .._http import HTTPError, Response
from ._tokens import PREFIX

if TYPE_CHECKING:
    from ._view import View

logger = logging.getLogger("flow_sdk")
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
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:0 0 .75rem}
header form.inline{margin:0}
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
