"""``flow rings``, ``flow deployments`` and ``flow backups`` against the local platform."""

from __future__ import annotations

import json
from typing import Any


def test_rings_commands(flow: Any) -> None:
    created = flow("rings", "create", "--set", "name=canary", "--set", "traffic_percent=5")
    assert created.code == 0, created.err
    canary = created.json()
    assert (canary["name"], canary["order"], canary["traffic_percent"]) == ("canary", 0, 5)
    assert flow("rings", "create", "--file", "-", stdin='{"name": "prod", "order": 9}').code == 0
    listed = flow("rings", "list")
    assert [r["name"] for r in listed.json()] == ["canary", "prod"]
    updated = flow(
        "rings", "update", canary["id"], "--set", "traffic_percent=10", "--if-match", "1"
    )
    assert updated.json()["traffic_percent"] == 10
    stale = flow("rings", "update", canary["id"], "--set", "order=3", "--if-match", "1")
    assert stale.code == 1
    assert "409" in stale.err
    assert flow("rings", "history", canary["id"]).json() == []
    assert flow("rings", "get", canary["id"]).json()["version"] == 2
    deleted = flow("rings", "delete", canary["id"], "--yes")
    assert deleted.code == 0
    assert flow("rings", "get", canary["id"]).code == 1


def test_ring_history_streams_as_json_lines(flow: Any, flow_client_inprocess: Any) -> None:
    client = flow_client_inprocess
    ring = client.rings.create(name="canary")
    agent = client.agents.create(name="support", spec={"v": 1})
    for _ in range(2):
        client.agents.update(agent.id, spec={"v": 2})
        deployed = flow(
            "deployments", "components", "create", "agent", agent.id, "--ring", "canary"
        )
        assert deployed.code == 0, deployed.err
    history = flow("rings", "history", ring.id, "--jsonl")
    assert history.code == 0, history.err
    events = [json.loads(line) for line in history.out.splitlines()]
    assert len(events) >= 2
    assert {e["component_id"] for e in events} == {agent.id}
    assert flow("rings", "history", ring.id, "--json").json() == events
    empty = client.rings.create(name="empty")
    none = flow("rings", "history", empty.id, "--jsonl")
    assert (none.out, none.err) == ("", "no history yet\n")


def test_rings_table_output(flow: Any) -> None:
    flow("rings", "create", "--set", "name=canary", "--set", "traffic_percent=5")
    table = flow("rings", "list", "--limit", "5")
    assert table.code == 0
    assert "canary" in table.out


def test_deploy_promote_rollback_wait(flow: Any, flow_client_inprocess: Any) -> None:
    client = flow_client_inprocess
    client.rings.create(name="canary")
    client.rings.create(name="prod")
    agent = client.agents.create(name="support", spec={"v": 1})
    client.agents.update(agent.id, spec={"v": 2})

    deployed = flow(
        "deployments", "components", "create", "agent", agent.id,
        "--ring", "canary", "--version", "1", "--wait",
    )  # fmt: skip
    assert deployed.code == 0, deployed.err
    canary = deployed.json()
    assert (canary["status"], canary["component_version"]) == ("active", 1)
    assert deployed.err == ""  # the state while waiting is for terminals only

    promoted = flow("deployments", "components", "promote", canary["id"], "--wait")
    assert promoted.code == 0, promoted.err
    prod = promoted.json()
    assert prod["status"] == "active"
    last = flow("deployments", "components", "promote", prod["id"])
    assert last.code == 1
    assert "last ring" in last.err

    again = flow(
        "deployments", "components", "deploy", "agent", agent.id, "--ring", prod["ring_id"]
    )  # by id, and with the alias
    assert again.json()["component_version"] == 2
    waited = flow("deployments", "components", "wait", prod["id"], "--timeout", "10")
    assert waited.json()["status"] == "active"
    rolled = flow("deployments", "components", "rollback", prod["id"], "--wait")
    assert rolled.json()["component_version"] == 1

    listed = flow("deployments", "components", "list", "--ring-id", prod["ring_id"])
    assert [d["id"] for d in listed.json()] == [prod["id"]]
    assert flow("deployments", "components", "get", prod["id"]).json()["id"] == prod["id"]
    assert flow("deployments", "components", "delete", prod["id"], "--yes").code == 0
    remaining = flow("deployments", "components", "list", "--status", "active").json()
    assert [d["id"] for d in remaining] == [canary["id"]]


def test_workflow_deployments_commands(flow: Any, flow_client_inprocess: Any) -> None:
    client = flow_client_inprocess
    ring = client.rings.create(name="canary")
    workflow = client.workflows.create(name="triage", spec={"steps": []})
    deployed = flow("deployments", "workflows", "create", workflow.id, "--ring", "canary")
    assert deployed.code == 0, deployed.err
    assert deployed.json()["component_type"] == "workflow"
    listed = flow("deployments", "workflows", "list", "--workflow-id", workflow.id)
    assert [d["ring_id"] for d in listed.json()] == [ring.id]


def test_an_unknown_ring_says_how_to_find_one(flow: Any, flow_client_inprocess: Any) -> None:
    flow_client_inprocess.rings.create(name="canary")
    result = flow("deployments", "components", "create", "agent", "cmp_1", "--ring", "nope")
    assert result.code == 1
    assert "no ring with the id or name 'nope' (rings: canary)" in result.err
    assert "flow rings list" in result.err


def test_groups_without_a_verb_show_their_help(flow: Any) -> None:
    group = flow("deployments")
    assert group.code == 2
    assert "components" in group.err
    flavour = flow("deployments", "components")
    assert flavour.code == 2
    assert "promote" in flavour.err
    assert flow("deployments", "components", "wait", "dep_1", "--status", "gone").code == 2
    assert flow("deployments", "components", "wait", "dep_1", "--timeout", "0").code == 2


def test_backups_commands(flow: Any, flow_client_inprocess: Any) -> None:
    client = flow_client_inprocess
    agent = client.agents.create(name="support", spec={"v": 1})
    created = flow("backups", "create", "agent", agent.id)
    assert created.code == 0, created.err
    backup = created.json()
    assert len(backup["versions"]) == 1
    assert [b["id"] for b in flow("backups", "list", "--component-id", agent.id).json()] == [
        backup["id"]
    ]
    assert flow("backups", "get", backup["id"]).json()["component_name"] == "support"
    client.agents.delete(agent.id)
    restored = flow("backups", "restore", backup["id"])
    assert restored.code == 0, restored.err
    assert restored.json()["id"] == agent.id
    assert f"restored agent {agent.id} as version 2" in restored.err
    assert flow("backups", "delete", backup["id"], "--yes").code == 0
    missing = flow("backups", "restore", backup["id"])
    assert missing.code == 1
    assert "404" in missing.err
