"""The "Services" console panel over plain HTTP: the org's services, a service's endpoints
and versions (paged, what each changed, the code of each), escaping, and no state change
by a POST."""

from __future__ import annotations

import html
import re
import time
from typing import Any

from flow_sdk_hosted_services._console import status_of, what_changed
from flow_sdk_local.console import csrf_token, next_page
from hosted_services_support import ECHO, GREET, GREET_V2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ORG = "org=org_dev&ws=ws_dev"


def test_the_panel_lists_the_orgs_services(served_platform: Any) -> None:
    sdk = served_platform.client()
    live = sdk.hosted_services.create(
        name="greeter", endpoints=[{"method": "GET", "path": "/greet/{name}", "handler": GREET}]
    )
    sdk.hosted_services.publish(live.id)
    draft = sdk.hosted_services.create(name="sketch")
    console = served_platform.console()
    page = console.get(f"/console/services?{ORG}")
    assert page.status_code == 200, page.text
    assert 'aria-current="page">Services</a>' in page.text
    assert "<h2>Hosted services</h2>" in page.text
    row = re.search(r"<tr><td><a [^>]*>greeter</a></td>(.*?)</tr>", page.text)
    assert row, page.text
    assert '<span class="badge ok">v1 live</span>' in row.group(1)
    assert "<td>v1</td><td>1</td>" in row.group(1)
    assert f"<td>/api/v1/orgs/org_dev/services/{live.id}/</td>" in row.group(1)
    sketch = re.search(r"<tr><td><a [^>]*>sketch</a></td>(.*?)</tr>", page.text)
    assert sketch, page.text
    assert '<span class="badge">draft</span>' in sketch.group(1)
    assert "<td>none</td><td>0</td>" in sketch.group(1)
    assert f"id={draft.id}" in page.text
    # services belong to the org: a workspace is not needed, an org is
    assert ">greeter</a>" in console.get("/console/services?org=org_dev").text
    assert "Choose an org to see its hosted services" in console.get("/console/services").text


def test_the_list_is_paged(served_platform: Any) -> None:
    sdk = served_platform.client()
    for i in range(23):
        sdk.hosted_services.create(name=f"service {i:02d}")
    console = served_platform.console()
    first = console.get(f"/console/services?{ORG}").text
    assert ">service 00</a>" in first
    assert ">service 19</a>" in first
    assert ">service 20</a>" not in first
    second = console.get(next_page(first)).text
    assert ">service 22</a>" in second
    assert ">service 00</a>" not in second
    assert 'rel="next"' not in second


def test_the_detail_shows_endpoints_versions_and_code(served_platform: Any) -> None:
    sdk = served_platform.client()
    greet = {"method": "GET", "path": "/greet/{name}", "handler": GREET}
    service = sdk.hosted_services.create(
        name="greeter", description="says hello", endpoints=[greet]
    )
    sdk.hosted_services.publish(service.id)
    sdk.hosted_services.update(
        service.id,
        endpoints=[
            {"method": "GET", "path": "/greet/{name}", "handler": GREET_V2},
            {"method": "POST", "path": "/echo", "handler": ECHO, "timeout_s": 3},
        ],
    )
    sdk.hosted_services.publish(service.id)
    sdk.hosted_services.update(service.id, endpoints=[greet])  # a draft not published
    assert sdk.hosted_services.invoke(service.id, "GET", "greet/ann").get("version") == 2
    console = served_platform.console()
    page = console.get(f"/console/services?{ORG}&id={service.id}").text
    assert f"<h2>Service {service.id}</h2>" in page
    assert "says hello" in page
    assert '<span class="badge">v2 live, edited since</span>' in page
    assert "<dt>Current version</dt><dd>v2</dd>" in page
    assert "keeps no log of invocations" in page
    assert "<h2>Endpoints (draft)</h2>" in page
    versions = re.search(r"<h2>Versions</h2>(.*?)</table>", page, re.S)
    assert versions, page
    rows = re.findall(r"<tr>(.*?)</tr>", versions.group(1))
    assert re.findall(r">(v\d+)</a>", versions.group(1)) == ["v2", "v1"]
    assert "+ POST /echo; ~ GET /greet/{name}" in rows[1]
    assert '<span class="badge ok">current</span>' in rows[1]
    assert "first version: GET /greet/{name}" in rows[2]
    assert "current" not in rows[2]
    # the current version: its URLs (latest and pinned) and its code
    assert "<h2>Version v2</h2>" in page
    base = f"/api/v1/orgs/org_dev/services/{service.id}"
    assert f"<code>{base}/echo</code><br><code>{base}/v2/echo</code>" in page
    assert html.escape("hi {params['name']}") in page
    assert "<td>3 s</td>" in page
    # an older version, through its link
    v1_href = re.search(r'<a href="([^"]+)">v1</a>', page)
    assert v1_href
    old = console.get(html.unescape(v1_href.group(1))).text
    assert "<h2>Version v1</h2>" in old
    assert f"<code>{base}/v1/greet/{{name}}</code>" in old
    assert f"<code>{base}/greet/{{name}}</code>" not in old  # not current: no latest URL
    assert "<h2>Endpoints of v1</h2>" in old
    missing = console.get(f"/console/services?{ORG}&id={service.id}&version=9").text
    assert 'id="not-found"' in missing
    assert "no version v9" in missing


def test_the_versions_are_paged_newest_first(served_platform: Any) -> None:
    sdk = served_platform.client()
    service = sdk.hosted_services.create(
        name="busy", endpoints=[{"method": "GET", "path": "/ping", "handler": GREET}]
    )
    for _ in range(23):
        sdk.hosted_services.publish(service.id)
    console = served_platform.console()

    def shown(page: str) -> list[str]:
        table = re.search(r"<h2>Versions</h2>(.*?)</table>", page, re.S)
        assert table, page
        return re.findall(r">(v\d+)</a>", table.group(1))

    first = console.get(f"/console/services?{ORG}&id={service.id}").text
    assert shown(first) == [f"v{n}" for n in range(23, 3, -1)]
    href = next_page(first)
    assert f"id={service.id}" in href
    second = console.get(href).text
    assert shown(second) == ["v3", "v2", "v1"]
    assert "no change" in second
    assert 'rel="next"' not in second


def test_an_unknown_service_or_another_org_is_said_so(served_platform: Any) -> None:
    sdk = served_platform.client()
    service = sdk.hosted_services.create(name="mine")
    console = served_platform.console()
    nope = console.get(f"/console/services?{ORG}&id=svc_nope")
    assert nope.status_code == 200
    assert 'id="not-found"' in nope.text
    elsewhere = console.get(f"/console/services?org=org_other&id={service.id}").text
    assert 'id="not-found"' in elsewhere
    assert ">mine<" not in elsewhere


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
    )
)
def test_names_and_code_are_escaped(served_platform: Any, name: str) -> None:
    sdk = served_platform.client()
    hostile = "<script>alert(1)</script>"
    code = f"def main():\n    return {{'html': {hostile!r}}}  # {name}\n"
    service = sdk.hosted_services.create(
        name=f"{hostile}{name}",
        description=name,
        endpoints=[{"method": "GET", "path": "/x", "handler": code}],
    )
    sdk.hosted_services.publish(service.id)
    console = served_platform.console()
    for url in (f"/console/services?{ORG}", f"/console/services?{ORG}&id={service.id}"):
        page = console.get(url).text
        assert hostile not in page
        assert html.escape(f"{hostile}{name}") in page
    detail = console.get(f"/console/services?{ORG}&id={service.id}").text
    assert html.escape(code) in detail


def test_the_panel_has_no_actions_and_a_post_changes_nothing(served_platform: Any) -> None:
    sdk = served_platform.client()
    service = sdk.hosted_services.create(
        name="still", endpoints=[{"method": "GET", "path": "/x", "handler": GREET}]
    )
    console = served_platform.console()
    page = console.get(f"/console/services?{ORG}&id={service.id}").text
    assert 'method="post"' not in page
    url = f"/console/services?{ORG}&id={service.id}"
    refused = console.post(url, data={"action": "publish", "id": service.id})
    assert refused.status_code == 403
    no_forms = console.post(
        url,
        data={"csrf": csrf_token(served_platform.admin_secret), "action": "publish"},
    )
    assert no_forms.status_code == 405
    assert sdk.hosted_services.versions(service.id) == []
    assert sdk.hosted_services.get(service.id).version == 1


def test_a_page_of_ten_thousand_services_renders_quickly(served_platform: Any) -> None:
    store = served_platform.platform.store
    endpoint = {"method": "GET", "path": "/x", "handler": GREET}
    with store.transaction() as tx:
        for i in range(10_000):
            tx.insert(
                "hosted_service",
                "org_dev",
                f"svc_{i:016x}",
                {"name": f"bulk {i}", "endpoints": [endpoint], "versions": []},
            )
    console = served_platform.console()
    console.get(f"/console/services?{ORG}")  # warm
    started = time.perf_counter()
    page = console.get(f"/console/services?{ORG}").text
    took = time.perf_counter() - started
    assert ">bulk 0</a>" in page
    assert ">bulk 20</a>" not in page
    assert took < 0.5, took


def test_status_and_changes_in_words() -> None:
    greet = {"method": "GET", "path": "/g", "handler": "a"}
    block = {"method": "GET", "path": "/b", "code_block_id": "cb_1", "workspace_id": "ws"}
    frozen = {**block, "handler": "code", "code_block_version": 3, "timeout_s": None}
    version = {"version": 1, "name": "s", "endpoints": [greet, frozen]}
    assert status_of({"name": "s", "endpoints": [greet]}) == ("draft", "")
    assert status_of({"name": "s", "endpoints": [greet, block], "versions": [version]}) == (
        "v1 live",
        "ok",
    )
    renamed = {"name": "t", "endpoints": [greet, block], "versions": [version]}
    assert status_of(renamed) == ("v1 live, edited since", "")
    later = {"version": 2, "name": "t", "endpoints": [{**greet, "handler": "b"}]}
    assert what_changed(version, later) == "- GET /b; ~ GET /g; renamed to 't'"
    assert what_changed(None, version) == "first version: GET /g, GET /b"
