"""Who did it and why: every deployment event records ``by`` (the user, or "local console")
and, when one was given, ``reason``; through the SDK (in-process and over the socket), the
raw routes, the ``flow`` command and the console panel."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flow_sdk import CLIValidationError
from flow_sdk_local.console import csrf_token

TENANT = "/api/v1/orgs/org_dev/workspaces/ws_dev"
DEV_USER = "usr_dev"


def _latest(flow_client: Any, deployment_id: str) -> Any:
    return flow_client.component_deployments.get(deployment_id).history[-1]


def test_promote_and_rollback_record_who_and_why(flow_client: Any, rings: Any, agent: Any) -> None:
    deployments = flow_client.component_deployments
    first = deployments.deploy("agent", agent.id, ring_id=rings.canary.id, version=1, wait=True)
    assert (first.history[-1].by, first.history[-1].reason) == (DEV_USER, None)

    in_beta = deployments.promote(first.id, wait=True, reason="canary looked healthy for 1 h")
    event = in_beta.history[-1]
    assert (event.action, event.by, event.reason) == (
        "promote",
        DEV_USER,
        "canary looked healthy for 1 h",
    )
    in_prod = deployments.promote(in_beta.id, wait=True)  # no reason
    assert (in_prod.history[-1].by, in_prod.history[-1].reason) == (DEV_USER, None)

    newer = deployments.deploy(
        "agent", agent.id, ring_id=rings.prod.id, wait=True, reason="hotfix: température ↑"
    )
    assert (newer.history[-1].action, newer.history[-1].reason) == (
        "deploy",
        "hotfix: température ↑",
    )
    back = deployments.rollback(newer.id, wait=True, reason="error rate doubled")
    event = back.history[-1]
    assert (event.action, event.by, event.reason) == ("rollback", DEV_USER, "error rate doubled")
    assert _latest(flow_client, newer.id) == event

    again = deployments.deploy("agent", agent.id, ring_id=rings.prod.id, wait=True)
    plain = deployments.rollback(again.id, wait=True)  # no reason
    assert (plain.history[-1].by, plain.history[-1].reason) == (DEV_USER, None)

    # The ring's history holds the same, and the removal is signed too.
    deployments.delete(plain.id)
    prod_history = flow_client.rings.history(rings.prod.id).to_list()
    assert [(e.action, e.by, e.reason) for e in prod_history] == [
        ("promote", DEV_USER, None),
        ("deploy", DEV_USER, "hotfix: température ↑"),
        ("rollback", DEV_USER, "error rate doubled"),
        ("deploy", DEV_USER, None),
        ("rollback", DEV_USER, None),
        ("remove", DEV_USER, None),
    ]


def test_workflow_deployments_record_who_and_why(flow_client: Any, rings: Any) -> None:
    workflow = flow_client.workflows.create(name="triage", spec={"steps": []})
    flow_client.workflows.update(workflow.id, description="second version")
    flows = flow_client.workflow_deployments
    first = flows.deploy(workflow.id, ring_id=rings.canary.id, version=1, wait=True)
    flows.deploy(workflow.id, ring_id=rings.canary.id, version=2, wait=True, reason="v2 ready")
    back = flows.rollback(first.id, wait=True, reason="v2 loops")
    assert [(e.action, e.by, e.reason) for e in back.history] == [
        ("deploy", DEV_USER, None),
        ("deploy", DEV_USER, "v2 ready"),
        ("rollback", DEV_USER, "v2 loops"),
    ]
    promoted = flows.promote(back.id, reason="ship it")
    assert (promoted.history[-1].by, promoted.history[-1].reason) == (DEV_USER, "ship it")


@pytest.mark.parametrize(
    "reason",
    ["", "two\nlines", "a\ttab", "nul\x00", "escape\x1b[31m", "c1\x85", "x" * 501],
    ids=["empty", "newline", "tab", "nul", "escape", "c1", "too-long"],
)
def test_a_bad_reason_is_refused_naming_the_field(
    flow_client: Any, rings: Any, agent: Any, reason: str
) -> None:
    deployments = flow_client.component_deployments
    deployments.deploy("agent", agent.id, ring_id=rings.canary.id, version=1, wait=True)
    first = deployments.deploy("agent", agent.id, ring_id=rings.canary.id, wait=True)
    calls = (
        lambda: deployments.promote(first.id, reason=reason),
        lambda: deployments.rollback(first.id, reason=reason),
        lambda: deployments.deploy("agent", agent.id, ring_id=rings.beta.id, reason=reason),
    )
    for call in calls:
        with pytest.raises(CLIValidationError) as refused:
            call()
        assert refused.value.status_code == 422
        assert "reason" in str(refused.value)
    # Nothing happened.
    assert [d.ring_id for d in deployments.list(component_id=agent.id)] == [rings.canary.id]
    assert [e.action for e in deployments.get(first.id).history] == ["deploy", "deploy"]


def test_the_longest_reason_is_kept(flow_client: Any, rings: Any, agent: Any) -> None:
    deployments = flow_client.component_deployments
    first = deployments.deploy("agent", agent.id, ring_id=rings.canary.id, wait=True)
    longest = "é" * 500  # characters, not bytes
    assert deployments.promote(first.id, reason=longest).history[-1].reason == longest


def test_the_body_is_optional(local_platform: Any, rings: Any, agent: Any) -> None:
    sdk = local_platform.client()
    deployments = sdk.component_deployments
    deployments.deploy("agent", agent.id, ring_id=rings.canary.id, version=1, wait=True)
    first = deployments.deploy("agent", agent.id, ring_id=rings.canary.id, wait=True)
    http = local_platform.http()
    base = f"{TENANT}/component-deployments/{first.id}"

    empty = http.post(f"{base}/promote")  # no body at all, as before
    assert empty.status_code == 201, empty.text
    assert (empty.json()["history"][-1]["by"], empty.json()["history"][-1]["reason"]) == (
        DEV_USER,
        None,
    )
    in_beta = deployments.wait(empty.json()["id"], timeout_s=10)
    for body in ({}, {"reason": None}):
        answer = http.post(f"{base}/rollback", json=body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["history"][-1]["reason"] is None
        deployments.deploy("agent", agent.id, ring_id=rings.canary.id, version=2, wait=True)
    given = http.post(f"{TENANT}/component-deployments/{in_beta.id}/promote", json={"reason": "ok"})
    assert given.status_code == 201, given.text
    assert (given.json()["history"][-1]["by"], given.json()["history"][-1]["reason"]) == (
        DEV_USER,
        "ok",
    )
    unknown = http.post(f"{base}/rollback", json={"why": "ignored"})
    assert unknown.status_code == 200, unknown.text  # like every body: unknown fields ignored
    wrong = http.post(f"{base}/rollback", json={"reason": 5})
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "reason"]


def test_the_cli_takes_a_reason(flow: Any, flow_client_inprocess: Any) -> None:
    client = flow_client_inprocess
    client.rings.create(name="canary")
    client.rings.create(name="prod")
    agent = client.agents.create(name="support", spec={"v": 1})
    client.agents.update(agent.id, spec={"v": 2})
    deployed = flow(
        "deployments", "components", "create", "agent", agent.id,
        "--ring", "canary", "--version", "1", "--wait", "--reason", "first try",
    )  # fmt: skip
    assert deployed.code == 0, deployed.err
    canary = deployed.json()
    assert (canary["history"][-1]["by"], canary["history"][-1]["reason"]) == (
        DEV_USER,
        "first try",
    )

    promoted = flow(
        "deployments", "components", "promote", canary["id"], "--wait", "--reason", "all green"
    )
    assert promoted.code == 0, promoted.err
    prod = promoted.json()
    assert (prod["history"][-1]["by"], prod["history"][-1]["reason"]) == (DEV_USER, "all green")

    flow("deployments", "components", "deploy", "agent", agent.id, "--ring", "prod")
    rolled = flow(
        "deployments", "components", "rollback", prod["id"], "--wait", "--reason", "latency"
    )
    assert rolled.code == 0, rolled.err
    event = rolled.json()["history"][-1]
    assert (event["action"], event["by"], event["reason"]) == ("rollback", DEV_USER, "latency")

    plain = flow("deployments", "components", "deploy", "agent", agent.id, "--ring", "prod")
    assert plain.json()["history"][-1]["reason"] is None
    refused = flow("deployments", "components", "rollback", prod["id"], "--reason", "x" * 501)
    assert refused.code == 1
    assert "reason" in refused.err
    assert client.component_deployments.get(prod["id"]).component_version == 2

    history = flow("rings", "history", prod["ring_id"], "--json").json()
    assert [(e["action"], e["by"], e["reason"]) for e in history] == [
        ("promote", DEV_USER, "all green"),
        ("deploy", DEV_USER, None),
        ("rollback", DEV_USER, "latency"),
        ("deploy", DEV_USER, None),
    ]
    table = flow("rings", "history", prod["ring_id"])
    assert table.code == 0, table.err
    assert "latency" in table.out
    assert DEV_USER in table.out

    for verb in ("promote", "rollback", "create"):
        shown = flow("deployments", "workflows", verb, "--help")
        assert "--reason TEXT" in shown.out


# the console


PAGE = "/console/deployments?org=org_dev&ws=ws_dev"


def _post(console: Any, url: str, secret: str, **form: str) -> Any:
    return console.post(url, data={**form, "csrf": csrf_token(secret)})


def _history_rows(page: str) -> list[tuple[str, ...]]:
    """(What, From, To, By, Reason) of each row of the History table, newest first."""
    table = page.split("<h2>History</h2>", 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">By</th><th scope="col">Reason</th>' in table, table
    rows = re.findall(
        r"<tr><td>[^<]+ UTC</td><td>([^<]+)</td><td>([^<]*)</td><td>([^<]+)</td>"
        r"<td>([^<]*)</td><td>([^<]*)</td></tr>",
        table,
    )
    return [tuple(html.unescape(cell) for cell in row) for row in rows]


def test_the_console_shows_who_and_why(served_platform: Any) -> None:
    sdk = served_platform.client()
    canary = sdk.rings.create(name="canary", order=10)
    beta = sdk.rings.create(name="beta", order=20)
    agent = sdk.agents.create(name="support", spec={"temperature": 0.1})
    sdk.agents.update(agent.id, spec={"temperature": 0.2})
    deployments = sdk.component_deployments
    first = deployments.deploy("agent", agent.id, ring_id=canary.id, version=1, wait=True)
    deployments.deploy(
        "agent", agent.id, ring_id=canary.id, wait=True, reason="<b>new</b> & improved"
    )
    console = served_platform.console()
    secret = served_platform.admin_secret
    detail = f"{PAGE}&id={first.id}"

    page = console.get(detail).text
    assert "not who sent it or why" not in page
    assert _history_rows(page) == [
        ("deployed", "v1", "v2", DEV_USER, "<b>new</b> & improved"),
        ("deployed", "", "v1", DEV_USER, ""),
    ]
    assert "&lt;b&gt;new&lt;/b&gt; &amp; improved" in page  # escaped
    assert re.search(
        r'<label>Reason \(optional\)<input type="text" name="reason" id="reason"', page
    ), page

    # A reason that the API would refuse is refused here too, and nothing happens.
    for bad in ("two\nlines", "x" * 501):
        refused = _post(
            console, detail, secret, action="rollback", id=first.id, confirm="rollback", reason=bad
        )
        assert refused.status_code == 422
        assert "reason must be at most 500 characters" in refused.text
    assert deployments.get(first.id).component_version == 2

    done = _post(
        console,
        detail,
        secret,
        action="rollback",
        id=first.id,
        confirm="rollback",
        reason="v2 answers in French",
    )
    assert done.status_code == 200, done.text
    back = deployments.wait(first.id, timeout_s=10)
    event = back.history[-1]
    assert (event.action, event.by, event.reason) == (
        "rollback",
        "local console",
        "v2 answers in French",
    )
    page = console.get(detail).text
    assert _history_rows(page)[0] == (
        "rolled back",
        "v2",
        "v1",
        "local console",
        "v2 answers in French",
    )

    # Promoting from the console (no reason field there) is signed by the console too.
    promoted = _post(console, detail, secret, action="promote", id=first.id)
    assert promoted.status_code == 200, promoted.text
    (in_beta,) = deployments.list(ring_id=beta.id)
    assert (in_beta.history[-1].by, in_beta.history[-1].reason) == ("local console", None)
    beta_page = console.get(f"{PAGE}&id={in_beta.id}").text
    assert _history_rows(beta_page) == [("promoted in", "", "v1", "local console", "")]
    # An empty reason field is no reason.
    deployments.deploy("agent", agent.id, ring_id=canary.id, version=2, wait=True)
    empty = _post(
        console, detail, secret, action="rollback", id=first.id, confirm="rollback", reason=""
    )
    assert empty.status_code == 200, empty.text
    assert deployments.get(first.id).history[-1].reason is None


@pytest.mark.anyio
async def test_the_async_client_sends_the_reason_too(async_flow_client: Any) -> None:
    client = async_flow_client
    canary = await client.rings.create(name="canary", order=1)
    await client.rings.create(name="prod", order=2)
    agent = await client.agents.create(name="support", spec={"v": 1})
    await client.agents.update(agent.id, spec={"v": 2})
    deployments = client.component_deployments
    await deployments.deploy("agent", agent.id, ring_id=canary.id, version=1, wait=True)
    latest = await deployments.deploy("agent", agent.id, ring_id=canary.id, wait=True)
    promoted = await deployments.promote(latest.id, reason="async promote")
    assert (promoted.history[-1].by, promoted.history[-1].reason) == (DEV_USER, "async promote")
    back = await deployments.rollback(latest.id, reason="async rollback")
    assert (back.history[-1].by, back.history[-1].reason) == (DEV_USER, "async rollback")
    with pytest.raises(CLIValidationError, match="reason"):
        await deployments.rollback(latest.id, reason="bad\r")
