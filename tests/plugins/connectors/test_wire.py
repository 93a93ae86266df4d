"""What the SDK puts on the wire: the reference's execute_ddl body, and long-work timeouts.

A recording transport stands in for a remote platform here: these tests pin
the request shape, which the end-to-end tests cannot see.
"""

from __future__ import annotations

import json
from typing import Any

import flow_sdk_connectors.plugin
import httpx
import pytest
from flow_sdk import CLIClient, FlowConfig
from flow_sdk.testing import RecordingTransport, async_client_with_plugins

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


def test_execute_ddl_treats_empty_scope_id_and_reason_as_the_reference_does() -> None:
    """An empty scope_id means the configured workspace; an empty reason is not sent."""
    transport = RecordingTransport(DDL_REPLY)
    client = _client(transport)
    calls: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (
            {"scope_id": "", "reason": ""},
            {"scope_type": "workspace", "scope_id": "ws_1", "sql": "X", "confirm": False},
        ),
        (
            {"confirm": True, "scope_type": "org", "scope_id": "", "reason": None},
            {"scope_type": "org", "scope_id": "ws_1", "sql": "X", "confirm": True},
        ),
        (
            {"confirm": True, "reason": " "},
            {
                "scope_type": "workspace",
                "scope_id": "ws_1",
                "sql": "X",
                "confirm": True,
                "reason": " ",
            },
        ),
    ]
    for options, expected in calls:
        client.execute_ddl("c", "X", **options)
        reference = transport.json()
        client.connector_instances.execute_ddl("c", "X", **options)
        assert reference == transport.json() == expected


@pytest.mark.anyio
async def test_the_async_namespace_sends_the_same_requests() -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/query"):
            return httpx.Response(200, json={"columns": [], "rows": []})
        return httpx.Response(200, json=DDL_REPLY)

    transport = RecordingTransport(reply)
    sync = _client(transport)
    async_client = async_client_with_plugins(
        flow_sdk_connectors.plugin,
        config=FlowConfig(
            platform_url="http://flow.test", access_token="t", org_id="org_1", workspace_id="ws_1"
        ),
        transport=transport,
    )
    async with async_client:
        every: list[dict[str, Any]] = [{}, {"confirm": True, "reason": "why", "scope_id": ""}]
        for options in every:
            sync.connector_instances.execute_ddl("conn/1", "X", **options)
            expected = transport.last
            await async_client.connector_instances.execute_ddl("conn/1", "X", **options)
            ours = transport.last
            assert json.loads(ours.content) == json.loads(expected.content)
            assert ours.url.raw_path == expected.url.raw_path
            assert ours.extensions["timeout"] == expected.extensions["timeout"]
        await async_client.connector_instances.query("c", "SELECT 1", timeout_s=200)
        assert transport.last.extensions["timeout"]["read"] == 210.0
