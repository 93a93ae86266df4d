"""The "Deployments" console panel over HTTP: what runs where, the paged and filtered list,
a deployment's history and timeline, promote and roll back (checked through the SDK),
CSRF, another workspace's deployments, escaping."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from flow_sdk_local.console import csrf_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WS = "org=org_dev&ws=ws_dev"
PAGE = f"/console/deployments?{WS}"


@dataclass
class Setup:
    sdk: Any
    canary: Any
    beta: Any
    prod: Any


@pytest.fixture
def setup(served_platform: Any) -> Setup:
    """canary, beta and prod (created out of order), on the served platform."""
    sdk = served_platform.client()
    prod = sdk.rings.create(name="prod", order=30, traffic_percent=100)
    canary = sdk.rings.create(name="canary", order=10, traffic_percent=5)
    beta = sdk.rings.create(name="beta", order=20, traffic_percent=25)
    return Setup(sdk, canary, beta, prod)


def _agent(sdk: Any, name: str = "support", versions: int = 2) -> Any:
    agent = sdk.agents.create(name=name, spec={"temperature": 0.1})
    for n in range(2, versions + 1):
        agent = sdk.agents.update(agent.id, spec={"temperature": n / 10})
    return agent


def _deploy(sdk: Any, agent: Any, ring: Any, version: int | None = None) -> Any:
    return sdk.component_deployments.deploy(
        "agent", agent.id, ring_id=ring.id, version=version, wait=True, timeout_s=10
    )


def _ring_block(page: str, ring: Any) -> str:
    found = re.search(rf'<div id="ring-{ring.id}">(.*?)</div>', page, re.S)
    assert found, page
    return found.group(1)


def _listed(page: str) -> list[str]:
    """The deployment ids the list (not "What runs where") shows, in order."""
    table = page.split("<h2>Deployments</h2>", 1)[1]
    return re.findall(r'<tr><td><a href="[^"]*id=(dep_[0-9a-zA-Z]+)"', table)


def _said(page: str, which: str) -> str:
    """The text of the page's ``#notice`` or ``#error``."""
    found = re.search(rf'id="{which}">(.*?)</p>', page)
    assert found, page
    return html.unescape(found.group(1))


def _post(console: Any, url: str, secret: str, **form: str) -> Any:
    return console.post(url, data={**form, "csrf": csrf_token(secret)})


def test_what_runs_where_shows_each_ring_in_order(served_platform: Any, setup: Setup) -> None:
    sdk = setup.sdk
    agent = _agent(sdk)
    in_canary = _deploy(sdk, agent, setup.canary, version=1)
    in_beta = sdk.component_deployments.promote(in_canary.id, wait=True, timeout_s=10)
    workflow = sdk.workflows.create(name="triage", spec={"steps": []})
    flow = sdk.workflow_deployments.deploy(workflow.id, ring_id=setup.canary.id, wait=True)
    console = served_platform.console()
    page = console.get(PAGE)
    assert page.status_code == 200, page.text
    text = page.text
    assert 'aria-current="page">Deployments</a>' in text
    assert "<h2>What runs where</h2>" in text
    captions = re.findall(r"<h3>(\w+) · order (\d+) · (\d+) % of traffic</h3>", text)
    assert captions == [("canary", "10", "5"), ("beta", "20", "25"), ("prod", "30", "100")]
    canary = _ring_block(text, setup.canary)
    assert f">support (agent {agent.id})</a>" in canary
    assert f">triage (workflow {workflow.id})</a>" in canary
    assert f'id={in_canary.id}">{in_canary.id}</a>' in canary
    assert f'id={flow.id}">{flow.id}</a>' in canary
    assert '<span class="badge ok">active</span>' in canary
    assert f'id={in_beta.id}">{in_beta.id}</a>' in _ring_block(text, setup.beta)
    assert "<td>v1</td>" in _ring_block(text, setup.beta)
    assert "Nothing is deployed in this ring." in _ring_block(text, setup.prod)
    components = f"/console/components?org=org_dev&amp;ws=ws_dev&amp;type=agent&amp;id={agent.id}"
    assert f'<a href="{components}">' in canary
    unchosen = console.get("/console/deployments").text
    assert "Choose an org and a workspace to see their rings and deployments." in unchosen


def test_the_list_is_paged_and_filtered_by_ring_status_and_kind(
    served_platform: Any, setup: Setup
) -> None:
    sdk = setup.sdk
    deployed = [_deploy(sdk, _agent(sdk, f"agent {i:02d}", 1), setup.canary) for i in range(23)]
    in_beta = sdk.component_deployments.promote(deployed[5].id, wait=True, timeout_s=10)
    workflow = sdk.workflows.create(name="triage", spec={"steps": []})
    flow = sdk.workflow_deployments.deploy(workflow.id, ring_id=setup.beta.id, wait=True)
    console = served_platform.console()

    first = console.get(PAGE).text
    assert _listed(first) == [d.id for d in deployed[:20]]
    assert 'id="filter"' in first
    more = re.search(r'rel="next" href="([^"]+)"', first)
    assert more, first
    second = console.get(html.unescape(more.group(1))).text
    assert _listed(second) == [d.id for d in deployed[20:]] + [in_beta.id]
    assert 'rel="next"' not in second.split("<h2>Deployments</h2>", 1)[1]
    # "What runs where" shows ten per ring, and links to the rest
    canary = _ring_block(first, setup.canary)
    assert canary.count("<tr><td>") == 10
    assert f"ring={setup.canary.id}" in canary

    beta = console.get(f"{PAGE}&ring={setup.beta.id}").text
    assert _listed(beta) == [in_beta.id]
    assert f'<option value="{setup.beta.id}" selected>beta</option>' in beta
    assert _listed(console.get(f"{PAGE}&status=active&ring={setup.canary.id}").text) == [
        d.id for d in deployed[:20]
    ]
    failed = console.get(f"{PAGE}&status=failed").text
    assert _listed(failed) == []
    assert "No component deployment matches." in failed
    workflows = console.get(f"{PAGE}&kind=workflow").text
    assert "<h3>Workflow deployments</h3>" in workflows
    assert _listed(workflows) == [flow.id]


def test_a_deployment_shows_its_history_and_timeline(served_platform: Any, setup: Setup) -> None:
    sdk = setup.sdk
    agent = _agent(sdk, versions=3)
    first = _deploy(sdk, agent, setup.canary, version=1)
    _deploy(sdk, agent, setup.canary, version=3)
    back = sdk.component_deployments.rollback(first.id, wait=True, timeout_s=10)
    assert back.component_version == 1
    console = served_platform.console()
    listing = console.get(PAGE).text
    href = re.search(rf'<a href="([^"]+)">{first.id}</a>', listing)
    assert href, listing
    page = console.get(html.unescape(href.group(1))).text  # the link from the list
    assert f"<h2>Deployment {first.id}</h2>" in page
    assert "<dt>Version</dt><dd>v1</dd>" in page
    assert f"<dt>Ring</dt><dd>canary ({setup.canary.id})</dd>" in page
    assert '<dd><span class="badge ok">active</span></dd>' in page
    assert "<dt>Can roll back to</dt><dd>nothing</dd>" in page
    history = page.split("<h2>History</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<tr><td>([^<]+ UTC)</td><td>([^<]+)</td><td>([^<]*)</td><td>([^<]+)</td>", history
    )
    assert [row[1:] for row in rows] == [
        ("rolled back", "v3", "v1"),
        ("deployed", "v1", "v3"),
        ("deployed", "", "v1"),
    ]
    assert '<th scope="col">By</th><th scope="col">Reason</th>' in history
    assert history.count("<td>usr_dev</td>") == 3  # who (the SDK's user); why: none given
    timeline = re.search(
        r'<svg role="img" aria-label="Versions in this ring over time".*?</svg>', page, re.S
    )
    assert timeline, page
    assert timeline.group(0).count("<rect") == 3
    assert '<rect class="bad"' in timeline.group(0)  # v3 was rolled back
    assert "v1 rollback" in timeline.group(0)
    assert 'id="no-rollback"' in page  # v1 is all the ring has had now
    assert 'id="promote"' in page
    missing = console.get(f"{PAGE}&id=dep_nope").text
    assert 'id="not-found"' in missing


def test_promote_moves_a_version_to_the_next_ring(served_platform: Any, setup: Setup) -> None:
    sdk = setup.sdk
    agent = _agent(sdk)
    deployment = _deploy(sdk, agent, setup.canary, version=2)
    console = served_platform.console()
    detail = f"{PAGE}&id={deployment.id}"
    assert "Promote v2 to beta" in console.get(detail).text
    done = _post(console, detail, served_platform.admin_secret, action="promote", id=deployment.id)
    assert done.status_code == 200, done.text
    assert f"to ring beta ({setup.beta.id})" in _said(done.text, "notice")
    in_beta = list(sdk.component_deployments.list(ring_id=setup.beta.id))
    assert [(d.component_id, d.component_version) for d in in_beta] == [(agent.id, 2)]
    assert sdk.component_deployments.wait(in_beta[0].id, timeout_s=10).status == "active"
    assert [e.action for e in sdk.rings.history(setup.beta.id)] == ["promote"]

    in_prod = sdk.component_deployments.promote(in_beta[0].id, wait=True, timeout_s=10)
    last = console.get(f"{PAGE}&id={in_prod.id}").text
    assert 'id="last-ring"' in last
    refused = _post(
        console,
        f"{PAGE}&id={in_prod.id}",
        served_platform.admin_secret,
        action="promote",
        id=in_prod.id,
    )
    assert refused.status_code == 422
    error = _said(refused.text, "error")
    assert "is the last ring" in error
    assert "Add a ring after it" in error
    assert len(list(sdk.component_deployments.list(component_id=agent.id))) == 3


def test_promote_refuses_a_pending_deployment(
    served_platform: Any, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flow_sdk_deployments._local import deployments

    monkeypatch.setattr(deployments, "ACTIVATION_DELAY_S", 60.0)
    sdk = setup.sdk
    agent = _agent(sdk)
    pending = sdk.component_deployments.deploy("agent", agent.id, ring_id=setup.canary.id)
    console = served_platform.console()
    refused = _post(
        console,
        f"{PAGE}&id={pending.id}",
        served_platform.admin_secret,
        action="promote",
        id=pending.id,
    )
    assert refused.status_code == 422
    assert "only an active deployment can be promoted" in refused.text
    assert list(sdk.component_deployments.list(ring_id=setup.beta.id)) == []


def test_rollback_needs_its_confirmation(served_platform: Any, setup: Setup) -> None:
    sdk = setup.sdk
    agent = _agent(sdk)
    deployment = _deploy(sdk, agent, setup.canary, version=1)
    _deploy(sdk, agent, setup.canary, version=2)
    console = served_platform.console()
    detail = f"{PAGE}&id={deployment.id}"
    page = console.get(detail).text
    assert re.search(
        r'<input type="checkbox" name="confirm" value="rollback" '
        r'id="rollback-confirm" required>',
        page,
    )
    assert "Roll back to v1" in page
    assert "<dt>Can roll back to</dt><dd>v1</dd>" in page
    secret = served_platform.admin_secret
    unconfirmed = _post(console, detail, secret, action="rollback", id=deployment.id)
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm the rollback" in unconfirmed.text
    assert sdk.component_deployments.get(deployment.id).component_version == 2

    done = _post(console, detail, secret, action="rollback", id=deployment.id, confirm="rollback")
    assert done.status_code == 200, done.text
    assert f"Rolled back deployment {deployment.id} to v1" in done.text
    back = sdk.component_deployments.wait(deployment.id, timeout_s=10)
    assert (back.component_version, back.status) == (1, "active")
    assert [e.action for e in back.history] == ["deploy", "deploy", "rollback"]

    again = _post(console, detail, secret, action="rollback", id=deployment.id, confirm="rollback")
    assert again.status_code == 422
    assert "nothing to roll back to" in again.text
    assert "Deploy another version to this ring first." in again.text
    assert len(sdk.component_deployments.get(deployment.id).history) == 3


def test_a_workflow_deployment_rolls_back_too(served_platform: Any, setup: Setup) -> None:
    sdk = setup.sdk
    workflow = sdk.workflows.create(name="triage", spec={"steps": []})
    sdk.workflows.update(workflow.id, description="second version")
    flows = sdk.workflow_deployments
    deployment = flows.deploy(workflow.id, ring_id=setup.canary.id, version=1, wait=True)
    flows.deploy(workflow.id, ring_id=setup.canary.id, version=2, wait=True)
    console = served_platform.console()
    done = _post(
        console,
        f"{PAGE}&id={deployment.id}",
        served_platform.admin_secret,
        action="rollback",
        id=deployment.id,
        confirm="rollback",
    )
    assert done.status_code == 200, done.text
    assert "<dt>Kind</dt><dd>workflow deployment</dd>" in done.text
    assert flows.wait(deployment.id, timeout_s=10).component_version == 1


def test_a_post_without_the_csrf_token_changes_nothing(served_platform: Any, setup: Setup) -> None:
    sdk = setup.sdk
    agent = _agent(sdk)
    deployment = _deploy(sdk, agent, setup.canary, version=1)
    _deploy(sdk, agent, setup.canary, version=2)
    console = served_platform.console()
    detail = f"{PAGE}&id={deployment.id}"
    for form in (
        {"action": "promote", "id": deployment.id},
        {"action": "rollback", "id": deployment.id, "confirm": "rollback"},
        {"action": "rollback", "id": deployment.id, "confirm": "rollback", "csrf": "forged"},
    ):
        refused = console.post(detail, data=form)
        assert refused.status_code == 403
    assert sdk.component_deployments.get(deployment.id).component_version == 2
    assert len(list(sdk.component_deployments.list())) == 1


def test_another_workspaces_deployment_is_out_of_reach(served_platform: Any, setup: Setup) -> None:
    other = served_platform.create_tenant()
    stranger = served_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    ring = stranger.rings.create(name="theirs")
    agent = _agent(stranger, "their agent")
    theirs = _deploy(stranger, agent, ring, version=1)
    _deploy(stranger, agent, ring, version=2)
    console = served_platform.console()
    page = console.get(f"{PAGE}&id={theirs.id}").text
    assert 'id="not-found"' in page
    assert "their agent" not in console.get(PAGE).text
    refused = _post(
        console,
        f"{PAGE}&id={theirs.id}",
        served_platform.admin_secret,
        action="rollback",
        id=theirs.id,
        confirm="rollback",
    )
    assert refused.status_code == 422
    assert f"No deployment {theirs.id!r} in this workspace" in html.unescape(refused.text)
    assert stranger.component_deployments.get(theirs.id).component_version == 2
    # in their own workspace the console sees it
    own = f"/console/deployments?org={other['org_id']}&ws={other['workspace_id']}&id={theirs.id}"
    assert f"<h2>Deployment {theirs.id}</h2>" in console.get(own).text


def test_an_unknown_action_is_refused(served_platform: Any, setup: Setup) -> None:
    console = served_platform.console()
    refused = _post(console, PAGE, served_platform.admin_secret, action="delete", id="dep_x")
    assert refused.status_code == 422
    assert "unknown action" in html.unescape(refused.text)


NAMES = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES)
def test_any_ring_and_component_name_is_escaped(served_platform: Any, name: str) -> None:
    sdk = served_platform.client()
    order = len(list(sdk.rings.list()))
    hostile = f"<script>alert(1)</script>{name} #{order}"  # unique: ring names are
    ring = sdk.rings.create(name=hostile, order=order)
    agent = _agent(sdk, hostile, 1)
    deployment = _deploy(sdk, agent, ring)
    console = served_platform.console()
    for url in (PAGE, f"{PAGE}&id={deployment.id}"):
        page = console.get(url).text
        assert "<script>" not in page
        assert html.escape(hostile) in page


def test_a_long_history_is_paged_and_every_ring_is_linked(
    served_platform: Any, setup: Setup
) -> None:
    sdk = setup.sdk
    agent = _agent(sdk)
    first = _deploy(sdk, agent, setup.canary, version=1)
    for n in range(21):  # 22 events in all: v2, v1, v2, …
        sdk.component_deployments.deploy(
            "agent", agent.id, ring_id=setup.canary.id, version=2 - n % 2
        )
    in_beta = sdk.component_deployments.promote(
        sdk.component_deployments.wait(first.id, timeout_s=10).id, wait=True, timeout_s=10
    )
    console = served_platform.console()
    page = console.get(f"{PAGE}&id={first.id}").text
    history = page.split("<h2>History</h2>", 1)[1]
    assert history.split("</table>", 1)[0].count("<tr><td>") == 20
    more = re.search(r'rel="next" href="([^"]+)"', history)
    assert more, history
    href = html.unescape(more.group(1))
    assert f"id={first.id}" in href
    rest = console.get(href).text.split("<h2>History</h2>", 1)[1].split("</table>", 1)[0]
    assert rest.count("<tr><td>") == 2
    assert "<td>deployed</td><td></td><td>v1</td>" in rest  # the oldest event comes last
    rings = page.split("<h2>This component in every ring</h2>", 1)[1].split("</table>", 1)[0]
    assert f"<td>{first.id}</td>" in rings  # this one, not linked
    assert f'id={in_beta.id}">{in_beta.id}</a>' in rings
    assert rings.index("canary") < rings.index("beta")


def test_ten_thousand_deployments_render_at_once(served_platform: Any, setup: Setup) -> None:
    scope = "org_dev/ws_dev"
    with served_platform.platform.store.transaction() as tx:
        for n in range(10_000):
            ring = (setup.canary, setup.beta)[n % 2]
            event = {
                "action": "deploy",
                "ring_id": ring.id,
                "deployment_id": f"dep_{n:05d}",
                "component_type": "agent",
                "component_id": f"cmp_{n:05d}",
                "component_version": 1,
                "from_version": None,
                "at": tx.now(),
            }
            data = {
                "component_type": "agent",
                "component_id": f"cmp_{n:05d}",
                "component_version": 1,
                "ring_id": ring.id,
                "status": "active",
                "error": None,
                "ready_at": 0,
                "stack": [1],
                "history": [event],
            }
            tx.insert("component_deployment", scope, f"dep_{n:05d}", data)
    console = served_platform.console()
    console.get(PAGE)  # warm
    for url in (PAGE, f"{PAGE}&ring={setup.prod.id}", f"{PAGE}&id=dep_09999"):
        started = time.perf_counter()
        page = console.get(url)
        took = time.perf_counter() - started
        assert page.status_code == 200
        assert took < 0.5, (url, took)
    listing = console.get(PAGE).text
    assert _listed(listing) == [f"dep_{n:05d}" for n in range(20)]
    assert _ring_block(listing, setup.canary).count("<tr><td>") == 10


def test_rings_are_paged_ten_at_a_time(served_platform: Any) -> None:
    sdk = served_platform.client()
    for n in range(12):
        sdk.rings.create(name=f"ring {n:02d}", order=n * 10)
    console = served_platform.console()
    first = console.get(PAGE).text
    names = re.findall(r"<h3>(ring \d\d) · order", first)
    assert names == [f"ring {n:02d}" for n in range(10)]
    more = re.search(r'id="next-rings" href="([^"]+)"', first)
    assert more, first
    second = console.get(html.unescape(more.group(1))).text
    assert re.findall(r"<h3>(ring \d\d) · order", second) == ["ring 10", "ring 11"]
    assert 'id="next-rings"' not in second
    for odd in ("abc", "²", "--5", "99999999999999999999999"):
        odd_page = console.get(f"{PAGE}&rings={odd}&cursor={odd}")
        assert odd_page.status_code == 200
        assert "This panel failed" not in odd_page.text
