"""The console's View helpers, as a plugin's panel uses them: paging that keeps the page's
query, forms that keep it and carry hidden values, and the SVG timeline and interval chart
(escaped whatever the labels)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flow_sdk.hookspecs import hookimpl
from flow_sdk_local import LocalPlatform
from flow_sdk_local.console import COOKIE, Interval, Span, View, csrf_token, session_value
from hypothesis import given, settings
from hypothesis import strategies as st

LABELS = st.text(min_size=1, max_size=30)


def _render(view: View) -> str:
    spans = [
        Span("fetch", 100.0, 100.25, "succeeded"),
        Span("<b>parse</b>", 100.25, 101.0, "failed"),
        Span("store", 101.0, None, "running"),
    ]
    intervals = [
        Interval("control", 0.10, 0.08, 0.12),
        Interval("variant <b>", 0.14, 0.11, 0.17, tone="ok"),
    ]
    return (
        view.section(
            view.table("Things", ("Name",), [("one",)], "CURSOR"),
            view.form(
                view.select("kind", "Kind", ["a", ("b", "Bee <b>")], chosen="b"),
                "Act",
                action="act",
                values={"id": "thing_1"},
            ),
            view.get_form("Filter", view.field("q", "Query", "x<y"), "Filter", button_id="f"),
            view.code({"b": 1, "a": "<tag>"}),
            str(view.badge("failed", "bad")),
        )
        + view.timeline("Steps", spans)
        + view.interval_chart("Conversion", intervals, reference=0.10)
    )


def _act(view: View, form: dict[str, str]) -> str:
    return f"acted on {form['id']} with {form['kind']} at {view.arg('type')}"


class _Panels:
    @hookimpl
    def flow_sdk_local_console_panels(self, console: Any) -> None:
        console.panel("things", "Things", _render, action=_act)


def _get(platform: LocalPlatform, target: str) -> str:
    path, _, query = target.partition("?")
    cookie = f"{COOKIE}={session_value(platform.admin_secret)}"
    wire = platform.handle("GET", path, query, {"cookie": cookie}, b"")
    assert wire.status == 200, wire.body
    return bytes(wire.body).decode()


def test_paging_and_forms_keep_the_page_query() -> None:
    platform = LocalPlatform(plugins=[_Panels()])
    page = _get(platform, "/console/things?org=o&ws=w&type=agent&id=x&cursor=OLD")
    next_href = html.unescape(re.search(r'rel="next" href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert parse_qs(urlsplit(next_href).query) == {
        "org": ["o"],
        "ws": ["w"],
        "type": ["agent"],
        "id": ["x"],
        "cursor": ["CURSOR"],
    }
    post = re.search(r'<form method="post" class="inline" action="([^"]+)">', page)
    assert post is not None
    assert "cursor" not in html.unescape(post.group(1))
    assert "type=agent" in html.unescape(post.group(1))
    assert '<input type="hidden" name="id" value="thing_1">' in page
    assert '<option value="b" selected>Bee &lt;b&gt;</option>' in page
    assert 'aria-label="Filter"' in page
    assert '<input type="hidden" name="org" value="o">' in page
    assert 'value="x&lt;y"' in page
    assert "&quot;a&quot;: &quot;&lt;tag&gt;&quot;" in page
    assert '<span class="badge bad">failed</span>' in page


def test_an_action_gets_its_hidden_values_and_the_page_query() -> None:
    platform = LocalPlatform(plugins=[_Panels()])
    cookie = f"{COOKIE}={session_value(platform.admin_secret)}"
    body = f"csrf={csrf_token(platform.admin_secret)}&action=act&id=thing_1&kind=b".encode()
    headers = {"cookie": cookie, "content-type": "application/x-www-form-urlencoded"}
    wire = platform.handle("POST", "/console/things", "type=agent", headers, body)
    assert wire.status == 200, wire.body
    assert b"acted on thing_1 with b at agent" in wire.body


def test_the_timeline_draws_each_step_with_its_duration() -> None:
    page = _get(LocalPlatform(plugins=[_Panels()]), "/console/things")
    timeline = re.search(r'<svg role="img" aria-label="Steps".*?</svg>', page, re.S)
    assert timeline is not None
    svg = timeline.group(0)
    assert svg.count("<rect") == 3
    assert ">250 ms</text>" in svg
    assert "&lt;b&gt;parse&lt;/b&gt;: failed, 750 ms" in svg
    assert 'class="bad"' in svg  # the failed step is red
    assert 'class="ok"' in svg
    assert ">running</text>" in svg
    widths = [
        float(w) for w in re.findall(r'<rect class="\w+" x="[\d.]+" y="\d+" width="([\d.]+)"', svg)
    ]
    assert widths[1] == 3 * widths[0]  # 750 ms against 250 ms


def test_the_interval_chart_draws_estimates_whiskers_and_the_reference() -> None:
    page = _get(LocalPlatform(plugins=[_Panels()]), "/console/things")
    chart = re.search(r'<svg role="img" aria-label="Conversion".*?</svg>', page, re.S)
    assert chart is not None
    svg = chart.group(0)
    assert svg.count('class="whisker"') == 2
    assert svg.count("<circle") == 2
    assert 'class="ref"' in svg
    assert "0.14 [0.11, 0.17]" in svg
    assert "variant &lt;b&gt;" in svg
    circles = [float(x) for x in re.findall(r'<circle class="\w+" cx="([\d.]+)"', svg)]
    reference = float(re.search(r'class="ref" x1="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert circles[0] == reference  # the control sits on its own reference line
    assert circles[1] > reference


@settings(max_examples=30, deadline=None)
@given(labels=st.lists(LABELS, min_size=1, max_size=4))
def test_chart_labels_are_always_escaped(labels: list[str]) -> None:
    platform = LocalPlatform()
    console = platform.app.console

    def render(view: View) -> str:
        spans = [Span(label, float(i), float(i + 1), label) for i, label in enumerate(labels)]
        intervals = [Interval(label, 1.0, 0.0, 2.0, tone=label) for label in labels]
        return view.timeline(labels[0], spans) + view.interval_chart(labels[0], intervals)

    console.panel("charts", "Charts", render)
    page = _get(platform, "/console/charts")
    body = page.split("<main>", 1)[1]
    for label in labels:
        assert html.escape(label) in body  # each step's title names it in full, escaped
    tags = set(re.findall(r"<(/?[a-zA-Z][a-zA-Z0-9]*)", body))
    assert tags <= {
        "h1",
        "/h1",
        "h2",
        "/h2",
        "svg",
        "/svg",
        "title",
        "/title",
        "g",
        "/g",
        "text",
        "/text",
        "rect",
        "circle",
        "line",
        "main",
        "/main",
        "/body",
        "/html",
    }
