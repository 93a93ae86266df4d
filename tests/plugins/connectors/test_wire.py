"""What the SDK puts on the wire: the reference's execute_ddl body, and long-work timeouts.

A recording transport stands in for a remote platform here: these tests pin
the request shape, which the end-to-end tests cannot see.
"""

from __future__ import annotations

import json

import flow_sdk_connectors.plugin
from flow_sdk import CLIClient, FlowConfig
from flow_sdk.testing import RecordingTransport

DDL_REPLY = {"executed": False, "statements": [], "reason_required": False, "audit_id": None}


def _client(transport: RecordingTransport) -> CLIClient:
    config = FlowConfig(
        platform_url="http://flow.test", access_token="t", org_id="org_1", workspace_id="ws_1"
    )
    return CLIClient(config, transport=transport, plugins=[flow_sdk_connectors.plugin])


def test_execute_ddl_sends_the_reference_body() -> None:
    transport = RecordingTransport(DDL_REPLY)
    client = _client(transport)
    calls = [
        ({}, {"scope_type": "workspace", "scope_id": "ws_1", "sql": "X", "confirm": False}),
        (
            {"confirm": True, "reason": "why", "scope_type": "org", "scope_id": "org_1"},
            {
                "scope_type": "org",
                "scope_id": "org_1",
                "sql": "X",
                "confirm": True,
                "reason": "why",
            },
        ),
    ]
    for options, expected in calls:
        client.execute_ddl("conn/1", "X", **options)
        reference = transport.last
        client.connector_instances.execute_ddl("conn/1", "X", **options)
        ours = transport.last
        assert json.loads(reference.content) == json.loads(ours.content) == expected
        assert reference.url.raw_path == ours.url.raw_path
        assert ours.url.raw_path == b"/api/v1/connectors/instances/conn%2F1/execute-ddl"


def test_long_work_gets_a_longer_http_timeout() -> None:
    transport = RecordingTransport(DDL_REPLY)
    client = _client(transport)
    client.connector_instances.execute_ddl("c", "X")
    assert transport.last.extensions["timeout"]["read"] == 30.0
    client.connector_instances.execute_ddl("c", "X", confirm=True)
    assert transport.last.extensions["timeout"]["read"] == 130.0
    transport = RecordingTransport({"columns": [], "rows": []})
    client = _client(transport)
    client.connector_instances.query("c", "SELECT 1", timeout_s=200)
    assert transport.last.extensions["timeout"]["read"] == 210.0
    assert json.loads(transport.last.content) == {
        "sql": "SELECT 1",
        "max_rows": 1000,
        "timeout_s": 200,
    }


def test_create_fills_the_scope_from_the_config() -> None:
    reply = {
        "id": "c",
        "connector_key": "sqlite",
        "name": "a",
        "scope_type": "org",
        "scope_id": "org_1",
    }
    transport = RecordingTransport(reply)
    client = _client(transport)
    client.connector_instances.create(connector_key="sqlite", name="a", config={"path": "a"})
    assert json.loads(transport.last.content) == {
        "connector_key": "sqlite", "name": "a", "config": {"path": "a"},
        "scope_type": "workspace", "scope_id": "ws_1",
    }  # fmt: skip
    client.connector_instances.create(
        {"connector_key": "sqlite", "name": "a", "config": {"path": "a"}}, scope_type="org"
    )
    assert json.loads(transport.last.content)["scope_id"] == "org_1"
