"""The plugin as a whole: the registered types, lazy exports, life without it.

The wiring every plugin shares is tested in tests/plugins/test_wiring.py.
"""

from __future__ import annotations

import pytest
from flow_sdk import ComponentTypeSpec
from flow_sdk_components import plugin


def test_it_registers_the_eleven_component_types():
    specs = plugin.flow_sdk_component_types()
    assert all(isinstance(spec, ComponentTypeSpec) for spec in specs)
    assert {spec.type: spec.attribute for spec in specs} == {
        "agent": "agents",
        "model": "models",
        "prompt": "prompts",
        "transform": "transforms",
        "validation": "validations",
        "schema": "schemas",
        "state": "states",
        "observability": "observability",
        "tool": "tools",
        "code_block": "code_blocks",
        "workflow": "workflows",
    }
    special = {spec.type: spec.factory for spec in specs if spec.factory}
    assert special == {
        "tool": "flow_sdk_components.tools:ToolsNamespace",
        "code_block": "flow_sdk_components.code_blocks:CodeBlocksNamespace",
        "workflow": "flow_sdk_components.workflows:WorkflowsNamespace",
    }


def test_the_package_exports_load_on_first_use():
    import flow_sdk_components

    assert flow_sdk_components.run_code.__name__ == "run_code"
    assert "WorkflowRun" in dir(flow_sdk_components)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = flow_sdk_components.nothing


def test_without_the_plugin_components_are_still_reachable_generically(local_platform):
    client = local_platform.client(disable_plugins=["components"])
    assert "agents" not in client.component_types.values()
    created = client.create_component("agent", {"name": "still possible"})
    assert created["type"] == "agent"


def test_a_third_party_component_type_works_with_no_code_from_us(flow_client, flow_cli):
    pytest.importorskip("flow_sdk_example")
    evaluator = flow_client.evaluators.create(name="exact-match", spec={"metric": "exact"})
    assert evaluator.type == "evaluator"
    assert flow_client.evaluators.get(evaluator.id) == evaluator
    assert [e.id for e in flow_client.evaluators.list()] == [evaluator.id]
    result = flow_cli("evaluators", "list", "--json")
    assert result.code == 0, result.err
    assert [e["id"] for e in result.json()] == [evaluator.id]
