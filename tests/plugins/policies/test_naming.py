"""The action, resource and principal strings enforcement evaluates."""

from __future__ import annotations

import pytest
from flow_sdk_local import Route
from flow_sdk_policies.local._naming import action_for, principal_for, resource_for
from hypothesis import given
from hypothesis import strategies as st

TENANT = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}"


def segments(path: str) -> tuple[str, ...]:
    return Route("GET", TENANT + path, lambda request: None).segments


@pytest.mark.parametrize(
    ("method", "path", "action"),
    [
        ("GET", "/datasets", "datasets:read"),
        ("GET", "/datasets/{id}", "datasets:read"),
        ("HEAD", "/datasets/{id}", "datasets:read"),
        ("POST", "/datasets", "datasets:create"),
        ("PATCH", "/datasets/{id}", "datasets:update"),
        ("PUT", "/datasets/{id}", "datasets:update"),
        ("DELETE", "/datasets/{id}", "datasets:delete"),
        ("POST", "/datasets/{id}/rows", "datasets:rows"),
        ("GET", "/datasets/{id}/rows", "datasets:read"),
        ("POST", "/components/{component_type}", "components:create"),
        ("GET", "/components/{component_type}/{id}/versions", "components:read"),
        ("POST", "/components/code_block/{id}/execute", "components:execute"),
        ("POST", "/components/workflow/{id}/runs", "components:runs"),
        ("POST", "/component-deployments/{id}/promote", "component-deployments:promote"),
        ("POST", "/policies/evaluate", "policies:evaluate"),
        ("POST", "/webhooks/{id}/test", "webhooks:test"),
        ("POST", "/solutions/import", "solutions:import"),
    ],
)
def test_actions(method: str, path: str, action: str) -> None:
    assert action_for(method, segments(path)) == action
    assert action_for(method.lower(), segments(path)) == action


@pytest.mark.parametrize(
    ("raw", "resource"),
    [
        ("/api/v1/orgs/org_1/workspaces/ws_1/datasets", "datasets"),
        ("/api/v1/orgs/org_1/workspaces/ws_1/datasets/", "datasets"),
        ("/api/v1/orgs/org_1/workspaces/ws_1/datasets/ds_1/rows?cursor=x", "datasets/ds_1/rows"),
        ("/api/v1/orgs/o/workspaces/w/components/agent/cmp_1", "components/agent/cmp_1"),
        ("/api/v1/orgs/o/workspaces/w/datasets/a%2Fb", "datasets/a%2Fb"),
    ],
)
def test_resources(raw: str, resource: str) -> None:
    assert resource_for(raw) == resource


@given(st.text(alphabet="abc_%2F.", min_size=1, max_size=20))
def test_an_id_stays_one_segment_of_the_resource(encoded_id: str) -> None:
    raw = f"/api/v1/orgs/o/workspaces/w/datasets/{encoded_id.replace('/', '')}"
    resource = resource_for(raw)
    assert resource.startswith("datasets")
    assert resource.count("/") <= 1


def test_principal() -> None:
    assert principal_for("usr_dev") == "user:usr_dev"
