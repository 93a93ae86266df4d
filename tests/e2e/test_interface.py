"""Every method of the reference interface (docs/interface.md) against the local
platform, in-process and over the socket.

The static methods get the local platform's transport through the core's
transport hook, like the instance methods; nothing here is mocked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flow_sdk import CLIAuthenticationError, CLIClient, CLIClientError, CLINotFoundError


def test_static_exchange_api_key(flow_client: CLIClient, local_platform: Any) -> None:
    token = CLIClient.exchange_api_key(local_platform.url, local_platform.api_key)
    assert token.count(".") == 2
    user = CLIClient.get_current_user_with_token(local_platform.url, token)
    assert user["id"] == "usr_dev"


def test_static_exchange_failure_is_an_authentication_error(flow_client, local_platform) -> None:
    with pytest.raises(CLIAuthenticationError, match=r"^API key exchange failed \(401\): "):
        CLIClient.exchange_api_key(local_platform.url, "fl_wrong_key")


def test_static_create_cli_login_request(flow_client, local_platform) -> None:
    request = CLIClient.create_cli_login_request(local_platform.url)
    assert set(request) >= {"id", "user_code", "verification_url", "poll_interval", "expires_at"}
    assert request["status"] == "pending"


def test_static_token_validation_failure(flow_client, local_platform) -> None:
    with pytest.raises(CLIAuthenticationError, match=r"^Token validation failed: "):
        CLIClient.get_current_user_with_token(local_platform.url, "not-a-token")


def test_static_methods_on_an_unreachable_platform() -> None:
    with pytest.raises(CLIClientError, match=r"^CLI login request failed: "):
        CLIClient.create_cli_login_request("http://127.0.0.1:9")


def test_tenant_methods(flow_client: CLIClient) -> None:
    assert flow_client.verify_credentials() is True
    orgs = flow_client.list_orgs()
    assert orgs == [{"id": "org_dev", "name": "Development", "slug": "dev"}]
    workspaces = flow_client.list_workspaces(orgs[0]["id"])
    assert [w["id"] for w in workspaces] == ["ws_dev"]
    me = flow_client.get_current_user()
    assert me["id"] == "usr_dev"
    assert [o["id"] for o in me["orgs"]] == ["org_dev"]


def test_create_component_for_every_installed_type(flow_client: CLIClient) -> None:
    types = sorted(flow_client.component_types)
    if not types:
        pytest.skip("no component types installed (flow-sdk-components)")
    for component_type in types:
        created = flow_client.create_component(component_type, {"name": f"my {component_type}"})
        assert created["type"] == component_type
        assert created["name"] == f"my {component_type}"
        assert created["version"] == 1


def test_create_component_of_an_unknown_type(flow_client: CLIClient) -> None:
    with pytest.raises(CLINotFoundError, match="unknown component type"):
        flow_client.create_component("no_such_type", {"name": "x"})


def test_execute_ddl_preview_and_confirm(flow_client: Any, tmp_path: Path) -> None:
    pytest.importorskip("flow_sdk_connectors")
    instance = flow_client.connector_instances.create(
        connector_key="sqlite", name="e2e", config={"path": str(tmp_path / "e2e.sqlite")}
    )
    preview = flow_client.execute_ddl(instance.id, "CREATE TABLE t (a integer)")
    assert preview["executed"] is False
    assert [s["sql"] for s in preview["statements"]] == ["CREATE TABLE t (a integer)"]
    done = flow_client.execute_ddl(instance.id, "CREATE TABLE t (a integer)", confirm=True)
    assert done["executed"] is True


def test_invoke_service(flow_client: Any) -> None:
    pytest.importorskip("flow_sdk_hosted_services")
    handler = "def main(params, query):\n    return {'hello': params['name']}\n"
    service = flow_client.hosted_services.create(
        name="e2e", endpoints=[{"method": "GET", "path": "/hi/{name}", "handler": handler}]
    )
    flow_client.hosted_services.publish(service.id)
    assert flow_client.invoke_service(service.id, "get", "/hi/ada") == {"hello": "ada"}
    assert flow_client.invoke_service(service.id, "GET", "hi/bob", version=1) == {"hello": "bob"}
