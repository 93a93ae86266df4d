"""The "Components" console panel over plain HTTP: listing, versions, diffs, escaping."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from flow_sdk_components.local.console import field_diff
from flow_sdk_local.console import COOKIE, login_link, next_page, session_value

WS = "org=org_dev&ws=ws_dev"


def _get_in(handle: Any) -> httpx.Client:
    """A client holding the console cookie, got through a one-time link."""
    client = httpx.Client(base_url=handle.url, timeout=10, trust_env=False)
    answer = client.get(login_link(handle.url, handle.admin_secret))
    assert answer.status_code == 303, answer.text
    client.cookies.set(COOKIE, session_value(handle.admin_secret), path="/console")
    return client


def test_the_panel_lists_components_by_type(served_platform: Any) -> None:
    sdk = served_platform.client()
    sdk.agents.create(name="triage agent", spec={"model": "small"})
    sdk.prompts.create(name="greeting prompt", spec={"text": "hello"})
    console = _get_in(served_platform)
    agents = console.get(f"/console/components?{WS}&type=agent")
    assert agents.status_code == 200, agents.text
    assert 'aria-current="page">Components</a>' in agents.text
    assert ">triage agent</a>" in agents.text
    assert "greeting prompt" not in agents.text
    assert '<option value="agent" selected>agent (1)</option>' in agents.text
    prompts = console.get(f"/console/components?{WS}&type=prompt").text
    assert ">greeting prompt</a>" in prompts
    assert "triage agent" not in prompts
    unchosen = console.get("/console/components").text
    assert "Choose an org and a workspace" in unchosen


def test_the_list_is_paged_within_its_type(served_platform: Any) -> None:
    sdk = served_platform.client()
    for i in range(23):
        sdk.models.create(name=f"model {i:02d}")
    console = _get_in(served_platform)
    first = console.get(f"/console/components?{WS}&type=model").text
    assert ">model 00</a>" in first
    assert ">model 22</a>" not in first
    cursor = re.search(r'rel="next" href="([^"]+)"', first)
    assert cursor, first
    href = html.unescape(cursor.group(1))
    assert "type=model" in href
    second = console.get(href).text
    assert ">model 22</a>" in second
    assert ">model 00</a>" not in second


def test_the_detail_shows_versions_and_their_diff(served_platform: Any) -> None:
    sdk = served_platform.client()
    tool = sdk.agents.create(name="planner", spec={"model": "small", "temperature": 0.2})
    sdk.agents.update(tool.id, spec={"model": "large", "temperature": 0.2})
    sdk.agents.update(tool.id, description="plans the day")
    console = _get_in(served_platform)
    page = console.get(f"/console/components?{WS}&type=agent&id={tool.id}").text
    assert f"<h2>Component {tool.id}</h2>" in page
    assert "<h2>Versions</h2>" in page
    for version in (1, 2, 3):
        assert f"<tr><td>{version}</td>" in page
    assert "plans the day" in page
    assert 'id="compare"' in page
    diff = console.get(f"/console/components?{WS}&type=agent&id={tool.id}&a=1&b=2").text
    spec = re.search(r'<pre id="diff-spec"><code>(.*?)</code></pre>', diff, re.S)
    assert spec, diff
    assert "<del>-  &quot;model&quot;: &quot;small&quot;,</del>" in spec.group(1)
    assert "<ins>+  &quot;model&quot;: &quot;large&quot;,</ins>" in spec.group(1)
    assert 'id="diff-name"' not in diff
    assert 'id="diff-description"' not in diff
    described = console.get(f"/console/components?{WS}&type=agent&id={tool.id}&a=2&b=3").text
    assert "<ins>+plans the day</ins>" in described
    assert 'id="diff-spec"' not in described
    same = console.get(f"/console/components?{WS}&type=agent&id={tool.id}&a=2&b=2").text
    assert 'id="no-diff"' in same


def test_names_and_specs_are_escaped(served_platform: Any) -> None:
    sdk = served_platform.client()
    bad = sdk.agents.create(name="<script>alert(1)</script>", spec={"x": "<b>1</b>"})
    sdk.agents.update(bad.id, spec={"x": "<img src=x onerror=alert(2)>"})
    console = _get_in(served_platform)
    listing = console.get(f"/console/components?{WS}&type=agent").text
    assert "<script>alert(1)</script>" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    diff = console.get(f"/console/components?{WS}&type=agent&id={bad.id}&a=1&b=2").text
    assert "<script>" not in diff
    assert "<img" not in diff
    assert "<b>1</b>" not in diff
    assert "&lt;img src=x onerror=alert(2)&gt;" in diff


def test_an_unknown_component_is_said_so(served_platform: Any) -> None:
    console = _get_in(served_platform)
    page = console.get(f"/console/components?{WS}&type=agent&id=cmp_nope")
    assert page.status_code == 200
    assert 'id="not-found"' in page.text


def test_field_diff_is_empty_without_a_change() -> None:
    assert field_diff("spec", {"a": 1}, {"a": 1}, "v1", "v2") == ""
    assert "<ins>+b</ins>" in field_diff("name", "a", "b", "v1", "v2")


def test_the_list_is_searched_by_name_and_the_search_kept_on_every_page(
    served_platform: Any,
) -> None:
    sdk = served_platform.client()
    for i in range(23):
        sdk.agents.create(name=f"Support bot {i:02d}")
    sdk.agents.create(name="triage")
    console = served_platform.console()
    first = console.get(f"/console/components?{WS}&type=agent&q=SUPPORT").text
    assert 'value="SUPPORT"' in first  # the search stays in its field
    assert ">Support bot 00</a>" in first
    assert ">triage</a>" not in first
    second = console.get(next_page(first)).text
    assert ">Support bot 22</a>" in second
    assert ">triage</a>" not in second
    assert next_page(second) == ""
    none = console.get(f"/console/components?{WS}&type=agent&q=%3Cnothing%3E").text
    assert "No agent component&#x27;s name contains &#x27;&lt;nothing&gt;&#x27;." in none
