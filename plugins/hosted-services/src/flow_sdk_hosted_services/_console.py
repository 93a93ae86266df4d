"""The "Services" panel of the local platform's web console (``flow local console``).

It shows the chosen org's hosted services (paged: name, status, current version,
URL), and one service (``?id=``): its draft endpoints, its published versions
(paged, newest first, with what each changed) and the endpoints, URLs and
handler code of the version chosen (``?version=``, the current one by default).
Services belong to an org, so an org is all the panel needs. The local platform
keeps no log of invocations, so there is none to show, and the routes have no
roll-back or stop to offer as an action. Imported inside the
``flow_sdk_local_console_panels`` hook only.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Literal

from flow_sdk.plugin import service_url
from flow_sdk_local.console import Markup

from ._local import KIND

if TYPE_CHECKING:
    from flow_sdk_local.console import Console, View

__all__ = ["install", "status_of", "what_changed"]

VERSIONS_PAGE = 20


def _behaviour(endpoint: dict[str, Any]) -> tuple[Any, ...]:
    """What an endpoint answers with, alike in the draft and in a version: publishing
    copies a code block's code in, so for those the block named is what counts."""
    route = (endpoint.get("method"), endpoint.get("path"))
    if endpoint.get("code_block_id"):
        return (*route, endpoint["code_block_id"], endpoint.get("workspace_id"))
    return (*route, endpoint.get("handler"), endpoint.get("timeout_s"))


def status_of(data: dict[str, Any]) -> tuple[str, Literal["ok", ""]]:
    """The service's status in words, and its tone: a draft until published; then
    whether the definition was edited since the current version."""
    versions = data.get("versions") or []
    if not versions:
        return "draft", ""
    current = versions[-1]
    edited = current.get("name") != data.get("name") or [
        _behaviour(e) for e in data.get("endpoints") or []
    ] != [_behaviour(e) for e in current.get("endpoints") or []]
    if edited:
        return f"v{current['version']} live, edited since", ""
    return f"v{current['version']} live", "ok"


def _route(endpoint: dict[str, Any]) -> str:
    return f"{endpoint.get('method', '')} {endpoint.get('path', '')}"


def what_changed(previous: dict[str, Any] | None, version: dict[str, Any]) -> str:
    """A version's endpoints against the one before: ``+`` added, ``-`` removed,
    ``~`` changed (handler, code block or timeout), and a new name."""
    if previous is None:
        routes = ", ".join(_route(e) for e in version.get("endpoints") or [])
        return f"first version: {routes or 'no endpoints'}"
    before = {_route(e): e for e in previous.get("endpoints") or []}
    after = {_route(e): e for e in version.get("endpoints") or []}
    parts = [f"+ {r}" for r in after if r not in before]
    parts += [f"- {r}" for r in before if r not in after]
    parts += [f"~ {r}" for r in after if r in before and after[r] != before[r]]
    if previous.get("name") != version.get("name"):
        parts.append(f"renamed to {version.get('name')!r}")
    return "; ".join(parts) or "no change"


def _handler(view: View, endpoint: dict[str, Any]) -> Any:
    block = endpoint.get("code_block_id")
    if block and not endpoint.get("handler"):
        return f"code block {block} of workspace {endpoint.get('workspace_id')}"
    code = view.code(endpoint.get("handler") or "")
    if block:
        pinned = endpoint.get("code_block_version")
        code = f"<p>copied from code block {html.escape(f'{block} v{pinned}')}</p>{code}"
    return Markup(code)


def _timeout(endpoint: dict[str, Any]) -> str:
    timeout = endpoint.get("timeout_s")
    return "default" if timeout is None else f"{timeout:g} s"


def _listing(view: View) -> str:
    docs, cursor = view.page(KIND, view.org_id)
    rows = []
    for doc in docs:
        text, tone = status_of(doc.data)
        latest = doc.data.get("latest_version")
        rows.append(
            (
                view.link(view.url(id=doc.id), doc.data.get("name", doc.id)),
                view.badge(text, tone),
                f"v{latest}" if latest else "none",
                len(doc.data.get("endpoints") or []),
                service_url(view.org_id, doc.id, "", None),
            )
        )
    table = view.table(
        "Hosted services",
        ("Name", "Status", "Current version", "Endpoints", "URL"),
        rows,
        cursor,
        empty="No hosted services in this org. Create one with flow services create.",
    )
    return view.section(table)


def _versions_table(view: View, doc: Any, versions: list[dict[str, Any]]) -> str:
    """The versions newest first, a page at a time: ``?cursor=N`` lists those below vN."""
    below = view.arg("cursor")
    newest_first = list(reversed(versions))
    if below.isdigit():
        newest_first = [v for v in newest_first if v["version"] < int(below)]
    page = newest_first[:VERSIONS_PAGE]
    more = len(newest_first) > VERSIONS_PAGE
    current = versions[-1]["version"] if versions else None
    by_number = {v["version"]: v for v in versions}
    rows = [
        (
            view.link(view.url(id=doc.id, version=str(v["version"])), f"v{v['version']}"),
            v.get("published_at") or "",
            v.get("name", ""),
            what_changed(by_number.get(v["version"] - 1), v),
            view.badge("current", "ok") if v["version"] == current else "",
        )
        for v in page
    ]
    return view.table(
        "Versions",
        ("Version", "Published", "Name", "What changed", "Current"),
        rows,
        str(page[-1]["version"]) if more and page else "",
        empty="Not published yet: flow services publish freezes the definition as v1.",
    )


def _version(view: View, doc: Any, versions: list[dict[str, Any]]) -> str:
    """The version chosen (the current one by default): its endpoints, URLs and code."""
    chosen = view.arg("version")
    by_number = {str(v["version"]): v for v in versions}
    if chosen and chosen not in by_number:
        return view.missing(f"Service {doc.id} has no version v{chosen}.")
    version = by_number.get(chosen) or versions[-1]
    number = version["version"]
    current = number == versions[-1]["version"]
    out = view.detail(
        f"Version v{number}",
        [
            ("Name", version.get("name")),
            ("Published", version.get("published_at") or ""),
            ("Current", view.badge("current", "ok") if current else "no"),
        ],
    )
    rows = []
    for endpoint in version.get("endpoints") or []:
        path = str(endpoint.get("path", ""))
        urls = [service_url(view.org_id, doc.id, path, number)]
        if current:
            urls.insert(0, service_url(view.org_id, doc.id, path, None))
        rows.append(
            (
                _route(endpoint),
                Markup("<br>".join(f"<code>{html.escape(u)}</code>" for u in urls)),
                _timeout(endpoint),
                _handler(view, endpoint),
            )
        )
    out += view.table(f"Endpoints of v{number}", ("Endpoint", "URL", "Timeout", "Handler"), rows)
    return view.section(out)


def _detail(view: View, service_id: str) -> str:
    with view.store.transaction(write=False) as tx:
        doc = tx.get(KIND, view.org_id, service_id)
    if doc is None:
        return view.missing(f"No hosted service {service_id} in this org.")
    data = doc.data
    versions = list(data.get("versions") or [])
    text, tone = status_of(data)
    latest = data.get("latest_version")
    out = view.section(
        view.detail(
            f"Service {doc.id}",
            [
                ("Name", data.get("name")),
                ("Description", data.get("description") or ""),
                ("Status", view.badge(text, tone)),
                ("Current version", f"v{latest}" if latest else "none"),
                ("URL", service_url(view.org_id, doc.id, "", None)),
                ("Edits", doc.version),
                ("Created", doc.created_at),
                ("Updated", doc.updated_at),
            ],
        ),
        '<p class="muted">The local platform keeps no log of invocations: call an endpoint '
        f"with <code>flow services invoke {html.escape(doc.id)} METHOD PATH</code>.</p>",
    )
    draft = [(_route(e), _timeout(e), _handler(view, e)) for e in data.get("endpoints") or []]
    out += view.section(
        view.table(
            "Endpoints (draft)",
            ("Endpoint", "Timeout", "Handler"),
            draft,
            empty="No endpoints: add some with flow services update.",
        ),
        '<p class="muted">The next publish freezes these as a new version.</p>',
    )
    out += view.section(_versions_table(view, doc, versions))
    if versions:
        out += _version(view, doc, versions)
    return out


def install(console: Console) -> None:
    """Add the "Services" panel to ``console``."""

    def render(view: View) -> str:
        if not view.org_id:
            return view.section("<p>Choose an org to see its hosted services.</p>")
        back = view.link(view.url(), "All hosted services")
        service_id = view.arg("id")
        if service_id:
            return f"<p>{back}</p>" + _detail(view, service_id)
        return _listing(view)

    console.panel("services", "Services", render)
