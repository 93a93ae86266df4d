"""client.policies end to end through the local platform, and enforcement on its routes."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from flow_sdk import (
    CLIClient,
    CLIConflictError,
    CLINotFoundError,
    CLIPermissionError,
    CLIValidationError,
)
from flow_sdk_policies import Evaluation, Policy
from flow_sdk_policies import evaluate as evaluate_locally
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ADMIN, clear_policies


def test_crud(flow_client: CLIClient) -> None:
    admin = flow_client.policies.create(ADMIN)
    assert isinstance(admin, Policy)
    assert admin.id.startswith("pol_")
    assert admin.version == 1
    assert admin.principals == ["user:usr_dev"]
    everyone = flow_client.policies.create(
        name="read datasets", effect="allow", actions=["datasets:read"], resources=["datasets/*"]
    )
    assert everyone.principals == ["*"]
    assert flow_client.policies.get(everyone.id) == everyone
    assert [p.id for p in flow_client.policies.list()] == [admin.id, everyone.id]
    assert [p.id for p in flow_client.policies.list(page_size=1)] == [admin.id, everyone.id]
    assert [p.id for p in flow_client.policies.list(name="read datasets")] == [everyone.id]
    assert [p.id for p in flow_client.policies.list(effect="deny")] == []
    changed = flow_client.policies.update(
        everyone.id, effect="deny", description="no reading", if_match=1
    )
    assert changed.effect == "deny"
    assert changed.description == "no reading"
    assert changed.actions == ["datasets:read"]
    assert changed.version == 2
    flow_client.policies.delete(everyone.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        flow_client.policies.get(everyone.id)
    flow_client.policies.delete(admin.id)
    assert flow_client.policies.list().to_list() == []


def test_stale_if_match_is_a_conflict(flow_client: CLIClient) -> None:
    admin = flow_client.policies.create(ADMIN)
    flow_client.policies.update(admin.id, description="v2")
    with pytest.raises(CLIConflictError, match="version"):
        flow_client.policies.update(admin.id, description="lost", if_match=1)
    with pytest.raises(CLIConflictError, match="version"):
        flow_client.policies.delete(admin.id, if_match=1)
    assert flow_client.policies.get(admin.id).description == "v2"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"effect": "maybe"}, "effect"),
        ({"actions": []}, "actions"),
        ({"resources": ["has space"]}, "resources"),
        ({"principals": [""]}, "principals"),
        ({"name": ""}, "name"),
        ({"actions": ["x" * 257]}, "actions"),
        ({"priority": 1}, "priority"),
        ({"actions": "datasets:read"}, "actions"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(
    flow_client: CLIClient, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(CLIValidationError, match=field) as info:
        flow_client.policies.create({**ADMIN, **change})
    assert info.value.status_code == 422
    admin = flow_client.policies.create(ADMIN)
    with pytest.raises(CLIValidationError, match=field):
        flow_client.policies.update(admin.id, change)


def test_missing_fields_are_named(flow_client: CLIClient) -> None:
    with pytest.raises(CLIValidationError, match="effect"):
        flow_client.policies.create(name="x", actions=["*"], resources=["*"])


def test_evaluate_reports_the_decision_and_the_matches(flow_client: CLIClient) -> None:
    admin = flow_client.policies.create(ADMIN)
    read = flow_client.policies.create(
        name="read", effect="allow", actions=["datasets:read"], resources=["datasets/*"]
    )
    no_prod = flow_client.policies.create(
        name="never prod", effect="deny", actions=["datasets:*"], resources=["datasets/prod*"]
    )
    allowed = flow_client.policies.evaluate("user:u1", "datasets:read", "datasets/ds_1")
    assert isinstance(allowed, Evaluation)
    assert allowed.allowed is True
    assert [(m.id, m.name, m.effect) for m in allowed.matched_policies] == [
        (read.id, "read", "allow")
    ]
    assert read.id in allowed.reason
    denied = flow_client.policies.evaluate("user:u1", "datasets:read", "datasets/prod_1")
    assert denied.allowed is False
    assert {m.id for m in denied.matched_policies} == {read.id, no_prod.id}
    assert no_prod.id in denied.reason
    nothing = flow_client.policies.evaluate("user:u1", "webhooks:create", "webhooks")
    assert nothing.allowed is False
    assert nothing.matched_policies == []
    assert nothing.reason == "no policy allows it"
    assert flow_client.policies.evaluate("user:usr_dev", "policies:delete", f"policies/{admin.id}")
    with pytest.raises(CLIValidationError, match="action"):
        flow_client.policies.evaluate("user:u1", "", "datasets")


def test_a_workspace_without_policies_is_open(flow_client: CLIClient) -> None:
    assert flow_client.policies.evaluate("user:u1", "x:y", "z").allowed is False
    hook = flow_client.webhooks.create(url="http://127.0.0.1:9/x", events=["ping.*"])
    flow_client.webhooks.delete(hook.id)


def test_enforcement_denies_with_the_policy_id(flow_client: CLIClient) -> None:
    flow_client.policies.create(ADMIN)
    flow_client.policies.create(
        name="webhooks", effect="allow", actions=["webhooks:*"], resources=["*"]
    )
    no_delete = flow_client.policies.create(
        name="keep webhooks", effect="deny", actions=["webhooks:delete"], resources=["webhooks/*"]
    )
    hook = flow_client.webhooks.create(url="http://127.0.0.1:9/x", events=["ping.*"])
    flow_client.webhooks.update(hook.id, description="allowed")
    with pytest.raises(CLIPermissionError) as info:
        flow_client.webhooks.delete(hook.id)
    assert info.value.status_code == 403
    assert info.value.code == "policy_denied"
    assert no_delete.id in str(info.value)
    assert f"webhooks:delete on webhooks/{hook.id}" in str(info.value)
    assert flow_client.webhooks.get(hook.id).description == "allowed"


def test_what_no_policy_allows_is_denied(flow_client: CLIClient) -> None:
    flow_client.policies.create(ADMIN)
    flow_client.policies.create(
        name="read webhooks", effect="allow", actions=["webhooks:read"], resources=["webhooks*"]
    )
    assert flow_client.webhooks.list().to_list() == []
    with pytest.raises(CLIPermissionError, match="no policy of this workspace allows it") as info:
        flow_client.webhooks.create(url="http://127.0.0.1:9/x", events=["ping.*"])
    assert "webhooks:create on webhooks" in str(info.value)


def test_special_verbs_have_their_own_action(flow_client: CLIClient, local_platform: Any) -> None:
    hook = flow_client.webhooks.create(url="http://127.0.0.1:9/x", events=["ping.*"])
    flow_client.policies.create(ADMIN)
    flow_client.policies.create(
        name="everything", effect="allow", actions=["webhooks:*"], resources=["*"]
    )
    flow_client.policies.create(
        name="no pings", effect="deny", actions=["webhooks:test"], resources=["*"]
    )
    assert flow_client.webhooks.deliveries(hook.id).to_list() == []
    with pytest.raises(CLIPermissionError, match=f"webhooks:test on webhooks/{hook.id}/test"):
        flow_client.webhooks.test(hook.id)
    # policies:evaluate is a special verb too; the admin policy covers it
    assert flow_client.policies.evaluate("user:x", "a:b", "c").allowed is False


def test_principals_name_who_a_policy_applies_to(
    flow_client: CLIClient, second_user: CLIClient
) -> None:
    flow_client.policies.create(ADMIN)
    flow_client.policies.create(
        name="dev reads webhooks",
        effect="allow",
        principals=["user:usr_dev"],
        actions=["webhooks:read"],
        resources=["*"],
    )
    assert flow_client.webhooks.list().to_list() == []
    with pytest.raises(CLIPermissionError, match="user:usr_second may not webhooks:read"):
        second_user.webhooks.list().to_list()
    with pytest.raises(CLIPermissionError, match="policies:read"):
        second_user.policies.list().to_list()


def test_an_admin_cannot_lock_themselves_out(flow_client: CLIClient) -> None:
    with pytest.raises(CLIConflictError, match="lock you") as info:
        flow_client.policies.create(
            name="deny deletes", effect="deny", actions=["datasets:delete"], resources=["*"]
        )
    assert info.value.code == "policy_lockout"
    assert "policies:*" in str(info.value)
    admin = flow_client.policies.create(ADMIN)
    with pytest.raises(CLIConflictError, match="lock you"):
        flow_client.policies.create(name="deny all", effect="deny", actions=["*"], resources=["*"])
    with pytest.raises(CLIConflictError, match=admin.id):
        flow_client.policies.update(admin.id, effect="deny")
    other = flow_client.policies.create(
        name="deny deletes", effect="deny", actions=["datasets:delete"], resources=["*"]
    )
    with pytest.raises(CLIConflictError, match="lock you"):
        flow_client.policies.delete(admin.id)
    flow_client.policies.delete(other.id)
    flow_client.policies.delete(admin.id)  # the last one: the workspace is open again
    assert flow_client.policies.list().to_list() == []


def test_the_control_plane_recovers_a_locked_workspace(
    flow_client: CLIClient, second_user: CLIClient, local_platform: Any
) -> None:
    # The second user is an admin too, and denies the dev user everything.
    flow_client.policies.create({**ADMIN, "principals": ["user:usr_dev", "user:usr_second"]})
    lockout = second_user.policies.create(
        name="not dev", effect="deny", principals=["user:usr_dev"], actions=["*"], resources=["*"]
    )
    with pytest.raises(CLIPermissionError, match=lockout.id):
        flow_client.policies.list().to_list()
    removed = clear_policies(local_platform)
    assert lockout.id in removed
    assert len(removed) == 2
    assert flow_client.policies.list().to_list() == []


def test_other_tenants_policies_are_not_found_and_not_applied(
    flow_client: CLIClient, local_platform: Any
) -> None:
    admin = flow_client.policies.create(ADMIN)
    flow_client.policies.create(name="deny", effect="deny", actions=["webhooks:*"], resources=["*"])
    tenant = local_platform.create_tenant()
    other = local_platform.client(
        api_key=tenant["api_key"], org_id=tenant["org_id"], workspace_id=tenant["workspace_id"]
    )
    assert other.policies.list().to_list() == []
    for call in (
        lambda: other.policies.get(admin.id),
        lambda: other.policies.update(admin.id, description="x"),
        lambda: other.policies.delete(admin.id),
    ):
        with pytest.raises(CLINotFoundError):
            call()
    # the dev workspace's deny does not reach the other tenant
    other.webhooks.create(url="http://127.0.0.1:9/x", events=["ping.*"])
    assert other.policies.evaluate("user:x", "webhooks:create", "webhooks").matched_policies == []
    assert flow_client.policies.get(admin.id).description == ""


def test_idempotent_create_makes_one_policy(flow_client: CLIClient) -> None:
    first = flow_client.policies.create(ADMIN, idempotency_key="same")
    again = flow_client.policies.create(ADMIN, idempotency_key="same")
    assert again.id == first.id
    assert len(flow_client.policies.list().to_list()) == 1


def test_the_openapi_document_describes_the_routes(flow_client: CLIClient) -> None:
    doc = flow_client._client.request("GET", "/openapi.json").json()
    base = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}/policies"
    assert {"get", "post"} <= set(doc["paths"][base])
    assert {"get", "patch", "delete"} <= set(doc["paths"][base + "/{id}"])
    assert "post" in doc["paths"][base + "/evaluate"]
    text = json.dumps(doc)
    assert "EvaluateRequest" in text
    assert "PolicyCreate" in text


patterns = st.lists(
    st.sampled_from(["*", "a:*", "a:b", "x/*", "x/1", "user:*", "user:u1"]), min_size=1, max_size=2
)
policy_bodies = st.fixed_dictionaries(
    {
        "name": st.just("p"),
        "effect": st.sampled_from(["allow", "deny"]),
        "actions": patterns,
        "resources": patterns,
        "principals": patterns,
    }
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bodies=st.lists(policy_bodies, max_size=4),
    principal=st.sampled_from(["user:u1", "user:u2"]),
    action=st.sampled_from(["a:b", "a:c", "b:b"]),
    resource=st.sampled_from(["x/1", "x/2", "y"]),
)
def test_the_platform_decides_as_the_rules_say(
    flow_client_inprocess: CLIClient,
    local_platform: Any,
    bodies: list[dict[str, Any]],
    principal: str,
    action: str,
    resource: str,
) -> None:
    client = flow_client_inprocess
    clear_policies(local_platform)
    created = [client.policies.create(ADMIN)]
    for body in bodies:
        # A body that would lock the admin out is refused (409); not what this tests.
        with contextlib.suppress(CLIConflictError):
            created.append(client.policies.create(body))
    answer = client.policies.evaluate(principal, action, resource)
    expected = evaluate_locally(created, principal, action, resource)
    assert answer.allowed is expected.allowed
    assert [m.id for m in answer.matched_policies] == [p.id for p in expected.matched]
