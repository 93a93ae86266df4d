"""``client.rings`` end to end through the local platform (in-process and over the socket)."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError, CLIValidationError, FlowConfig
from flow_sdk_deployments.models import Ring
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_create_get_and_list_in_order(flow_client: Any, rings: Any) -> None:
    assert isinstance(rings.canary, Ring)
    assert (rings.canary.name, rings.canary.order, rings.canary.traffic_percent) == (
        "canary",
        10,
        5,
    )
    assert rings.canary.version == 1
    assert flow_client.rings.get(rings.beta.id) == rings.beta
    listed = flow_client.rings.list().to_list()
    assert [r.name for r in listed] == ["canary", "beta", "prod"]


def test_order_defaults_to_after_the_last_ring(flow_client: Any, rings: Any) -> None:
    dr = flow_client.rings.create({"name": "disaster-recovery"})
    assert dr.order == 31
    assert dr.traffic_percent == 100
    assert flow_client.rings.list().to_list()[-1].id == dr.id


def test_list_pages_in_order(flow_client: Any) -> None:
    for order in (5, 3, 9, 1, 7):
        flow_client.rings.create(name=f"r{order}", order=order)
    paginator = flow_client.rings.list(page_size=2)
    pages = list(paginator.pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert [r.order for r in paginator] == [1, 3, 5, 7, 9]
    assert [r.order for r in flow_client.rings.list(page_size=2, limit=3)] == [1, 3, 5]


def test_update_changes_only_the_fields_given(flow_client: Any, rings: Any) -> None:
    updated = flow_client.rings.update(rings.canary.id, traffic_percent=10)
    assert (updated.name, updated.order, updated.traffic_percent) == ("canary", 10, 10)
    assert updated.version == 2
    moved = flow_client.rings.update(rings.canary.id, {"order": 40}, if_match=2)
    assert moved.order == 40
    assert [r.name for r in flow_client.rings.list()] == ["beta", "prod", "canary"]


def test_update_with_a_stale_version_is_a_conflict(flow_client: Any, rings: Any) -> None:
    flow_client.rings.update(rings.canary.id, description="first")
    with pytest.raises(CLIConflictError) as caught:
        flow_client.rings.update(rings.canary.id, description="second", if_match=1)
    assert "current version is 2" in str(caught.value)
    assert flow_client.rings.get(rings.canary.id).description == "first"


def test_delete_with_a_stale_version_is_a_conflict(flow_client: Any, rings: Any) -> None:
    flow_client.rings.update(rings.canary.id, description="changed")
    with pytest.raises(CLIConflictError):
        flow_client.rings.delete(rings.canary.id, if_match=1)
    flow_client.rings.delete(rings.canary.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        flow_client.rings.get(rings.canary.id)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "traffic_percent": 101}, "traffic_percent"),
        ({"name": "x", "traffic_percent": -1}, "traffic_percent"),
        ({"name": "x", "order": -1}, "order"),
        ({"name": "x", "order": "first"}, "order"),
        ({"traffic_percent": 5}, "name"),
    ],
)
def test_a_bad_body_is_refused_naming_the_field(
    flow_client_inprocess: Any, fields: dict[str, Any], field: str
) -> None:
    # Validation is the platform's: one transport is enough.
    with pytest.raises(CLIValidationError) as caught:
        flow_client_inprocess.rings.create(fields)
    assert caught.value.status_code == 422
    assert field in str(caught.value)


def test_null_is_refused_on_update(flow_client: Any, rings: Any) -> None:
    with pytest.raises(CLIValidationError, match="order"):
        flow_client.rings.update(rings.canary.id, {"order": None})


def test_names_and_orders_are_unique(flow_client: Any, rings: Any) -> None:
    with pytest.raises(CLIConflictError, match="already exists"):
        flow_client.rings.create(name="canary")
    with pytest.raises(CLIConflictError, match="already has order 20"):
        flow_client.rings.create(name="gamma", order=20)
    with pytest.raises(CLIConflictError, match="already has order 30"):
        flow_client.rings.update(rings.canary.id, order=30)
    # A ring keeps its own name and order when it is updated.
    assert flow_client.rings.update(rings.canary.id, name="canary", order=10).version == 2


def test_an_unknown_ring_is_not_found(flow_client: Any) -> None:
    with pytest.raises(CLINotFoundError):
        flow_client.rings.get("ring_missing")
    with pytest.raises(CLINotFoundError):
        flow_client.rings.update("ring_missing", name="x")
    with pytest.raises(CLINotFoundError):
        flow_client.rings.delete("ring_missing")
    with pytest.raises(CLINotFoundError):
        flow_client.rings.history("ring_missing").to_list()


def test_another_tenants_ring_is_not_found(
    flow_client: Any, local_platform: Any, rings: Any
) -> None:
    other = local_platform.create_tenant("Other org")
    outsider = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    with pytest.raises(CLINotFoundError):
        outsider.rings.get(rings.canary.id)
    with pytest.raises(CLINotFoundError):
        outsider.rings.delete(rings.canary.id)
    assert outsider.rings.list().to_list() == []
    # The same names are free in another workspace.
    assert outsider.rings.create(name="canary").order == 0
    # And the outsider cannot reach our workspace by naming it.
    intruder = local_platform.client(
        api_key=other["api_key"], org_id=local_platform.org_id, workspace_id="ws_dev"
    )
    with pytest.raises(CLINotFoundError):
        intruder.rings.get(rings.canary.id)


def test_ring_history_of_a_new_ring_is_empty(flow_client: Any, rings: Any) -> None:
    assert flow_client.rings.history(rings.canary.id).to_list() == []


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(orders=st.lists(st.integers(0, 1_000_000), min_size=1, max_size=8, unique=True))
def test_any_orders_list_sorted(local_platform: Any, orders: list[int]) -> None:
    local_platform.reset()
    client = local_platform.client()
    for index, order in enumerate(orders):
        client.rings.create(name=f"ring-{index}", order=order)
    assert [r.order for r in client.rings.list(page_size=3)] == sorted(orders)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=100))
def test_any_name_round_trips(flow_client_inprocess: Any, name: str) -> None:
    ring_id = None
    try:
        ring = flow_client_inprocess.rings.create(name=name)
        ring_id = ring.id
        assert flow_client_inprocess.rings.get(ring.id).name == name
    finally:
        if ring_id is not None:
            flow_client_inprocess.rings.delete(ring_id)


def test_a_ring_without_workspace_says_what_to_set(local_platform: Any) -> None:
    from flow_sdk import CLIClient, CLIClientError

    config = FlowConfig(platform_url=local_platform.url, api_key=local_platform.api_key)
    with CLIClient(config) as client, pytest.raises(CLIClientError) as caught:
        client.rings.list().to_list()
    assert "org_id" in str(caught.value)
