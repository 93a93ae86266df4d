"""client.solutions end to end through the local platform (in-process and over the socket).

Components come from the local platform's generic catalog (the types of
flow-sdk-components: agent, tool, …).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from flow_sdk import (
    CLIClient,
    CLIConflictError,
    CLINotFoundError,
    CLIValidationError,
)
from flow_sdk.plugin import Namespace, Steps, endpoint, send
from flow_sdk_solutions import (
    BUNDLE_FORMAT_VERSION,
    ComponentRef,
    ImportResult,
    Solution,
    SolutionBundle,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


class _RawImport(Namespace[Any]):
    """``POST <workspace>/solutions/import`` with any body, sent as it is (no local checks)."""

    @endpoint
    def send(self, bundle: Any) -> Steps[Any]:
        return (yield from send("POST", self._tenant("solutions", "import"), json=bundle))


def component(client: CLIClient, kind: str, name: str, spec: dict[str, Any] | None = None) -> Any:
    return client.create_component(kind, {"name": name, "spec": spec or {}})


@pytest.fixture
def parts(flow_client: CLIClient) -> dict[str, Any]:
    """An agent with two versions, and a tool whose spec names the agent."""
    agent = component(flow_client, "agent", "planner", {"model": "small"})
    flow_client.agents.update(agent["id"], spec={"model": "large"}, description="v2")
    tool = component(
        flow_client,
        "tool",
        "search",
        {"agent_id": agent["id"], "n": [agent["id"]], "by_id": {agent["id"]: "main"}},
    )
    return {"agent": agent, "tool": tool}


@pytest.fixture
def solution(solutions: Any, parts: dict[str, Any]) -> Solution:
    return solutions.create(
        name="helpdesk",
        description="answers tickets",
        components=[parts["agent"], {"type": "tool", "id": parts["tool"]["id"]}],
    )


def a_bundle(**changes: Any) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "format": "flow-solution-bundle",
        "format_version": 1,
        "solution": {
            "id": "sol_src",
            "name": "s",
            "components": [{"type": "agent", "id": "cmp_a"}],
        },
        "components": [
            {
                "type": "agent",
                "id": "cmp_a",
                "name": "a",
                "versions": [{"version": 1, "name": "a", "spec": {}}],
            }
        ],
    }
    bundle.update(changes)
    return bundle


class TestCrud:
    def test_create_get_list_update_delete(
        self, solutions: Any, parts: dict[str, Any], solution: Solution
    ) -> None:
        assert solution.id.startswith("sol_")
        assert solution.components == [
            ComponentRef(type="agent", id=parts["agent"]["id"]),
            ComponentRef(type="tool", id=parts["tool"]["id"]),
        ]
        assert (solution.name, solution.description, solution.version) == (
            "helpdesk",
            "answers tickets",
            1,
        )
        assert solutions.get(solution.id) == solution
        assert [s.id for s in solutions.list()] == [solution.id]
        updated = solutions.update(
            solution.id, components=[parts["tool"]], if_match=solution.version
        )
        assert [c.type for c in updated.components] == ["tool"]
        assert (updated.version, updated.name) == (2, "helpdesk")
        solutions.delete(solution.id, if_match=2)
        with pytest.raises(CLINotFoundError):
            solutions.get(solution.id)

    def test_list_is_lazy_and_filters_by_name(self, solutions: Any) -> None:
        made = [solutions.create(name=f"s{i % 2}").id for i in range(5)]
        assert [len(p.items) for p in solutions.list(page_size=2).pages()] == [2, 2, 1]
        assert [s.id for s in solutions.list(name="s0")] == made[::2]

    def test_a_stale_if_match_is_a_conflict(self, solutions: Any, solution: Solution) -> None:
        solutions.update(solution.id, description="new")
        with pytest.raises(CLIConflictError):
            solutions.update(solution.id, name="x", if_match=solution.version)
        with pytest.raises(CLIConflictError):
            solutions.delete(solution.id, if_match=solution.version)

    @pytest.mark.parametrize(
        ("body", "needle"),
        [
            ({"name": "s", "components": [{"type": "agent", "id": "cmp_nope"}]}, "no agent"),
            ({"name": "s", "components": [{"type": "gizmo", "id": "cmp_x"}]}, "gizmo"),
            ({"name": "s", "components": [{"type": "agent"}]}, "id"),
            ({"name": ""}, "must not be empty"),
            ({"name": "s", "colour": "red"}, "colour"),
        ],
    )
    def test_a_bad_body_is_422(self, solutions: Any, body: dict[str, Any], needle: str) -> None:
        with pytest.raises(CLIValidationError, match=needle) as info:
            solutions.create(body)
        assert info.value.status_code == 422

    def test_a_component_listed_twice_is_422(self, solutions: Any, parts: dict[str, Any]) -> None:
        with pytest.raises(CLIValidationError, match="listed twice"):
            solutions.create(name="s", components=[parts["agent"], parts["agent"]])

    def test_a_reference_without_type_or_id_is_refused_before_sending(self, solutions: Any) -> None:
        with pytest.raises(CLIValidationError, match="needs a type and an id") as info:
            solutions.create(name="s", components=[{"id": "cmp_1"}])
        assert info.value.status_code is None

    def test_a_missing_solution_is_404_for_every_call(self, solutions: Any) -> None:
        for call in (
            lambda: solutions.get("sol_missing"),
            lambda: solutions.update("sol_missing", name="x"),
            lambda: solutions.delete("sol_missing"),
            lambda: solutions.export("sol_missing"),
        ):
            with pytest.raises(CLINotFoundError):
                call()

    def test_another_tenant_sees_nothing_and_cannot_reference_our_components(
        self, solution: Solution, parts: dict[str, Any], local_platform: Any
    ) -> None:
        other = local_platform.create_tenant()
        stranger = local_platform.client(
            api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
        ).solutions
        assert stranger.list().to_list() == []
        for call in (
            lambda: stranger.get(solution.id),
            lambda: stranger.update(solution.id, name="mine"),
            lambda: stranger.delete(solution.id),
            lambda: stranger.export(solution.id),
        ):
            with pytest.raises(CLINotFoundError):
                call()
        with pytest.raises(CLIValidationError, match="in this workspace"):
            stranger.create(name="theft", components=[parts["agent"]])


class TestExport:
    def test_the_bundle_holds_the_solution_and_every_component_with_its_history(
        self, solutions: Any, solution: Solution, parts: dict[str, Any]
    ) -> None:
        bundle = solutions.export(solution.id)
        assert isinstance(bundle, SolutionBundle)
        assert (bundle.format, bundle.format_version) == ("flow-solution-bundle", 1)
        assert bundle.solution.id == solution.id
        assert bundle.solution.name == "helpdesk"
        by_type = {c.type: c for c in bundle.components}
        agent = by_type["agent"]
        assert agent.id == parts["agent"]["id"]
        assert (agent.version, agent.spec, agent.description) == (2, {"model": "large"}, "v2")
        assert [(v.version, v.spec) for v in agent.versions] == [
            (1, {"model": "small"}),
            (2, {"model": "large"}),
        ]
        assert by_type["tool"].spec == {
            "agent_id": agent.id,
            "n": [agent.id],
            "by_id": {agent.id: "main"},
        }

    def test_export_to_file_writes_the_bundle_as_json(
        self, solutions: Any, solution: Solution, tmp_path: Path
    ) -> None:
        path = solutions.export_to_file(solution.id, tmp_path / "out" / "helpdesk.json")
        assert path == tmp_path / "out" / "helpdesk.json"
        written = json.loads(path.read_text())
        assert written["solution"]["name"] == "helpdesk"
        assert written["format_version"] == BUNDLE_FORMAT_VERSION
        assert [p.name for p in path.parent.iterdir()] == ["helpdesk.json"]  # no temp file left

    def test_a_dangling_reference_is_a_conflict_saying_what_to_do(
        self, flow_client: CLIClient, solutions: Any, solution: Solution, parts: dict[str, Any]
    ) -> None:
        flow_client.tools.delete(parts["tool"]["id"])
        with pytest.raises(CLIConflictError, match="no longer exists; update the solution"):
            solutions.export(solution.id)


class TestImport:
    def test_import_recreates_everything_with_new_ids_and_mapped_references(
        self, flow_client: CLIClient, solutions: Any, solution: Solution, parts: dict[str, Any]
    ) -> None:
        result = solutions.import_(solutions.export(solution.id), name="helpdesk copy")
        assert isinstance(result, ImportResult)
        copy = result.solution
        assert copy.id != solution.id
        assert (copy.name, copy.description) == ("helpdesk copy", "answers tickets")
        old_agent, old_tool = parts["agent"]["id"], parts["tool"]["id"]
        new_agent, new_tool = result.id_map[old_agent], result.id_map[old_tool]
        assert {new_agent, new_tool}.isdisjoint({old_agent, old_tool})
        assert copy.components == [
            ComponentRef(type="agent", id=new_agent),
            ComponentRef(type="tool", id=new_tool),
        ]
        assert solutions.get(copy.id) == copy
        assert flow_client.tools.get(new_tool).spec == {
            "agent_id": new_agent,
            "n": [new_agent],
            "by_id": {new_agent: "main"},
        }
        history = flow_client.agents.versions(new_agent)
        assert [(v.version, v.spec) for v in history] == [
            (1, {"model": "small"}),
            (2, {"model": "large"}),
        ]
        assert flow_client.agents.get(new_agent).description == "v2"
        # the originals are untouched
        assert flow_client.tools.get(old_tool).spec["agent_id"] == old_agent

    def test_a_bundle_moves_to_another_workspace(
        self, solutions: Any, solution: Solution, local_platform: Any, tmp_path: Path
    ) -> None:
        path = solutions.export_to_file(solution.id, tmp_path / "b.json")
        other = local_platform.create_tenant()
        elsewhere = local_platform.client(
            api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
        )
        result = elsewhere.solutions.import_(path)
        assert result.solution.name == "helpdesk"
        assert [s.id for s in elsewhere.solutions.list()] == [result.solution.id]
        assert elsewhere.agents.get(result.components[0].id).name == "planner"
        assert elsewhere.solutions.export(result.solution.id).solution.name == "helpdesk"

    def test_each_import_is_a_new_copy_unless_the_key_repeats(
        self, solutions: Any, solution: Solution
    ) -> None:
        bundle = solutions.export(solution.id)
        first = solutions.import_(bundle)
        second = solutions.import_(bundle)
        assert first.solution.id != second.solution.id
        keyed = [solutions.import_(bundle, idempotency_key="once") for _ in range(2)]
        assert keyed[0].solution.id == keyed[1].solution.id
        assert len(solutions.list().to_list()) == 4

    def test_a_newer_format_is_refused_before_sending(self, solutions: Any) -> None:
        with pytest.raises(CLIValidationError, match="format version 2, newer than the 1") as info:
            solutions.import_(a_bundle(format_version=2, something_new=True))
        assert info.value.status_code is None
        assert info.value.code == "newer_format"
        assert "pip install -U flow-sdk-solutions" in (info.value.hint or "")

    def test_whole_floats_are_integers_as_json_schema_says(
        self, flow_client: CLIClient, solutions: Any, solution: Solution
    ) -> None:
        bundle = msgspec.to_builtins(solutions.export(solution.id))
        for entry in bundle["components"]:
            for version in entry["versions"]:
                version["version"] = float(version["version"])  # 1.0: what some encoders write
        result = flow_client.namespace(_RawImport).send(bundle)
        assert result["solution"]["name"] == solution.name
        for entry in bundle["components"]:
            entry["versions"][0]["version"] = 1.5
        with pytest.raises(CLIValidationError, match="Expected `int`, got `float`"):
            flow_client.namespace(_RawImport).send(bundle)

    def test_the_platform_refuses_a_newer_format_too(self, flow_client: CLIClient) -> None:
        with pytest.raises(CLIValidationError, match="format version 7") as info:
            flow_client.namespace(_RawImport).send(a_bundle(format_version=7))
        assert (info.value.status_code, info.value.code) == (422, "newer_format")

    @pytest.mark.parametrize(
        ("bundle", "needle"),
        [
            (a_bundle(format="zip"), "not a solution bundle"),
            (a_bundle(components=[]), "which is not in `$.components`"),
            (a_bundle(solution={"id": "s", "components": []}), "`$.solution`"),
        ],
    )
    def test_a_malformed_bundle_is_422_naming_what_is_wrong(
        self, flow_client: CLIClient, solutions: Any, bundle: dict[str, Any], needle: str
    ) -> None:
        with pytest.raises(CLIValidationError, match=r"malformed|not a solution") as local:
            solutions.import_(bundle)
        assert needle in str(local.value)
        with pytest.raises(CLIValidationError) as remote:
            flow_client.namespace(_RawImport).send(bundle)
        assert (remote.value.status_code, remote.value.code) == (422, "malformed")
        assert needle in str(remote.value)

    def test_an_unknown_component_type_leaves_nothing_behind(
        self, flow_client: CLIClient, solutions: Any
    ) -> None:
        bundle = a_bundle()
        bundle["components"].append(
            {"type": "gizmo", "id": "cmp_g", "name": "g", "versions": [{"version": 1, "name": "g"}]}
        )
        bundle["solution"]["components"].append({"type": "gizmo", "id": "cmp_g"})
        with pytest.raises(CLIValidationError, match="'gizmo' is not registered"):
            solutions.import_(bundle)
        assert flow_client.agents.list().to_list() == []
        assert solutions.list().to_list() == []

    def test_a_file_that_is_missing_or_not_json_is_a_clear_error(
        self, solutions: Any, tmp_path: Path
    ) -> None:
        with pytest.raises(CLIValidationError, match="cannot read the bundle"):
            solutions.import_(tmp_path / "absent.json")
        broken = tmp_path / "broken.json"
        broken.write_text("{")
        with pytest.raises(CLIValidationError, match=r"broken\.json is not JSON"):
            solutions.import_(str(broken))


specs = st.dictionaries(
    st.text(max_size=6),
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
        max_leaves=6,
    ),
    max_size=4,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
        str.strip
    ),
    spec=specs,
)
def test_any_name_and_spec_survive_export_and_import(
    flow_client_inprocess: CLIClient, name: str, spec: dict[str, Any]
) -> None:
    client = flow_client_inprocess
    made = client.create_component("prompt", {"name": name, "spec": spec})
    source = client.solutions.create(name=name, components=[made])
    bundle = client.solutions.export(source.id)
    round_tripped = msgspec.json.decode(msgspec.json.encode(bundle))  # as a file would
    result = client.solutions.import_(round_tripped)
    assert result.solution.name == name
    copy = client.prompts.get(result.components[0].id)
    assert (copy.name, copy.spec) == (name, spec)
