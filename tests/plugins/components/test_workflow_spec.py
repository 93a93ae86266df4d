"""A workflow's spec: its steps, the issues that stop it, and resolving references."""

from __future__ import annotations

import pytest
from flow_sdk_components.local.workflow_spec import (
    MissingReference,
    check_workflow,
    parse_steps,
    resolve,
)
from hypothesis import given
from hypothesis import strategies as st


def step(step_id, ctype="code_block", cid="cmp_1", **inputs):
    return {"id": step_id, "component": {"type": ctype, "id": cid}, "inputs": inputs}


def no_problem(ctype, cid):
    return None


def messages(issues):
    return [issue.message for issue in issues]


def test_a_good_workflow_has_no_issues():
    spec = {
        "steps": [step("a", n="$inputs.n"), step("b", x="$steps.a.outputs.y", k=1)],
        "outputs": {"total": "$steps.b.outputs.total"},
    }
    steps, issues = check_workflow(spec, no_problem)
    assert issues == []
    assert [s.id for s in steps] == ["a", "b"]
    assert steps[1].inputs == {"x": "$steps.a.outputs.y", "k": 1}


@pytest.mark.parametrize("spec", [{}, {"steps": []}, {"steps": "x"}, None, []])
def test_a_workflow_without_steps_says_what_it_needs(spec):
    _, issues = parse_steps(spec)
    assert issues[0].field == "spec.steps"
    assert "at least one step" in issues[0].message


def test_every_shape_problem_of_a_step_is_named():
    spec = {
        "steps": [
            "not an object",
            {"id": "has space", "component": {"type": "code_block", "id": "c"}},
            step("ok"),
            step("ok"),
            {"id": "nocomp"},
            {"id": "badinputs", "component": {"type": "tool", "id": "t"}, "inputs": [1]},
        ]
    }
    steps, issues = parse_steps(spec)
    assert [s.id for s in steps] == ["ok"]
    fields = [issue.field for issue in issues]
    assert fields == [
        "spec.steps[0]",
        "spec.steps[1].id",
        "spec.steps[3].id",
        "spec.steps[4].component",
        "spec.steps[5].inputs",
    ]


def test_references_to_later_or_unknown_steps_are_issues():
    spec = {
        "steps": [step("a", x="$steps.b.outputs.y"), step("b", z="$steps.nope.outputs")],
        "outputs": {"o": "$steps.ghost.outputs.v"},
    }
    _, issues = check_workflow(spec, no_problem)
    assert messages(issues) == [
        "$steps.b.outputs.y refers to a later step (steps run in order)",
        "$steps.nope.outputs refers to no step by that id",
        "$steps.ghost.outputs.v refers to no step by that id",
    ]
    assert issues[0].step == "a"
    assert issues[2].field == "spec.outputs"


@pytest.mark.parametrize(
    "ref", ["$steps.a", "$steps.a.output.x", "$steps..outputs", "$inputs.", "$inputs.a..b"]
)
def test_malformed_references_are_issues(ref):
    _, issues = check_workflow({"steps": [step("a"), step("b", x=ref)]}, no_problem)
    assert len(issues) == 1
    assert repr(ref) in issues[0].message


def test_components_that_cannot_run_are_issues():
    spec = {"steps": [step("a", "agent", "cmp_a"), step("b", "tool", "cmp_t")]}
    _, issues = check_workflow(spec, lambda t, i: f"no {t} {i}")
    assert issues[0].field == "component.type"
    assert "'agent' cannot run" in issues[0].message
    assert issues[1].message == "no tool cmp_t"


def test_resolve_replaces_references_inside_dicts_and_lists():
    value = {"a": "$inputs.n", "b": ["$steps.s.outputs.list", 7, "plain"], "c": "$inputs.deep.x"}
    inputs = {"n": 1, "deep": {"x": 2}}
    outputs = {"s": {"list": [1, 2]}}
    assert resolve(value, inputs, outputs) == {"a": 1, "b": [[1, 2], 7, "plain"], "c": 2}
    assert resolve("$inputs", inputs, outputs) == inputs
    assert resolve("$steps.s.outputs", inputs, outputs) == {"list": [1, 2]}


def test_resolve_says_what_is_missing_and_what_there_is():
    with pytest.raises(
        MissingReference, match=r"the outputs of step 's' has no 'y' \(it has: list\)"
    ):
        resolve("$steps.s.outputs.y", {}, {"s": {"list": []}})
    with pytest.raises(MissingReference, match="step 'later' has not run"):
        resolve("$steps.later.outputs.y", {}, {})
    with pytest.raises(MissingReference, match="the run's inputs has no 'n'"):
        resolve("$inputs.n", {}, {})


literals = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text().filter(lambda s: not s.startswith("$")),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
    max_leaves=10,
)


@given(literals)
def test_literals_resolve_to_themselves(value):
    assert resolve(value, {}, {}) == value
