"""Component and workflow deployments end to end through the local platform."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLITimeoutError,
    CLIValidationError,
)
from flow_sdk_deployments.errors import DeploymentFailedError
from flow_sdk_deployments.models import Deployment


def test_deploy_starts_pending_and_becomes_active(flow_client: Any, rings: Any, agent: Any) -> None:
    deployment = flow_client.component_deployments.deploy(
        "agent", agent.id, ring_id=rings.canary.id, version=1
    )
    assert isinstance(deployment, Deployment)
    assert deployment.status == "pending"
    assert (deployment.component_type, deployment.component_id) == ("agent", agent.id)
    assert (deployment.component_version, deployment.ring_id) == (1, rings.canary.id)
    assert [(e.action, e.component_version) for e in deployment.history] == [("deploy", 1)]
    seen: list[str] = []
    active = flow_client.component_deployments.wait(
        deployment.id, timeout_s=10, on_progress=lambda d: seen.append(d.status)
    )
    assert active.status == "active"
    assert active.error is None
    assert seen[-1] == "active"
    assert flow_client.component_deployments.get(deployment.id).status == "active"


def test_deploy_defaults_to_the_latest_version_and_can_wait(
    flow_client: Any, rings: Any, agent: Any
) -> None:
    deployment = flow_client.component_deployments.deploy(
        "agent", agent.id, ring_id=rings.canary.id, wait=True, timeout_s=10
    )
    assert deployment.status == "active"
    assert deployment.component_version == 2


def test_promote_through_three_rings_and_roll_back(
    flow_client: Any, rings: Any, agent: Any
) -> None:
    deployments = flow_client.component_deployments
    v1_canary = deployments.deploy("agent", agent.id, ring_id=rings.canary.id, version=1, wait=True)
    v1_beta = deployments.promote(v1_canary.id, wait=True)
    v1_prod = deployments.promote(v1_beta.id, wait=True)
    assert [d.ring_id for d in (v1_canary, v1_beta, v1_prod)] == rings.ids
    assert all(d.status == "active" and d.component_version == 1 for d in (v1_beta, v1_prod))
    with pytest.raises(CLIConflictError) as caught:
        deployments.promote(v1_prod.id)
    assert "last ring" in str(caught.value)

    # Version 2 follows the same path; each ring's deployment keeps its id.
    v2_canary = deployments.deploy("agent", agent.id, ring_id=rings.canary.id, wait=True)
    assert v2_canary.id == v1_canary.id
    v2_prod = deployments.promote(deployments.promote(v2_canary.id, wait=True).id, wait=True)
    assert (v2_prod.id, v2_prod.component_version) == (v1_prod.id, 2)

    # Back down: prod returns to the version it had before, then the others.
    back = deployments.rollback(v2_prod.id, wait=True)
    assert (back.id, back.component_version, back.status) == (v1_prod.id, 1, "active")
    assert [(e.action, e.component_version, e.from_version) for e in back.history] == [
        ("promote", 1, None),
        ("promote", 2, 1),
        ("rollback", 1, 2),
    ]
    with pytest.raises(CLIConflictError, match="nothing to roll back to"):
        deployments.rollback(back.id)
    assert deployments.rollback(v1_beta.id, wait=True).component_version == 1
    assert deployments.rollback(v1_canary.id, wait=True).component_version == 1

    by_ring = {d.ring_id: d.component_version for d in deployments.list(component_id=agent.id)}
    assert by_ring == dict.fromkeys(rings.ids, 1)
    prod_history = flow_client.rings.history(rings.prod.id).to_list()
    assert [(e.action, e.component_version) for e in prod_history] == [
        ("promote", 1),
        ("promote", 2),
        ("rollback", 1),
    ]
    assert all(e.deployment_id == v1_prod.id for e in prod_history)


def test_list_filters(flow_client: Any, rings: Any, agent: Any) -> None:
    deployments = flow_client.component_deployments
    tool = flow_client.tools.create(name="lookup", spec={"code": "outputs = {}"})
    on_canary = deployments.deploy("agent", agent.id, ring_id=rings.canary.id, wait=True)
    on_beta = deployments.deploy("agent", agent.id, ring_id=rings.beta.id, wait=True)
    tool_dep = deployments.deploy("tool", tool.id, ring_id=rings.canary.id)

    def ids(**filters: Any) -> set[str]:
        return {d.id for d in deployments.list(**filters)}

    assert ids() == {on_canary.id, on_beta.id, tool_dep.id}
    assert ids(component_id=agent.id) == {on_canary.id, on_beta.id}
    assert ids(component_type="tool") == {tool_dep.id}
    assert ids(ring_id=rings.canary.id) == {on_canary.id, tool_dep.id}
    assert ids(ring_id=rings.canary.id, component_type="agent") == {on_canary.id}
    deployments.wait(tool_dep.id, timeout_s=10)
    assert ids(status="active") == {on_canary.id, on_beta.id, tool_dep.id}
    assert ids(status="failed") == set()
    assert [len(p.items) for p in deployments.list(page_size=2).pages()] == [2, 1]


def test_promoting_a_pending_deployment_is_refused(
    flow_client: Any, rings: Any, agent: Any, slow_activation: None
) -> None:
    pending = flow_client.component_deployments.deploy("agent", agent.id, ring_id=rings.canary.id)
    with pytest.raises(CLIConflictError, match="only an active deployment"):
        flow_client.component_deployments.promote(pending.id)


def test_wait_times_out_with_the_last_status(
    flow_client: Any, rings: Any, agent: Any, slow_activation: None
) -> None:
    pending = flow_client.component_deployments.deploy("agent", agent.id, ring_id=rings.canary.id)
    with pytest.raises(CLITimeoutError) as caught:
        flow_client.component_deployments.wait(pending.id, timeout_s=0.2)
    assert "is pending" in str(caught.value)
    with pytest.raises(CLITimeoutError):
        flow_client.component_deployments.deploy(
            "agent", agent.id, ring_id=rings.beta.id, wait=True, timeout_s=0.1
        )


def test_a_version_that_disappears_fails_the_deployment(
    flow_client: Any, rings: Any, agent: Any
) -> None:
    deployments = flow_client.component_deployments
    active = deployments.deploy("agent", agent.id, ring_id=rings.canary.id, wait=True)
    flow_client.agents.delete(agent.id)
    promoted = deployments.promote(active.id)
    assert promoted.status == "pending"
    with pytest.raises(DeploymentFailedError) as caught:
        deployments.wait(promoted.id, timeout_s=10)
    failed = caught.value.deployment
    assert failed is not None
    assert failed.status == "failed"
    assert "no longer exists" in (failed.error or "")
    assert "no longer exists" in str(caught.value)
    assert deployments.wait(promoted.id, status="failed", timeout_s=10).status == "failed"
    assert {d.id for d in deployments.list(status="failed")} == {promoted.id}
    with pytest.raises(CLIConflictError, match="failed"):
        deployments.promote(promoted.id)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"component_version": 3}, "component_version", "no version 3; its versions are 1 to 2"),
        ({"component_id": "cmp_missing"}, "component_id", "no agent 'cmp_missing'"),
        ({"ring_id": "ring_missing"}, "ring_id", "no ring 'ring_missing'"),
        ({"component_type": "gadget"}, "component_type", "unknown component type"),
        ({"component_type": "workflow"}, "component_type", "workflow-deployments"),
        ({"component_type": None}, "component_type", "field required"),
        ({"component_version": 0}, "component_version", ">= 1"),
    ],
)
def test_a_deploy_that_cannot_work_is_refused(
    flow_client_inprocess: Any, body: dict[str, Any], field: str, words: str
) -> None:
    # Validation is the platform's: one transport is enough.
    client = flow_client_inprocess
    ring = client.rings.create(name="canary")
    agent = client.agents.create(name="support")
    client.agents.update(agent.id, description="v2")
    full = {
        "component_type": "agent",
        "component_id": agent.id,
        "ring_id": ring.id,
        **body,
    }
    with pytest.raises(CLIValidationError) as caught:
        client.component_deployments.create(full)
    assert caught.value.status_code == 422
    assert field in str(caught.value)
    assert words in str(caught.value)
    assert client.component_deployments.list().to_list() == []


def test_unknown_deployments_are_not_found(flow_client: Any) -> None:
    deployments = flow_client.component_deployments
    for call in (deployments.get, deployments.promote, deployments.rollback, deployments.delete):
        with pytest.raises(CLINotFoundError):
            call("dep_missing")
    with pytest.raises(CLINotFoundError):
        flow_client.workflow_deployments.get("dep_missing")


def test_another_tenants_deployment_is_not_found(
    flow_client: Any, local_platform: Any, rings: Any, agent: Any
) -> None:
    mine = flow_client.component_deployments.deploy("agent", agent.id, ring_id=rings.canary.id)
    other = local_platform.create_tenant()
    outsider = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    for call in ("get", "promote", "rollback", "delete"):
        with pytest.raises(CLINotFoundError):
            getattr(outsider.component_deployments, call)(mine.id)
    assert outsider.component_deployments.list().to_list() == []
    # Nor can the outsider deploy our component to its own ring.
    ring = outsider.rings.create(name="canary")
    with pytest.raises(CLIValidationError, match="no agent"):
        outsider.component_deployments.deploy("agent", agent.id, ring_id=ring.id)


def test_delete_takes_the_component_out_of_the_ring(
    flow_client: Any, rings: Any, agent: Any
) -> None:
    deployment = flow_client.component_deployments.deploy(
        "agent", agent.id, ring_id=rings.canary.id, wait=True
    )
    with pytest.raises(CLIConflictError, match="used by deployments"):
        flow_client.rings.delete(rings.canary.id)
    with pytest.raises(CLIConflictError):
        flow_client.component_deployments.delete(deployment.id, if_match=1)
    flow_client.component_deployments.delete(deployment.id, if_match=deployment.version)
    with pytest.raises(CLINotFoundError):
        flow_client.component_deployments.get(deployment.id)
    history = flow_client.rings.history(rings.canary.id).to_list()
    assert [e.action for e in history] == ["deploy", "remove"]
    flow_client.rings.delete(rings.canary.id)


def test_redeploying_the_same_key_creates_nothing_new(
    flow_client: Any, rings: Any, agent: Any
) -> None:
    first = flow_client.component_deployments.deploy(
        "agent", agent.id, ring_id=rings.canary.id, idempotency_key="deploy-once"
    )
    again = flow_client.component_deployments.deploy(
        "agent", agent.id, ring_id=rings.canary.id, idempotency_key="deploy-once"
    )
    assert again.id == first.id
    assert len(flow_client.component_deployments.get(first.id).history) == 1


def test_deployments_cannot_be_updated(flow_client: Any) -> None:
    with pytest.raises(CLIClientError, match="cannot be updated") as caught:
        flow_client.component_deployments.update("dep_1", ring_id="ring_2")
    assert "rollback" in (caught.value.hint or "")


def test_workflow_deployments(flow_client: Any, rings: Any) -> None:
    workflow = flow_client.workflows.create(name="triage", spec={"steps": []})
    deployments = flow_client.workflow_deployments
    deployment = deployments.deploy(workflow.id, ring_id=rings.canary.id, wait=True)
    assert (deployment.component_type, deployment.component_version) == ("workflow", 1)
    promoted = deployments.promote(deployment.id, wait=True)
    assert promoted.ring_id == rings.beta.id
    assert {d.id for d in deployments.list(workflow_id=workflow.id)} == {
        deployment.id,
        promoted.id,
    }
    assert {d.id for d in deployments.list(ring_id=rings.beta.id)} == {promoted.id}
    # Component and workflow deployments are separate collections.
    assert flow_client.component_deployments.list().to_list() == []
    with pytest.raises(CLINotFoundError):
        flow_client.component_deployments.get(deployment.id)
    agent = flow_client.agents.create(name="a")
    with pytest.raises(CLIValidationError, match="no workflow"):
        deployments.deploy(agent.id, ring_id=rings.canary.id)
    with pytest.raises(CLIValidationError, match="deploy workflows"):
        deployments.create(
            {"component_type": "agent", "component_id": agent.id, "ring_id": rings.canary.id}
        )
    # The ring's history holds workflows and components alike.
    assert [e.component_type for e in flow_client.rings.history(rings.canary.id)] == ["workflow"]
