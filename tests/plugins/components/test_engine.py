"""The workflow engine: steps in order, each recorded, the first failure stops the run."""

from __future__ import annotations

import copy

from flow_sdk_components.local.engine import execute_run, new_run
from flow_sdk_components.local.workflow_spec import parse_steps

COMPONENTS = {
    ("code_block", "double"): {"spec": {"code": "def main(n):\n    return {'n': n * 2}"}},
    ("code_block", "boom"): {"spec": {"code": "def main(n):\n    raise ValueError('no luck')"}},
    ("transform", "inc"): {"spec": {"code": "def main(n):\n    return {'n': n + 1}"}},
    ("validation", "positive"): {
        "spec": {"schema": {"type": "object", "properties": {"n": {"minimum": 0}}}}
    },
    ("tool", "echo"): {
        "spec": {
            "input_schema": {"type": "object", "required": ["n"]},
            "code": "def main(n):\n    print('tool ran')\n    return {'n': n}",
        }
    },
}


def lookup(ctype, cid):
    return COMPONENTS.get((ctype, cid))


def step(step_id, ctype, cid, **inputs):
    return {"id": step_id, "component": {"type": ctype, "id": cid}, "inputs": inputs}


def run_spec(spec, inputs):
    steps, issues = parse_steps(spec)
    assert issues == []
    run = new_run("run_1", "wf_1", 1, steps, inputs)
    saved = []
    execute_run(
        run,
        steps,
        spec.get("outputs"),
        lookup=lookup,
        save=lambda r: saved.append(copy.deepcopy(r)),
    )
    return run, saved


def test_every_runnable_type_runs_in_order_passing_outputs_on():
    spec = {
        "steps": [
            step("check", "validation", "positive", n="$inputs.n"),
            step("double", "code_block", "double", n="$steps.check.outputs.n"),
            step("inc", "transform", "inc", n="$steps.double.outputs.n"),
            step("echo", "tool", "echo", n="$steps.inc.outputs.n"),
        ],
        "outputs": {"result": "$steps.echo.outputs.n", "start": "$inputs.n"},
    }
    run, saved = run_spec(spec, {"n": 5})
    assert run.status == "succeeded"
    assert run.outputs == {"result": 11, "start": 5}
    assert [s.status for s in run.steps] == ["succeeded"] * 4
    assert run.steps[1].inputs == {"n": 5}
    assert run.steps[3].stdout == "tool ran\n"
    assert all(s.duration_ms is not None and s.finished_at for s in run.steps)
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.started_at <= run.finished_at
    # saved after every change: running, each step start and end, the end
    statuses = [r.status for r in saved]
    assert statuses[0] == "running"
    assert statuses[-1] == "succeeded"
    assert [s.status for s in saved[1].steps] == ["running", "pending", "pending", "pending"]


def test_without_spec_outputs_the_last_steps_outputs_are_the_runs():
    run, _ = run_spec({"steps": [step("d", "code_block", "double", n="$inputs.n")]}, {"n": 4})
    assert run.outputs == {"n": 8}


def test_a_failing_step_fails_the_run_and_skips_the_rest():
    spec = {
        "steps": [
            step("a", "code_block", "double", n="$inputs.n"),
            step("b", "code_block", "boom", n=1),
            step("c", "code_block", "double", n=1),
        ]
    }
    run, _ = run_spec(spec, {"n": 1})
    assert run.status == "failed"
    assert [s.status for s in run.steps] == ["succeeded", "failed", "skipped"]
    assert run.failed_step is not None
    assert run.failed_step.id == "b"
    assert run.failed_step.error is not None
    assert run.failed_step.error.summary == "ValueError: no luck"
    assert run.error is not None
    assert run.error.type == "StepFailed"
    assert "step 'b' failed: ValueError: no luck" in run.error.message


def test_a_validation_that_does_not_pass_fails_its_step_naming_the_field():
    run, _ = run_spec({"steps": [step("v", "validation", "positive", n=-1)]}, {})
    step_result = run.steps[0]
    assert step_result.status == "failed"
    assert step_result.error is not None
    assert step_result.error.type == "ValidationFailed"
    assert "inputs.n" in step_result.error.message


def test_a_tool_step_with_bad_input_fails_naming_the_field():
    run, _ = run_spec({"steps": [step("t", "tool", "echo")]}, {})
    assert run.steps[0].error is not None
    assert run.steps[0].error.type == "InvalidInput"
    assert "input.n: is required" in run.steps[0].error.message


def test_a_missing_input_fails_the_step_with_what_is_missing():
    run, _ = run_spec({"steps": [step("a", "code_block", "double", n="$inputs.n")]}, {"m": 1})
    assert run.steps[0].error is not None
    assert run.steps[0].error.type == "MissingInput"
    assert "has no 'n' (it has: m)" in run.steps[0].error.message


def test_a_component_deleted_before_its_step_runs_fails_the_step():
    run, _ = run_spec({"steps": [step("a", "code_block", "gone")]}, {})
    assert run.steps[0].error is not None
    assert run.steps[0].error.type == "NotRunnable"


def test_outputs_naming_a_missing_value_fail_the_run():
    spec = {
        "steps": [step("a", "code_block", "double", n=1)],
        "outputs": {"x": "$steps.a.outputs.zzz"},
    }
    run, _ = run_spec(spec, {})
    assert run.status == "failed"
    assert run.error is not None
    assert run.error.type == "MissingOutput"


def test_an_error_inside_the_engine_fails_the_run_instead_of_escaping():
    steps, _ = parse_steps({"steps": [step("a", "code_block", "double", n=1)]})
    run = new_run("run_1", "wf_1", 1, steps, {})
    calls = []

    def save(r):
        calls.append(r.status)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    execute_run(run, steps, None, lookup=lookup, save=save)
    assert run.status == "failed"
    assert run.error is not None
    assert run.error.type == "InternalError"
    assert "disk full" in run.error.message
