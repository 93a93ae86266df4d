"""Rings, deployments and backups through ``AsyncCLIClient``, in-process and over the socket.

The same namespace code as the sync tests run; here every public method is
awaited, waits poll without blocking the event loop, and errors arrive as the
same exceptions.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLITimeoutError,
    CLIValidationError,
    Component,
)
from flow_sdk_deployments.errors import DeploymentFailedError
from flow_sdk_deployments.models import Backup, Deployment, DeploymentEvent, Ring

pytestmark = pytest.mark.anyio


async def _rings(client: Any) -> tuple[Ring, Ring, Ring]:
    """canary, beta and prod, created out of order."""
    prod = await client.rings.create(name="prod", order=30, traffic_percent=100)
    canary = await client.rings.create(name="canary", order=10, traffic_percent=5)
    beta = await client.rings.create(name="beta", order=20, traffic_percent=25)
    return canary, beta, prod


async def _agent(client: Any) -> Any:
    """An agent with two versions."""
    created = await client.agents.create(name="support", spec={"temperature": 0.1})
    return await client.agents.update(created.id, spec={"temperature": 0.2})


# rings


async def test_rings_every_method(async_flow_client: Any) -> None:
    rings = async_flow_client.rings
    canary, beta, prod = await _rings(async_flow_client)
    assert isinstance(canary, Ring)
    assert (canary.name, canary.order, canary.traffic_percent) == ("canary", 10, 5)
    assert await rings.get(beta.id) == beta
    assert [r.name async for r in rings.list()] == ["canary", "beta", "prod"]
    assert [r.order async for r in rings.list(page_size=1, limit=2)] == [10, 20]
    assert [len(p.items) async for p in rings.list(page_size=2).pages()] == [2, 1]
    assert (await rings.list().first()) == canary

    updated = await rings.update(canary.id, traffic_percent=10, if_match=1)
    assert (updated.traffic_percent, updated.version) == (10, 2)
    moved = await rings.update(canary.id, {"order": 40}, description="last now")
    assert (moved.order, moved.description) == (40, "last now")
    assert [r.name for r in await rings.list().to_list()] == ["beta", "prod", "canary"]

    assert await rings.history(canary.id).to_list() == []
    await rings.delete(canary.id, if_match=moved.version)
    assert [r.id async for r in rings.list()] == [beta.id, prod.id]
    # The per-call options and raw responses work on every method.
    raw = await rings.get.with_raw_response(prod.id, timeout=5)
    assert raw.status_code == 200
    assert raw.parse() == prod


async def test_ring_errors(async_flow_client: Any) -> None:
    rings = async_flow_client.rings
    ring = await rings.create(name="canary")
    await rings.update(ring.id, description="first")
    with pytest.raises(CLIConflictError) as stale:
        await rings.update(ring.id, description="second", if_match=1)
    assert stale.value.status_code == 409
    with pytest.raises(CLIConflictError):
        await rings.delete(ring.id, if_match=1)
    assert (await rings.get(ring.id)).description == "first"
    with pytest.raises(CLIConflictError, match="already exists"):
        await rings.create(name="canary")
    with pytest.raises(CLIValidationError) as invalid:
        await rings.create(name="x", traffic_percent=101)
    assert invalid.value.status_code == 422
    assert "traffic_percent" in str(invalid.value)
    for call in (rings.get, rings.delete):
        with pytest.raises(CLINotFoundError) as missing:
            await call("ring_missing")
        assert missing.value.status_code == 404
    with pytest.raises(CLINotFoundError):
        await rings.update("ring_missing", name="x")
    with pytest.raises(CLINotFoundError):
        await rings.history("ring_missing").to_list()
    with pytest.raises(CLIClientError, match="id is empty"):
        await rings.get("")


# component deployments


async def test_promote_and_roll_back_through_the_rings(async_flow_client: Any) -> None:
    client = async_flow_client
    deployments = client.component_deployments
    canary, beta, prod = await _rings(client)
    agent = await _agent(client)

    pending = await deployments.deploy("agent", agent.id, ring_id=canary.id, version=1)
    assert isinstance(pending, Deployment)
    assert (pending.status, pending.component_version) == ("pending", 1)
    seen: list[str] = []
    v1_canary = await deployments.wait(
        pending.id, timeout_s=10, on_progress=lambda d: seen.append(d.status)
    )
    assert (v1_canary.status, seen[-1]) == ("active", "active")
    v1_beta = await deployments.promote(v1_canary.id, wait=True, timeout_s=10)
    v1_prod = await deployments.promote(v1_beta.id, wait=True)
    assert [d.ring_id for d in (v1_canary, v1_beta, v1_prod)] == [canary.id, beta.id, prod.id]
    assert all(d.status == "active" and d.component_version == 1 for d in (v1_beta, v1_prod))
    with pytest.raises(CLIConflictError, match="last ring") as last:
        await deployments.promote(v1_prod.id)
    assert last.value.status_code == 409

    v2_canary = await deployments.deploy("agent", agent.id, ring_id=canary.id, wait=True)
    assert (v2_canary.id, v2_canary.component_version) == (v1_canary.id, 2)
    v2_beta = await deployments.promote(v2_canary.id, wait=True)
    v2_prod = await deployments.promote(v2_beta.id, wait=True)
    assert (v2_prod.id, v2_prod.component_version) == (v1_prod.id, 2)

    back = await deployments.rollback(v2_prod.id, wait=True)
    assert (back.id, back.component_version, back.status) == (v1_prod.id, 1, "active")
    assert [(e.action, e.component_version, e.from_version) for e in back.history] == [
        ("promote", 1, None),
        ("promote", 2, 1),
        ("rollback", 1, 2),
    ]
    with pytest.raises(CLIConflictError, match="nothing to roll back to"):
        await deployments.rollback(back.id)
    # Without wait=True, rollback returns the pending deployment; wait finishes it.
    rolled = await deployments.rollback(v2_beta.id)
    assert rolled.status == "pending"
    assert (await deployments.wait(rolled.id)).component_version == 1

    by_ring = {
        d.ring_id: d.component_version async for d in deployments.list(component_id=agent.id)
    }
    assert by_ring == {canary.id: 2, beta.id: 1, prod.id: 1}
    history = [e async for e in client.rings.history(prod.id)]
    assert all(isinstance(e, DeploymentEvent) for e in history)
    assert [(e.action, e.component_version) for e in history] == [
        ("promote", 1),
        ("promote", 2),
        ("rollback", 1),
    ]
    assert [e.action async for e in client.rings.history(prod.id, page_size=1, limit=2)] == [
        "promote",
        "promote",
    ]


async def test_create_get_list_delete_and_update_refused(async_flow_client: Any) -> None:
    client = async_flow_client
    deployments = client.component_deployments
    canary, beta, _prod = await _rings(client)
    agent = await _agent(client)
    tool = await client.tools.create(name="lookup", spec={"code": "outputs = {}"})

    created = await deployments.create(
        {"component_type": "agent", "component_id": agent.id, "ring_id": canary.id},
        idempotency_key="raw-create",
    )
    again = await deployments.create(
        {"component_type": "agent", "component_id": agent.id, "ring_id": canary.id},
        idempotency_key="raw-create",
    )
    assert again.id == created.id
    on_beta = await deployments.deploy("agent", agent.id, ring_id=beta.id, wait=True)
    tool_dep = await deployments.deploy("tool", tool.id, ring_id=canary.id, wait=True)
    fetched = await deployments.get(created.id)
    assert (fetched.id, fetched.component_version, len(fetched.history)) == (created.id, 2, 1)

    async def ids(**filters: Any) -> set[str]:
        return {d.id async for d in deployments.list(**filters)}

    assert await ids() == {created.id, on_beta.id, tool_dep.id}
    assert await ids(component_type="tool") == {tool_dep.id}
    assert await ids(ring_id=canary.id, component_type="agent") == {created.id}
    assert await ids(status="failed") == set()
    assert [len(p.items) async for p in deployments.list(page_size=2).pages()] == [2, 1]

    with pytest.raises(CLIClientError, match="cannot be updated") as refused:
        await deployments.update(created.id, ring_id=beta.id)
    assert "rollback" in (refused.value.hint or "")

    current = await deployments.wait(created.id)
    with pytest.raises(CLIConflictError):
        await deployments.delete(created.id, if_match=current.version + 1)
    await deployments.delete(created.id, if_match=current.version)
    with pytest.raises(CLINotFoundError):
        await deployments.get(created.id)
    assert [e.action async for e in client.rings.history(canary.id)] == [
        "deploy",
        "deploy",
        "remove",
    ]


async def test_deployment_errors(async_flow_client: Any) -> None:
    client = async_flow_client
    deployments = client.component_deployments
    canary, _beta, _prod = await _rings(client)
    agent = await _agent(client)
    for call in (deployments.get, deployments.promote, deployments.rollback, deployments.delete):
        with pytest.raises(CLINotFoundError) as missing:
            await call("dep_missing")
        assert missing.value.status_code == 404
    with pytest.raises(CLINotFoundError):
        await deployments.wait("dep_missing")
    with pytest.raises(CLIValidationError) as invalid:
        await deployments.deploy("agent", agent.id, ring_id=canary.id, version=3)
    assert invalid.value.status_code == 422
    assert "no version 3; its versions are 1 to 2" in str(invalid.value)
    with pytest.raises(CLIValidationError, match="no ring 'ring_missing'"):
        await deployments.deploy("agent", agent.id, ring_id="ring_missing")
    active = await deployments.deploy("agent", agent.id, ring_id=canary.id, wait=True)
    with pytest.raises(CLIConflictError) as stale:
        await deployments.delete(active.id, if_match=active.version + 5)
    assert stale.value.status_code == 409


async def test_a_failed_deployment_stops_the_wait(async_flow_client: Any) -> None:
    client = async_flow_client
    deployments = client.component_deployments
    canary, _beta, _prod = await _rings(client)
    agent = await _agent(client)
    active = await deployments.deploy("agent", agent.id, ring_id=canary.id, wait=True)
    await client.agents.delete(agent.id)
    with pytest.raises(DeploymentFailedError) as caught:
        await deployments.promote(active.id, wait=True, timeout_s=10)
    failed = caught.value.deployment
    assert failed is not None
    assert failed.status == "failed"
    assert "no longer exists" in str(caught.value)
    waited = await deployments.wait(failed.id, status="failed", timeout_s=10)
    assert waited.status == "failed"


async def test_a_wait_times_out_with_the_last_status(
    async_flow_client: Any, slow_activation: None
) -> None:
    client = async_flow_client
    canary, _beta, _prod = await _rings(client)
    agent = await _agent(client)
    pending = await client.component_deployments.deploy("agent", agent.id, ring_id=canary.id)
    with pytest.raises(CLITimeoutError) as caught:
        await client.component_deployments.wait(pending.id, timeout_s=0.2)
    assert "is pending" in str(caught.value)
    with pytest.raises(CLIConflictError, match="only an active deployment"):
        await client.component_deployments.promote(pending.id)


async def test_two_waits_run_concurrently_without_blocking_the_loop(
    async_flow_client: Any, local_platform: Any, slow_activation: None
) -> None:
    # Both deployments stay pending until the platform's clock passes their
    # activation time. A third task moves the clock while both waits poll:
    # that can happen only if neither wait blocks the event loop.
    client = async_flow_client
    canary, beta, _prod = await _rings(client)
    agent = await _agent(client)
    deployments = client.component_deployments
    first = await deployments.deploy("agent", agent.id, ring_id=canary.id)
    second = await deployments.deploy("agent", agent.id, ring_id=beta.id, version=1)
    seen: dict[str, list[str]] = {first.id: [], second.id: []}
    released = asyncio.Event()

    async def release() -> None:
        await asyncio.sleep(0.2)
        local_platform.advance_clock(120)
        released.set()

    def progress(deployment: Deployment) -> None:
        seen[deployment.id].append(deployment.status)

    one, two, _ = await asyncio.gather(
        deployments.wait(first.id, timeout_s=10, on_progress=progress),
        deployments.wait(second.id, timeout_s=10, on_progress=progress),
        release(),
    )
    assert released.is_set()
    assert (one.id, one.status, one.component_version) == (first.id, "active", 2)
    assert (two.id, two.status, two.component_version) == (second.id, "active", 1)
    assert seen == {first.id: ["pending", "active"], second.id: ["pending", "active"]}


async def test_waits_sleep_through_the_clients_sleep(
    flow_transport_mode: str, local_platform: Any, slow_activation: None
) -> None:
    # ``sleep=`` on the client replaces how waits pause; this one moves the
    # platform's clock instead of waiting, so the deployment activates at once.
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        local_platform.advance_clock(40)

    async with local_platform.async_client(sleep=sleep) as client:
        ring = await client.rings.create(name="canary")
        agent = await _agent(client)
        deployed = await client.component_deployments.deploy(
            "agent", agent.id, ring_id=ring.id, wait=True, timeout_s=30
        )
    assert deployed.status == "active"
    assert pauses == [0.05, pytest.approx(0.075)]


# workflow deployments


async def test_workflow_deployments_every_method(async_flow_client: Any) -> None:
    client = async_flow_client
    deployments = client.workflow_deployments
    canary, beta, _prod = await _rings(client)
    workflow = await client.workflows.create(name="triage", spec={"steps": []})

    deployment = await deployments.deploy(workflow.id, ring_id=canary.id, wait=True)
    assert (deployment.component_type, deployment.component_version) == ("workflow", 1)
    promoted = await deployments.promote(deployment.id)
    promoted = await deployments.wait(promoted.id)
    assert promoted.ring_id == beta.id
    assert {d.id async for d in deployments.list(workflow_id=workflow.id)} == {
        deployment.id,
        promoted.id,
    }
    assert [d.id async for d in deployments.list(ring_id=beta.id, status="active")] == [promoted.id]
    assert (await deployments.get(promoted.id)).status == "active"
    with pytest.raises(CLIConflictError, match="nothing to roll back to"):
        await deployments.rollback(promoted.id)
    created = await deployments.create({"component_id": workflow.id, "ring_id": canary.id})
    assert created.id == deployment.id
    with pytest.raises(CLIClientError, match="cannot be updated"):
        await deployments.update(deployment.id)
    await deployments.delete(promoted.id)
    with pytest.raises(CLINotFoundError):
        await deployments.get(promoted.id)
    # Component and workflow deployments are separate collections.
    assert await client.component_deployments.list().to_list() == []
    agent = await client.agents.create(name="a")
    with pytest.raises(CLIValidationError, match="no workflow"):
        await deployments.deploy(agent.id, ring_id=canary.id)
    with pytest.raises(CLIValidationError, match="deploy workflows") as invalid:
        await deployments.create(
            {"component_type": "agent", "component_id": agent.id, "ring_id": canary.id}
        )
    assert invalid.value.status_code == 422


# backups


async def test_backups_every_method(async_flow_client: Any) -> None:
    client = async_flow_client
    backups = client.component_backups
    agent = await _agent(client)
    tool = await client.tools.create(name="lookup", spec={"code": "outputs = {}"})

    backup = await backups.create("agent", agent.id, idempotency_key="snap-1")
    assert isinstance(backup, Backup)
    assert [v.version for v in backup.versions] == [1, 2]
    assert (await backups.create("agent", agent.id, idempotency_key="snap-1")).id == backup.id
    assert await backups.get(backup.id) == backup
    of_tool = await backups.create("tool", tool.id)
    assert [b.id async for b in backups.list()] == [backup.id, of_tool.id]
    assert [b.id async for b in backups.list(component_type="tool")] == [of_tool.id]
    assert [b.id async for b in backups.list(component_id=agent.id, limit=5)] == [backup.id]

    await client.agents.update(agent.id, name="renamed", spec={"temperature": 0.9})
    restored = await backups.restore(backup.id)
    assert isinstance(restored, Component)
    assert (restored.id, restored.version, restored.spec) == (agent.id, 4, {"temperature": 0.2})
    await client.agents.delete(agent.id)
    assert (await backups.restore(backup.id)).id == agent.id

    with pytest.raises(CLIClientError, match="cannot be updated"):
        await backups.update(backup.id, component_name="x")
    with pytest.raises(CLIConflictError) as stale:
        await backups.delete(of_tool.id, if_match=7)
    assert stale.value.status_code == 409
    await backups.delete(of_tool.id, if_match=of_tool.version)
    assert [b.id async for b in backups.list()] == [backup.id]
    for call in (backups.get, backups.restore, backups.delete):
        with pytest.raises(CLINotFoundError):
            await call(of_tool.id)
    with pytest.raises(CLIValidationError, match="no agent 'cmp_missing'") as invalid:
        await backups.create("agent", "cmp_missing")
    assert invalid.value.status_code == 422
