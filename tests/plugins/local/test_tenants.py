"""Tenants: bare arrays for orgs and workspaces, and isolation (404, never 403)."""

from __future__ import annotations

import re

import pytest
from flow_sdk import CLIClient, CLINotFoundError
from flow_sdk._urls import path_segment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import with_widgets

pytestmark = with_widgets


def test_orgs_and_workspaces_are_bare_arrays(flow_client):
    assert flow_client.list_orgs() == [{"id": "org_dev", "name": "Development", "slug": "dev"}]
    assert flow_client.list_workspaces("org_dev") == [
        {"id": "ws_dev", "org_id": "org_dev", "name": "Default", "slug": "default"}
    ]
    assert flow_client.verify_credentials() is True


def test_created_org_and_workspace_appear(flow_client):
    org = flow_client._call("POST", "/api/v1/tenants/orgs", json={"name": "Acme Labs"})
    assert org["slug"] == "acme-labs"
    workspace = flow_client._call(
        "POST", f"/api/v1/tenants/orgs/{org['id']}/workspaces", json={"name": "Staging"}
    )
    assert [o["id"] for o in flow_client.list_orgs()] == sorted(["org_dev", org["id"]])
    names = [w["name"] for w in flow_client.list_workspaces(org["id"])]
    assert names == ["Default", "Staging"]
    assert workspace["org_id"] == org["id"]


def test_another_tenant_is_invisible(flow_client, local_platform):
    other = local_platform.create_tenant("Rival")
    rival = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    secret = rival.create_component("widget", {"name": "theirs"})
    assert [o["id"] for o in rival.list_orgs()] == [other["org_id"]]
    assert [o["id"] for o in flow_client.list_orgs()] == ["org_dev"]
    with pytest.raises(CLINotFoundError, match=r"org .* not found"):
        flow_client.list_workspaces(other["org_id"])
    their_widget = f"components/widget/{secret['id']}"
    with pytest.raises(CLINotFoundError):
        flow_client._call("GET", flow_client._tenant_url(their_widget))
    with pytest.raises(CLINotFoundError):
        flow_client._call(
            "GET",
            f"/api/v1/orgs/{other['org_id']}/workspaces/{other['workspace_id']}/{their_widget}",
        )
    mine = CLIClient(local_platform.config(org_id="org_dev", workspace_id=other["workspace_id"]))
    with pytest.raises(CLINotFoundError, match="workspace"):
        mine.create_component("widget", {"name": "sneaky"})
    mine.close()
    # the rival's data is untouched, and the rival cannot see ours either
    flow_client.create_component("widget", {"name": "ours"})
    listed = rival._call("GET", rival._tenant_url("components/widget"))["items"]
    assert [w["name"] for w in listed] == ["theirs"]


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ids = st.text(min_size=1, max_size=30).filter(lambda s: s not in {"org_dev", "ws_dev"})


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(org_id=ids, workspace_id=ids, component_id=ids)
def test_any_foreign_id_is_404(local_platform, org_id, workspace_id, component_id):
    http = local_platform.http()
    for path, named in (
        (f"/api/v1/tenants/orgs/{path_segment(org_id)}/workspaces", org_id),
        (f"/api/v1/orgs/{path_segment(org_id)}/workspaces/ws_dev/components/widget", org_id),
        (
            f"/api/v1/orgs/org_dev/workspaces/{path_segment(workspace_id)}/components/widget",
            workspace_id,
        ),
        (
            f"/api/v1/orgs/org_dev/workspaces/ws_dev/components/widget/{path_segment(component_id)}",
            component_id,
        ),
    ):
        response = http.get(path)
        if CONTROL.search(named):  # ids never hold control characters (test_limits.py)
            assert response.status_code == 422, (path, response.text)
            continue
        assert response.status_code == 404, (path, response.text)
        assert response.json()["code"] == "not_found"
