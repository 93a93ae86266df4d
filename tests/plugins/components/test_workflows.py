"""client.workflows: validate, run, get_run, list_runs, wait_for_run end to end."""

from __future__ import annotations

import pytest
from components_support import SLOW_CODE
from flow_sdk import CLIConflictError, CLINotFoundError, CLITimeoutError, CLIValidationError
from flow_sdk_components import WorkflowRun, WorkflowValidation


def step(step_id, component, **inputs):
    return {
        "id": step_id,
        "component": {"type": component.type, "id": component.id},
        "inputs": inputs,
    }


@pytest.fixture
def add_one(flow_client):
    return flow_client.transforms.create(
        name="add-one", spec={"code": "def main(n):\n    return {'n': n + 1}"}
    )


@pytest.fixture
def workflow(flow_client, double_block, add_one):
    return flow_client.workflows.create(
        name="double-then-add",
        spec={
            "steps": [
                step("double", double_block, n="$inputs.n"),
                step("add", add_one, n="$steps.double.outputs.n"),
            ],
            "outputs": {"result": "$steps.add.outputs.n"},
        },
    )


def test_a_good_workflow_validates(flow_client, workflow):
    result = flow_client.workflows.validate(workflow.id)
    assert result == WorkflowValidation(valid=True, issues=[])


def test_validate_lists_every_issue(flow_client, double_block):
    agent = flow_client.agents.create(name="agent")
    wf = flow_client.workflows.create(
        name="broken",
        spec={
            "steps": [
                step("a", double_block, n="$steps.b.outputs.n"),
                step("b", agent),
                {"id": "c", "component": {"type": "code_block", "id": "cmp_gone"}},
            ]
        },
    )
    result = flow_client.workflows.validate(wf.id)
    assert not result.valid
    found = [(issue.step, issue.message) for issue in result.issues]
    assert ("a", "$steps.b.outputs.n refers to a later step (steps run in order)") in found
    assert any(s == "b" and "'agent' cannot run" in m for s, m in found)
    assert ("c", "there is no code_block by that id in this workspace") in found


def test_run_and_wait_returns_the_finished_run_with_every_step(flow_client, workflow):
    seen = []
    run = flow_client.workflows.run(workflow.id, {"n": 5}, wait=True, on_progress=seen.append)
    assert isinstance(run, WorkflowRun)
    assert run.status == "succeeded"
    assert run.outputs == {"result": 11}
    assert run.workflow_version == workflow.version
    assert [(s.id, s.status, s.outputs) for s in run.steps] == [
        ("double", "succeeded", {"n": 10}),
        ("add", "succeeded", {"n": 11}),
    ]
    assert run.steps[0].stdout == "doubling 5\n"
    assert run.steps[1].inputs == {"n": 10}
    assert seen[0].status in ("queued", "running")
    assert seen[-1] == run


def test_run_without_wait_returns_the_queued_run_then_wait_for_run_follows_it(
    flow_client, workflow
):
    run = flow_client.workflows.run(workflow.id, {"n": 1})
    assert run.status == "queued"
    assert [s.status for s in run.steps] == ["pending", "pending"]
    lines = []
    done = flow_client.workflows.wait_for_run(
        workflow.id, run.id, timeout_s=30, on_progress=lambda r: lines.append(r.progress_line())
    )
    assert done.status == "succeeded"
    assert done.finished
    assert lines[-1] == f"run {run.id}: succeeded, 2/2 steps done"
    assert flow_client.workflows.get_run(workflow.id, run.id) == done


def test_a_failing_step_fails_the_run_and_records_why(flow_client, double_block):
    boom = flow_client.code_blocks.create(
        name="boom", spec={"code": "def main(n):\n    raise RuntimeError(f'bad {n}')"}
    )
    wf = flow_client.workflows.create(
        name="fails",
        spec={"steps": [step("boom", boom, n="$inputs.n"), step("never", double_block, n=1)]},
    )
    run = flow_client.workflows.run(wf.id, {"n": 3}, wait=True)
    assert run.status == "failed"
    assert [s.status for s in run.steps] == ["failed", "skipped"]
    assert run.failed_step is not None
    assert run.failed_step.error is not None
    assert run.failed_step.error.summary == "RuntimeError: bad 3"
    assert run.error is not None
    assert "step 'boom' failed: RuntimeError: bad 3" in run.error.message


def test_a_missing_run_input_fails_the_step_naming_it(flow_client, workflow):
    run = flow_client.workflows.run(workflow.id, {"m": 1}, wait=True)
    assert run.status == "failed"
    assert run.steps[0].error is not None
    assert run.steps[0].error.type == "MissingInput"
    assert "has no 'n' (it has: m)" in run.steps[0].error.message


def test_running_an_invalid_workflow_is_a_422_that_says_what_is_wrong(flow_client):
    wf = flow_client.workflows.create(name="empty", spec={})
    with pytest.raises(
        CLIValidationError, match=r"the workflow cannot run: the workflow needs spec\.steps"
    ) as caught:
        flow_client.workflows.run(wf.id)
    assert caught.value.code == "workflow_invalid"
    assert list(flow_client.workflows.list_runs(wf.id)) == []


def test_waiting_too_long_is_a_timeout_error_and_the_run_goes_on(flow_client, local_platform):
    slow = flow_client.code_blocks.create(name="slow", spec={"code": SLOW_CODE})
    wf = flow_client.workflows.create(name="slow", spec={"steps": [step("s", slow, seconds=1.0)]})
    run = flow_client.workflows.run(wf.id)
    with pytest.raises(CLITimeoutError, match=rf"run {run.id}: running, 0/1 steps done, running s"):
        flow_client.workflows.wait_for_run(wf.id, run.id, timeout_s=0.3)
    finished = flow_client.workflows.wait_for_run(wf.id, run.id, timeout_s=30)
    assert finished.status == "succeeded"


def test_list_runs_is_newest_first_paged_and_filtered(flow_client, workflow, local_platform):
    runs = [flow_client.workflows.run(workflow.id, {"n": n}) for n in range(3)]
    bad = flow_client.workflows.run(workflow.id, {})
    assert local_platform.wait_idle(30)
    listed = list(flow_client.workflows.list_runs(workflow.id, page_size=2))
    assert [r.id for r in listed] == [bad.id] + [r.id for r in reversed(runs)]
    assert [r.id for r in flow_client.workflows.list_runs(workflow.id, status="failed")] == [bad.id]
    assert len(flow_client.workflows.list_runs(workflow.id, status="succeeded").to_list()) == 3
    assert flow_client.workflows.list_runs(workflow.id, limit=1).to_list()[0].id == bad.id


def test_a_bad_status_filter_is_a_422(flow_client, workflow):
    with pytest.raises(CLIValidationError, match="status"):
        flow_client.workflows.list_runs(workflow.id, status="sleeping").to_list()


def test_page_size_out_of_range_is_refused(flow_client, workflow):
    with pytest.raises(ValueError, match="page_size"):
        flow_client.workflows.list_runs(workflow.id, page_size=0)


def test_unknown_workflows_and_runs_are_not_found(flow_client, workflow):
    with pytest.raises(CLINotFoundError, match="workflow 'cmp_x' not found"):
        flow_client.workflows.validate("cmp_x")
    with pytest.raises(CLINotFoundError):
        flow_client.workflows.run("cmp_x")
    with pytest.raises(CLINotFoundError):
        flow_client.workflows.list_runs("cmp_x").to_list()
    with pytest.raises(CLINotFoundError, match="run 'run_x'"):
        flow_client.workflows.get_run(workflow.id, "run_x")


def test_a_run_is_only_found_under_its_own_workflow(flow_client, workflow, double_block):
    other = flow_client.workflows.create(
        name="other", spec={"steps": [step("d", double_block, n=1)]}
    )
    run = flow_client.workflows.run(workflow.id, {"n": 1}, wait=True)
    with pytest.raises(CLINotFoundError):
        flow_client.workflows.get_run(other.id, run.id)


def test_another_tenants_workflow_and_runs_are_not_found(flow_client, local_platform, workflow):
    run = flow_client.workflows.run(workflow.id, {"n": 1}, wait=True)
    other = local_platform.create_tenant()
    stranger = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    for call in (
        lambda: stranger.workflows.validate(workflow.id),
        lambda: stranger.workflows.run(workflow.id, {"n": 1}),
        lambda: stranger.workflows.get_run(workflow.id, run.id),
        lambda: stranger.workflows.list_runs(workflow.id).to_list(),
    ):
        with pytest.raises(CLINotFoundError):
            call()


def test_a_step_may_reference_a_component_of_another_tenant_only_as_missing(
    flow_client, local_platform
):
    other = local_platform.create_tenant()
    stranger = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    theirs = stranger.code_blocks.create(name="theirs", spec={"code": "outputs = {}"})
    wf = flow_client.workflows.create(name="w", spec={"steps": [step("t", theirs)]})
    assert not flow_client.workflows.validate(wf.id).valid


def test_the_same_idempotency_key_starts_one_run(flow_client, workflow, local_platform):
    first = flow_client.workflows.run(workflow.id, {"n": 2}, idempotency_key="start-once")
    again = flow_client.workflows.run(workflow.id, {"n": 2}, idempotency_key="start-once")
    assert again.id == first.id
    with pytest.raises(CLIConflictError):
        flow_client.workflows.run(workflow.id, {"n": 3}, idempotency_key="start-once")
    assert local_platform.wait_idle(30)
    assert len(flow_client.workflows.list_runs(workflow.id).to_list()) == 1


def test_every_runnable_type_can_be_a_step(flow_client, double_block):
    tool = flow_client.tools.create(
        name="t",
        spec={
            "input_schema": {"type": "object", "required": ["n"]},
            "code": "def main(n):\n    return {'n': -n}",
        },
    )
    check = flow_client.validations.create(
        name="v", spec={"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}
    )
    wf = flow_client.workflows.create(
        name="all",
        spec={
            "steps": [
                step("check", check, n="$inputs.n"),
                step("double", double_block, n="$steps.check.outputs.n"),
                step("negate", tool, n="$steps.double.outputs.n"),
            ]
        },
    )
    run = flow_client.workflows.run(wf.id, {"n": 4}, wait=True)
    assert run.status == "succeeded"
    assert run.outputs == {"n": -8}
    bad = flow_client.workflows.run(wf.id, {"n": "four"}, wait=True)
    assert bad.steps[0].error is not None
    assert bad.steps[0].error.type == "ValidationFailed"


def test_a_run_left_by_a_stopped_platform_is_reported_interrupted(
    flow_client, workflow, local_platform
):
    from flow_sdk_components.local import routes

    run = flow_client.workflows.run(workflow.id, {"n": 1})
    assert local_platform.wait_idle(30)
    with local_platform.store.transaction() as tx:
        tx.execute(
            f"UPDATE {routes.RUNS_TABLE} SET status = 'running', runner = '999999999:gone' "
            "WHERE id = ?",
            (run.id,),
        )
    found = flow_client.workflows.get_run(workflow.id, run.id)
    assert found.status == "failed"
    assert found.error is not None
    assert found.error.type == "Interrupted"
