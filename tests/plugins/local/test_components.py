"""The generic component catalog, through CLIClient and the core's ComponentTypeNamespace."""

from __future__ import annotations

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError, CLIValidationError, ComponentTypeNamespace

from .conftest import with_widgets

pytestmark = with_widgets


def test_create_component_returns_the_created_component(flow_client):
    created = flow_client.create_component(
        "widget", {"name": "w1", "description": "first", "spec": {"size": 3}}
    )
    assert created["id"].startswith("cmp_")
    assert created["type"] == "widget"
    assert (created["name"], created["description"], created["spec"]) == (
        "w1",
        "first",
        {"size": 3},
    )
    assert created["version"] == 1
    assert created["created_at"] == created["updated_at"]
    assert created["created_at"].endswith("Z")


def test_unknown_type_is_404_naming_the_known_ones(flow_client):
    with pytest.raises(CLINotFoundError, match="unknown component type 'gadget'") as err:
        flow_client.create_component("gadget", {"name": "x"})
    assert "widget" in str(err.value)
    assert err.value.code == "unknown_component_type"


def test_bad_component_body_is_422(flow_client):
    with pytest.raises(CLIValidationError) as err:
        flow_client.create_component("widget", {"name": "x", "spec": "not an object"})
    assert err.value.detail[0]["loc"] == ["body", "spec"]
    with pytest.raises(CLIValidationError, match="name: must not be empty"):
        flow_client.create_component("widget", {"name": "   "})


def test_namespace_crud_and_versions(flow_client):
    widgets = ComponentTypeNamespace(flow_client, "widget")
    first = widgets.create(name="alpha", spec={"v": 1})
    widgets.create(name="beta")
    assert [w.name for w in widgets.list()] == ["alpha", "beta"]
    assert [w.id for w in widgets.list(name="alpha")] == [first.id]
    updated = widgets.update(first.id, spec={"v": 2}, if_match=1)
    assert updated.version == 2
    with pytest.raises(CLIConflictError):
        widgets.update(first.id, name="stale", if_match=1)
    widgets.update(first.id, description="third")
    history = widgets.versions(first.id)
    assert [(v.version, v.spec, v.description) for v in history] == [
        (1, {"v": 1}, ""),
        (2, {"v": 2}, ""),
        (3, {"v": 2}, "third"),
    ]
    assert all(v.name == "alpha" for v in history)
    widgets.delete(first.id, if_match=3)
    with pytest.raises(CLINotFoundError):
        widgets.get(first.id)
    with pytest.raises(CLINotFoundError):
        widgets.versions(first.id)


def test_lists_page_lazily(flow_client):
    widgets = ComponentTypeNamespace(flow_client, "widget")
    for i in range(12):
        widgets.create(name=f"w{i:02}")
    pages = list(widgets.list(page_size=5).pages())
    assert [len(p.items) for p in pages] == [5, 5, 2]
    assert [w.name for w in widgets.list(page_size=5)] == [f"w{i:02}" for i in range(12)]
    assert len(list(widgets.list(limit=7, page_size=5))) == 7


def test_versions_is_a_page(flow_client, local_platform):
    created = flow_client.create_component("widget", {"name": "x"})
    url = flow_client._tenant_url(f"components/widget/{created['id']}/versions")
    page = flow_client._call("GET", url)
    assert page["next_cursor"] is None
    assert page["items"] == [
        {
            "version": 1,
            "name": "x",
            "description": "",
            "spec": {},
            "type": "widget",
            "created_at": created["created_at"],
        }
    ]


def test_same_name_in_two_types_stays_apart(flow_client, local_platform):
    flow_client.create_component("widget", {"name": "shared"})
    assert local_platform.platform.component_types.keys() >= {"widget"}
    other_types = sorted(set(local_platform.platform.component_types) - {"widget"})
    if other_types:
        url = flow_client._tenant_url(f"components/{other_types[0]}")
        assert flow_client._call("GET", url, params={"name": "shared"})["items"] == []
