"""The eleven component namespaces: list/get/create/update/delete/versions end to end."""

from __future__ import annotations

import pytest
from flow_sdk import (
    CLIConflictError,
    CLINotFoundError,
    CLIValidationError,
    Component,
    ComponentTypeNamespace,
)
from flow_sdk_components import CodeBlocksNamespace, ToolsNamespace, WorkflowsNamespace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NAMESPACES = {
    "agents": "agent",
    "models": "model",
    "tools": "tool",
    "prompts": "prompt",
    "code_blocks": "code_block",
    "workflows": "workflow",
    "transforms": "transform",
    "validations": "validation",
    "schemas": "schema",
    "states": "state",
    "observability": "observability",
}


def test_every_namespace_is_there_with_its_type(flow_client_inprocess):
    client = flow_client_inprocess
    for attribute, component_type in NAMESPACES.items():
        namespace = getattr(client, attribute)
        assert isinstance(namespace, ComponentTypeNamespace)
        assert namespace.type == component_type
        assert client.component_types[component_type] == attribute
    assert isinstance(client.tools, ToolsNamespace)
    assert isinstance(client.code_blocks, CodeBlocksNamespace)
    assert isinstance(client.workflows, WorkflowsNamespace)
    assert client.agents is client.agents


@pytest.mark.parametrize("attribute", sorted(NAMESPACES))
def test_crud_and_versions_for_each_type(flow_client, attribute):
    namespace = getattr(flow_client, attribute)
    created = namespace.create(name="first", description="d", spec={"k": 1})
    assert isinstance(created, Component)
    assert created.type == NAMESPACES[attribute]
    assert created.version == 1
    assert namespace.get(created.id) == created
    updated = namespace.update(created.id, spec={"k": 2}, if_match=created.version)
    assert updated.version == 2
    assert updated.spec == {"k": 2}
    assert updated.name == "first"
    assert [v.version for v in namespace.versions(created.id)] == [1, 2]
    assert [v.spec for v in namespace.versions(created.id)] == [{"k": 1}, {"k": 2}]
    namespace.create(name="second")
    assert [c.name for c in namespace.list()] == ["first", "second"]
    assert [c.name for c in namespace.list(name="second")] == ["second"]
    namespace.delete(created.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        namespace.get(created.id)


@pytest.mark.parametrize("attribute", ["agents", "workflows"])
def test_a_stale_if_match_is_a_conflict(flow_client, attribute):
    namespace = getattr(flow_client, attribute)
    created = namespace.create(name="x")
    namespace.update(created.id, description="changed")
    with pytest.raises(CLIConflictError):
        namespace.update(created.id, description="again", if_match=1)
    with pytest.raises(CLIConflictError):
        namespace.delete(created.id, if_match=1)


def test_a_bad_body_is_a_422_naming_the_field(flow_client):
    with pytest.raises(CLIValidationError, match="name"):
        flow_client.prompts.create(description="no name")
    with pytest.raises(CLIValidationError, match="spec"):
        flow_client.prompts.create(name="p", spec="not an object")


def test_types_do_not_mix(flow_client):
    agent = flow_client.agents.create(name="a")
    with pytest.raises(CLINotFoundError):
        flow_client.models.get(agent.id)
    assert flow_client.models.list().to_list() == []


def test_another_tenants_component_is_not_found(flow_client, local_platform):
    agent = flow_client.agents.create(name="mine")
    other = local_platform.create_tenant()
    stranger = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    with pytest.raises(CLINotFoundError):
        stranger.agents.get(agent.id)
    with pytest.raises(CLINotFoundError):
        stranger.agents.update(agent.id, name="theirs")
    with pytest.raises(CLINotFoundError):
        stranger.agents.delete(agent.id)
    assert stranger.agents.list().to_list() == []


def test_list_is_lazy_and_pages(flow_client, local_platform):
    for index in range(7):
        flow_client.states.create(name=f"s{index}")
    paginator = flow_client.states.list(page_size=3)
    pages = list(paginator.pages())
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert [c.name for c in flow_client.states.list(page_size=2, limit=3)] == ["s0", "s1", "s2"]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
        lambda s: s.strip()
    ),
    spec=st.dictionaries(
        st.text(max_size=10),
        st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
        max_size=5,
    ),
)
def test_any_name_and_spec_round_trip(flow_client_inprocess, name, spec):
    created = flow_client_inprocess.schemas.create(name=name, spec=spec)
    assert flow_client_inprocess.schemas.get(created.id).to_dict()["spec"] == spec
    assert flow_client_inprocess.schemas.get(created.id).name == name


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(component_id=st.text(min_size=1, max_size=30))
def test_any_id_names_exactly_one_component_or_none(
    flow_client_inprocess, missing_error, component_id
):
    with pytest.raises(missing_error(component_id)):
        flow_client_inprocess.agents.get(component_id)
