"""The "Policies" console panel over plain HTTP: the list (paged, filtered), a policy's
detail, "would this be allowed?" answered as the SDK's evaluate answers, escaping."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import pytest
from flow_sdk import CLIClient, CLIValidationError
from flow_sdk_local.console import csrf_token
from flow_sdk_policies.local._console import refusal
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import ADMIN

PAGE = "/console/policies"
WS = {"org": "org_dev", "ws": "ws_dev"}
HOSTILE = "<script>alert(1)</script>"

RULES = [
    ADMIN,
    {
        "name": "read datasets",
        "effect": "allow",
        "actions": ["datasets:read"],
        "resources": ["datasets", "datasets/*"],
    },
    {
        "name": "no prod",
        "effect": "deny",
        "principals": ["user:u2"],
        "actions": ["datasets:*"],
        "resources": ["datasets/prod*"],
    },
    {
        "name": "agents for u1",
        "effect": "allow",
        "principals": ["user:u1"],
        "actions": ["components:*"],
        "resources": ["components/agent/*"],
    },
    {
        "name": "nothing on secrets",
        "effect": "deny",
        "actions": ["*"],
        "resources": ["secrets*"],
    },
]
PRINCIPALS = ["user:usr_dev", "user:u1", "user:u2", "service:bot"]
ACTIONS = ["datasets:read", "datasets:delete", "components:create", "policies:read", "secrets:read"]
RESOURCES = ["datasets", "datasets/ds_1", "datasets/prod_1", "components/agent/cmp_1", "secrets/s1"]


def _ask(console: Any, principal: str, action: str, resource: str) -> Any:
    query = {**WS, "ask": "1", "principal": principal, "action": action, "resource": resource}
    return console.get(PAGE, params=query)


def _answer(page: str) -> tuple[bool, str, list[str]]:
    """What the panel answered: allowed, the reason, the ids of the matching policies."""
    verdict = re.search(
        r'<p id="verdict"><span class="badge (ok|bad)">(Allowed|Denied)</span>', page
    )
    assert verdict, page
    assert (verdict.group(1) == "ok") == (verdict.group(2) == "Allowed")
    reason = re.search(r'<p id="reason">(.*?)</p>', page, re.S)
    assert reason, page
    matched = page.split('<div id="matched">', 1)[1].split("</div>", 1)[0]
    ids = re.findall(r'<tr><td><a href="[^"]*id=(pol_\w+)[^"]*">', matched)
    return verdict.group(2) == "Allowed", html.unescape(reason.group(1)), ids


def _names(page: str) -> list[str]:
    table = page.split("<h2>Policies in force</h2>", 1)[1]
    return [html.unescape(n) for n in re.findall(r"<tr><td><a [^>]*>(.*?)</a></td>", table)]


def test_without_a_workspace_the_panel_says_what_to_choose(served_platform: Any) -> None:
    console = served_platform.console()
    page = console.get(PAGE)
    assert page.status_code == 200
    assert 'aria-current="page">Policies</a>' in page.text
    assert "Choose an org and a workspace to see their access policies." in page.text
    open_ws = console.get(PAGE, params=WS).text
    assert "No policies: enforcement is off" in open_ws
    assert "No policies here yet." in open_ws


def test_the_list_shows_each_policy_and_is_paged(served_platform: Any) -> None:
    sdk: CLIClient = served_platform.client()
    sdk.policies.create(ADMIN)
    for i in range(24):
        sdk.policies.create(
            name=f"rule {i:02d}",
            effect="deny" if i % 3 == 0 else "allow",
            principals=[f"user:u{i}"],
            actions=["datasets:read", "datasets:delete", "datasets:update", "datasets:x"],
            resources=[f"datasets/ds_{i}"],
        )
    console = served_platform.console()
    first = console.get(PAGE, params=WS).text
    assert "25 policies in force" in first
    assert _names(first) == ["policy admins"] + [f"rule {i:02d}" for i in range(19)]
    row = re.search(r"<td>(pol_\w+)</td><td><span class=\"badge bad\">deny</span></td>", first)
    assert row, first
    assert (
        "<td>who: user:u0; does: datasets:read, datasets:delete, datasets:update (+1 more); "
        "on: datasets/ds_0</td><td>1</td>"
    ) in first
    more = re.search(r'rel="next" href="([^"]+)"', first)
    assert more, first
    second = console.get(html.unescape(more.group(1))).text
    assert _names(second) == [f"rule {i:02d}" for i in range(19, 24)]
    assert 'rel="next"' not in second

    # the filter, and its pages keep it
    denies = console.get(PAGE, params={**WS, "effect": "deny"}).text
    assert _names(denies) == [f"rule {i:02d}" for i in range(0, 24, 3)]
    assert '<option value="deny" selected>deny</option>' in denies
    assert 'id="filter"' in denies
    listed = [p.name for p in sdk.policies.list(effect="deny")]
    assert _names(denies) == listed


def test_the_detail_shows_the_rules_and_the_version(served_platform: Any) -> None:
    sdk: CLIClient = served_platform.client()
    admin = sdk.policies.create(ADMIN)
    rule = sdk.policies.create(
        name="read", effect="allow", actions=["datasets:read"], resources=["datasets/*"]
    )
    sdk.policies.update(rule.id, description="everyone reads datasets", principals=["user:*"])
    console = served_platform.console()
    listing = console.get(PAGE, params=WS).text
    href = re.search(rf'<a href="([^"]*id={rule.id}[^"]*)">read</a>', listing)
    assert href, listing
    page = console.get(html.unescape(href.group(1))).text
    assert f"<h2>Policy {rule.id}</h2>" in page
    assert "<dt>Version</dt><dd>2</dd>" in page
    assert "everyone reads datasets" in page
    code = re.search(r"<h2>Rules</h2><pre><code>(.*?)</code></pre>", page, re.S)
    assert code, page
    rules = html.unescape(code.group(1))
    assert '"principals": [\n    "user:*"\n  ]' in rules
    assert '"resources": [\n    "datasets/*"\n  ]' in rules
    assert '"effect": "allow"' in rules
    assert 'id="no-history"' in page
    assert "(version 2)" in page
    assert sdk.policies.get(rule.id).version == 2
    assert f"<h2>Policy {admin.id}</h2>" not in page
    gone = console.get(PAGE, params={**WS, "id": "pol_nope"})
    assert gone.status_code == 200
    assert 'id="not-found"' in gone.text


def test_the_panel_answers_as_the_api(served_platform: Any) -> None:
    sdk: CLIClient = served_platform.client()
    created = {sdk.policies.create(body).name: body for body in RULES}
    assert len(created) == len(RULES)
    console = served_platform.console()

    # one worked case: the deny wins over the allow, and the patterns that matched are shown
    page = _ask(console, "user:u2", "datasets:read", "datasets/prod_1").text
    allowed, reason, ids = _answer(page)
    api = sdk.policies.evaluate("user:u2", "datasets:read", "datasets/prod_1")
    assert allowed is False is api.allowed
    assert reason == api.reason
    assert reason.startswith("denied by policy pol_")
    assert ids == [m.id for m in api.matched_policies]
    assert len(ids) == 2
    assert ">no prod</a></td>" in page
    assert ">read datasets</a></td>" in page
    assert "<td>decided</td><td>user:u2</td><td>datasets:*</td><td>datasets/prod*</td>" in page
    assert "<td>overruled by a deny</td><td>*</td><td>datasets:read</td>" in page
    assert '<input type="text" name="principal" id="principal" value="user:u2"' in page

    @settings(max_examples=25, deadline=None)
    @given(
        principal=st.sampled_from(PRINCIPALS),
        action=st.sampled_from(ACTIONS),
        resource=st.sampled_from(RESOURCES),
    )
    def agrees(principal: str, action: str, resource: str) -> None:
        answer = _ask(console, principal, action, resource)
        assert answer.status_code == 200
        allowed, reason, ids = _answer(answer.text)
        api = sdk.policies.evaluate(principal, action, resource)
        assert allowed is api.allowed
        assert reason == api.reason
        assert ids == [m.id for m in api.matched_policies]

    agrees()


def test_an_input_the_platform_refuses_is_a_clear_error(served_platform: Any) -> None:
    sdk: CLIClient = served_platform.client()
    sdk.policies.create(ADMIN)
    console = served_platform.console()
    for principal, action, resource, field in [
        ("user:u1", "", "datasets", "action"),
        ("", "datasets:read", "datasets", "principal"),
        ("user:u1", "datasets:read", "d" * 1025, "resource"),
    ]:
        page = _ask(console, principal, action, resource)
        assert page.status_code == 200
        error = re.search(r'<p class="error" role="alert" id="eval-error">(.*?)</p>', page.text)
        assert error, page.text
        assert f"({field}: Expected `str` of length" in html.unescape(error.group(1))
        assert 'id="verdict"' not in page.text
        with pytest.raises(CLIValidationError, match=field):
            sdk.policies.evaluate(principal, action, resource)
    assert refusal("user:u1", "a:b", "c") == ""


def test_a_workspace_without_policies_is_open_but_evaluates_to_denied(
    served_platform: Any,
) -> None:
    sdk: CLIClient = served_platform.client()
    console = served_platform.console()
    page = _ask(console, "user:u1", "datasets:read", "datasets").text
    allowed, reason, ids = _answer(page)
    api = sdk.policies.evaluate("user:u1", "datasets:read", "datasets")
    assert (allowed, reason, ids) == (False, api.reason, [])
    assert 'id="open"' in page
    assert "No policy matches this request, so it is denied." in page


def test_hostile_names_and_inputs_are_escaped(served_platform: Any) -> None:
    sdk: CLIClient = served_platform.client()
    sdk.policies.create(ADMIN)
    bad = sdk.policies.create(
        name=HOSTILE,
        effect="allow",
        principals=["<b>x</b>"],
        actions=["<img/src=x/onerror=alert(2)>"],
        resources=["*"],
        description="<i>why</i>",
    )
    console = served_platform.console()
    listing = console.get(PAGE, params=WS).text
    detail = console.get(PAGE, params={**WS, "id": bad.id}).text
    asked = _ask(console, "<b>x</b>", "<img/src=x/onerror=alert(2)>", "<u>r</u>").text
    for page in (listing, detail, asked):
        for raw in (HOSTILE, "<b>x</b>", "<img/src", "<i>why</i>", "<u>r</u>"):
            assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert "&lt;i&gt;why&lt;/i&gt;" in detail
    assert _answer(asked)[:2] == (True, f"allowed by policy {bad.id}")

    @settings(max_examples=15, deadline=None)
    @given(text=st.text(min_size=1, max_size=24))
    def echoed(text: str) -> None:
        answer = _ask(console, text, text, text)
        assert answer.status_code == 200
        value = re.search(r'name="principal" id="principal" value="([^"]*)"', answer.text)
        assert value, answer.text
        assert html.unescape(value.group(1)) == text
        allowed, reason, ids = _answer(answer.text)
        api = sdk.policies.evaluate(text, text, text)
        assert (allowed, reason, ids) == (
            api.allowed,
            api.reason,
            [m.id for m in api.matched_policies],
        )

    echoed()


def test_a_post_is_refused_without_the_csrf_token(served_platform: Any) -> None:
    sdk: CLIClient = served_platform.client()
    admin = sdk.policies.create(ADMIN)
    console = served_platform.console()
    refused = console.post(f"{PAGE}?org=org_dev&ws=ws_dev", data={"action": "delete"})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    token = csrf_token(served_platform.admin_secret)
    nothing = console.post(f"{PAGE}?org=org_dev&ws=ws_dev", data={"csrf": token})
    assert nothing.status_code == 405  # the panel changes nothing
    assert [p.id for p in sdk.policies.list()] == [admin.id]
    assert sdk.policies.get(admin.id).version == 1


def test_a_page_is_quick_with_ten_thousand_policies(served_platform: Any) -> None:
    platform = served_platform.platform
    with platform.store.transaction() as tx:
        for i in range(10_000):
            tx.insert(
                "policies",
                "org_dev/ws_dev",
                f"pol_bulk{i:05d}",
                {
                    "name": f"bulk {i}",
                    "effect": "allow",
                    "actions": ["datasets:read"],
                    "resources": [f"datasets/ds_{i}"],
                    "principals": ["*"],
                },
            )
    console = served_platform.console()
    console.get(PAGE, params=WS)  # warm up
    started = time.perf_counter()
    page = console.get(PAGE, params=WS).text
    took = time.perf_counter() - started
    assert "10000 policies in force" in page
    assert len(_names(page)) == 20
    assert took < 0.5, took
    deny = console.get(PAGE, params={**WS, "effect": "deny"}).text
    assert "No deny policies in this workspace." in deny
