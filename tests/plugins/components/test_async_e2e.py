"""The component namespaces on AsyncCLIClient: the same code, awaited, in both modes.

Every public method of ``tools``, ``code_blocks``, ``workflows`` and a plain
component namespace (``agents``) end to end through the local platform,
in-process and over the socket, with their error paths; waits run
concurrently and never block the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from components_support import DOUBLE_CODE, SLOW_CODE
from flow_sdk import (
    CLIConflictError,
    CLINotFoundError,
    CLITimeoutError,
    CLIValidationError,
    Component,
    ComponentTypeNamespace,
)
from flow_sdk.plugin import AsyncPaginator, RawResponse
from flow_sdk_components import (
    CodeBlocksNamespace,
    CodeExecutionError,
    ExecutionResult,
    ToolsNamespace,
    ToolTestResult,
    WorkflowRun,
    WorkflowsNamespace,
    WorkflowValidation,
)

pytestmark = pytest.mark.anyio

INPUT_SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer"}},
    "required": ["n"],
}


def step(step_id: str, component: Component, **inputs: Any) -> dict[str, Any]:
    return {
        "id": step_id,
        "component": {"type": component.type, "id": component.id},
        "inputs": inputs,
    }


class RecordingSleep:
    """An async sleep that records each pause and really waits (without blocking)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(seconds)


@pytest.fixture
def recorded_sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def recording_client(
    flow_transport_mode: str, local_platform: Any, recorded_sleep: RecordingSleep
) -> AsyncIterator[Any]:
    """An ``AsyncCLIClient`` whose pauses go through ``recorded_sleep``, in both modes."""
    async with local_platform.async_client(sleep=recorded_sleep) as client:
        yield client


@pytest.fixture
async def double_block_async(async_flow_client: Any) -> Component:
    block: Component = await async_flow_client.code_blocks.create(
        name="double", spec={"code": DOUBLE_CODE}
    )
    return block


async def make_workflow(client: Any) -> Component:
    """A two-step workflow: double ``n``, then add one."""
    double = await client.code_blocks.create(name="double", spec={"code": DOUBLE_CODE})
    add_one = await client.transforms.create(
        name="add-one", spec={"code": "def main(n):\n    return {'n': n + 1}"}
    )
    workflow: Component = await client.workflows.create(
        name="double-then-add",
        spec={
            "steps": [
                step("double", double, n="$inputs.n"),
                step("add", add_one, n="$steps.double.outputs.n"),
            ],
            "outputs": {"result": "$steps.add.outputs.n"},
        },
    )
    return workflow


async def make_slow_workflow(client: Any, seconds: float, name: str = "slow") -> Component:
    slow = await client.code_blocks.create(name=name, spec={"code": SLOW_CODE})
    workflow: Component = await client.workflows.create(
        name=name, spec={"steps": [step("s", slow, seconds=seconds)]}
    )
    return workflow


# the namespaces themselves


async def test_the_namespaces_are_the_same_classes_on_the_async_client(
    async_flow_client: Any,
) -> None:
    assert isinstance(async_flow_client.tools, ToolsNamespace)
    assert isinstance(async_flow_client.code_blocks, CodeBlocksNamespace)
    assert isinstance(async_flow_client.workflows, WorkflowsNamespace)
    assert isinstance(async_flow_client.agents, ComponentTypeNamespace)
    assert async_flow_client.tools.type == "tool"
    assert async_flow_client.code_blocks.type == "code_block"
    assert async_flow_client.workflows.type == "workflow"
    assert async_flow_client.agents.type == "agent"


# a plain component namespace, and the inherited verbs of the three special ones


@pytest.mark.parametrize("attribute", ["agents", "tools", "code_blocks", "workflows"])
async def test_crud_list_and_versions_async(async_flow_client: Any, attribute: str) -> None:
    namespace = getattr(async_flow_client, attribute)
    created = await namespace.create(name="first", description="d", spec={"k": 1})
    assert isinstance(created, Component)
    assert created.type == namespace.type
    assert created.version == 1
    assert await namespace.get(created.id) == created
    updated = await namespace.update(created.id, spec={"k": 2}, if_match=created.version)
    assert (updated.version, updated.spec, updated.name) == (2, {"k": 2}, "first")
    versions = await namespace.versions(created.id)
    assert [(v.version, v.spec) for v in versions] == [(1, {"k": 1}), (2, {"k": 2})]
    await namespace.create(name="second")
    listing = namespace.list()
    assert isinstance(listing, AsyncPaginator)
    assert [c.name async for c in listing] == ["first", "second"]
    assert [c.name async for c in namespace.list(name="second")] == ["second"]
    assert [c.name for c in await namespace.list(page_size=1, limit=1).to_list()] == ["first"]
    assert (await namespace.list(name="first").first()).id == created.id
    await namespace.delete(created.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        await namespace.get(created.id)


async def test_plain_namespace_pages_lazily(async_flow_client: Any) -> None:
    agents = async_flow_client.agents
    await asyncio.gather(*(agents.create(name=f"a{index}") for index in range(5)))
    pages = [page async for page in agents.list(page_size=2).pages()]
    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert len([a async for a in agents.list(page_size=2, limit=3)]) == 3


async def test_plain_namespace_error_paths(async_flow_client: Any) -> None:
    agents = async_flow_client.agents
    with pytest.raises(CLINotFoundError):
        await agents.get("cmp_missing")
    with pytest.raises(CLINotFoundError):
        await agents.versions("cmp_missing")
    created = await agents.create(name="x")
    await agents.update(created.id, description="changed")
    with pytest.raises(CLIConflictError):
        await agents.update(created.id, description="again", if_match=1)
    with pytest.raises(CLIConflictError):
        await agents.delete(created.id, if_match=1)
    with pytest.raises(CLIValidationError, match="name"):
        await agents.create(description="no name")
    with pytest.raises(CLIValidationError, match="spec"):
        await agents.create(name="p", spec="not an object")
    with pytest.raises(CLINotFoundError):
        await async_flow_client.models.get(created.id)
    assert await async_flow_client.models.list().to_list() == []


# code blocks


async def test_execute_async(async_flow_client: Any, double_block_async: Component) -> None:
    result = await async_flow_client.code_blocks.execute(double_block_async.id, {"n": 21})
    assert isinstance(result, ExecutionResult)
    assert (result.status, result.outputs, result.stdout) == (
        "succeeded",
        {"n": 42},
        "doubling 21\n",
    )


async def test_execute_raw_response_async(
    async_flow_client: Any, double_block_async: Component
) -> None:
    raw = await async_flow_client.code_blocks.execute.with_raw_response(
        double_block_async.id, {"n": 2}
    )
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.parse().outputs == {"n": 4}


async def test_execute_error_paths_async(
    async_flow_client: Any, double_block_async: Component
) -> None:
    blocks = async_flow_client.code_blocks
    boom = await blocks.create(name="boom", spec={"code": "raise ValueError('v')"})
    with pytest.raises(CodeExecutionError, match=f"code block {boom.id} failed: ValueError: v"):
        await blocks.execute(boom.id)
    failed = await blocks.execute(boom.id, check=False)
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error.summary == "ValueError: v"
    with pytest.raises(CLINotFoundError, match="code block 'cmp_missing' not found"):
        await blocks.execute("cmp_missing")
    with pytest.raises(CLIValidationError, match=r"timeout_s: must be more than 0 and at most"):
        await blocks.execute(double_block_async.id, {"n": 1}, timeout_s=10_000)
    with pytest.raises(ValueError, match="timeout_s"):
        await blocks.execute(double_block_async.id, {"n": 1}, timeout_s=0)
    empty = await blocks.create(name="empty", spec={})
    with pytest.raises(CLIValidationError, match=r"has no spec\.code"):
        await blocks.execute(empty.id)


async def test_a_code_block_that_times_out_async(async_flow_client: Any) -> None:
    slow = await async_flow_client.code_blocks.create(name="slow", spec={"code": SLOW_CODE})
    result = await async_flow_client.code_blocks.execute(slow.id, timeout_s=0.3, check=False)
    assert result.status == "timed_out"
    with pytest.raises(CodeExecutionError, match="timed out"):
        await async_flow_client.code_blocks.execute(slow.id, timeout_s=0.3)


async def test_executions_run_concurrently_without_blocking_the_loop(
    async_flow_client: Any,
) -> None:
    slow = await async_flow_client.code_blocks.create(name="slow", spec={"code": SLOW_CODE})
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    counting = asyncio.create_task(ticker())
    try:
        results = await asyncio.gather(
            *(async_flow_client.code_blocks.execute(slow.id, {"seconds": 0.5}) for _ in range(2))
        )
    finally:
        counting.cancel()
    assert [r.status for r in results] == ["succeeded", "succeeded"]
    assert ticks > 5, "the event loop was blocked while the code ran"


# tools


async def test_tool_test_async(async_flow_client: Any, double_block_async: Component) -> None:
    tools = async_flow_client.tools
    tool = await tools.create(name="t", spec={"input_schema": INPUT_SCHEMA, "code": DOUBLE_CODE})
    result = await tools.test(tool.id, {"n": 4})
    assert isinstance(result, ToolTestResult)
    assert (result.ok, result.outputs, result.stdout) == (True, {"n": 8}, "doubling 4\n")
    via_block = await tools.create(
        name="via-block",
        spec={"input_schema": INPUT_SCHEMA, "code_block_id": double_block_async.id},
    )
    assert (await tools.test(via_block.id, {"n": 5})).outputs == {"n": 10}


async def test_tool_test_error_paths_async(async_flow_client: Any) -> None:
    tools = async_flow_client.tools
    tool = await tools.create(name="t", spec={"input_schema": INPUT_SCHEMA, "code": DOUBLE_CODE})
    with pytest.raises(CLIValidationError) as caught:
        await tools.test(tool.id, {"n": "four"})
    assert caught.value.status_code == 422
    assert caught.value.detail[0]["loc"] == ["body", "input", "n"]
    with pytest.raises(CLIValidationError, match=r"input\.n: is required"):
        await tools.test(tool.id, {})
    with pytest.raises(CLINotFoundError, match="tool 'cmp_nope' not found"):
        await tools.test("cmp_nope", {"n": 1})
    boom = await tools.create(name="boom", spec={"code": "def main():\n    1 / 0"})
    with pytest.raises(CodeExecutionError, match=f"tool {boom.id} failed: ZeroDivisionError"):
        await tools.test(boom.id, {})
    assert (await tools.test(boom.id, {}, check=False)).status == "failed"
    spin = await tools.create(name="slow", spec={"code": "while True:\n    pass"})
    assert (await tools.test(spin.id, {}, timeout_s=0.3, check=False)).status == "timed_out"
    with pytest.raises(ValueError, match="timeout_s"):
        await tools.test(tool.id, {"n": 1}, timeout_s=-1)


# workflows


async def test_validate_async(async_flow_client: Any) -> None:
    workflows = async_flow_client.workflows
    good = await make_workflow(async_flow_client)
    assert await workflows.validate(good.id) == WorkflowValidation(valid=True, issues=[])
    broken = await workflows.create(
        name="broken", spec={"steps": [{"id": "c", "component": {"type": "code_block", "id": "x"}}]}
    )
    result = await workflows.validate(broken.id)
    assert not result.valid
    assert [(i.step, i.message) for i in result.issues] == [
        ("c", "there is no code_block by that id in this workspace")
    ]
    with pytest.raises(CLINotFoundError, match="workflow 'cmp_x' not found"):
        await workflows.validate("cmp_x")


async def test_run_wait_get_run_and_list_runs_async(
    recording_client: Any, recorded_sleep: RecordingSleep
) -> None:
    workflows = recording_client.workflows
    workflow = await make_workflow(recording_client)
    seen: list[WorkflowRun] = []
    run = await workflows.run(workflow.id, {"n": 5}, wait=True, on_progress=seen.append)
    assert isinstance(run, WorkflowRun)
    assert (run.status, run.outputs) == ("succeeded", {"result": 11})
    assert [(s.id, s.status, s.outputs) for s in run.steps] == [
        ("double", "succeeded", {"n": 10}),
        ("add", "succeeded", {"n": 11}),
    ]
    assert seen[0].status in ("queued", "running")
    assert seen[-1] == run
    assert await workflows.get_run(workflow.id, run.id) == run

    queued = await workflows.run(workflow.id, {"n": 1})
    assert queued.status == "queued"
    lines: list[str] = []
    done = await workflows.wait_for_run(
        workflow.id, queued.id, timeout_s=30, on_progress=lambda r: lines.append(r.progress_line())
    )
    assert done.status == "succeeded"
    assert lines[-1] == f"run {queued.id}: succeeded, 2/2 steps done"
    # The pauses between polls went through the client's sleep, with the backoff.
    assert recorded_sleep.delays
    assert recorded_sleep.delays[0] == pytest.approx(0.05)
    assert all(0 < delay <= 1.0 for delay in recorded_sleep.delays)

    bad = await workflows.run(workflow.id, {}, wait=True)
    assert bad.status == "failed"
    listed = workflows.list_runs(workflow.id, page_size=1)
    assert isinstance(listed, AsyncPaginator)
    assert [r.id async for r in listed] == [bad.id, queued.id, run.id]
    assert [r.id async for r in workflows.list_runs(workflow.id, status="failed")] == [bad.id]
    succeeded = await workflows.list_runs(workflow.id, status="succeeded").to_list()
    assert len(succeeded) == 2
    assert [r.id for r in await workflows.list_runs(workflow.id, limit=1).to_list()] == [bad.id]


async def test_two_waits_run_concurrently(
    recording_client: Any, recorded_sleep: RecordingSleep
) -> None:
    workflows = recording_client.workflows
    first_wf, second_wf = await asyncio.gather(
        make_slow_workflow(recording_client, 0.5, "slow-a"),
        make_slow_workflow(recording_client, 0.5, "slow-b"),
    )
    first, second = await asyncio.gather(
        workflows.run(first_wf.id, {}), workflows.run(second_wf.id, {})
    )
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    progress: dict[str, list[str]] = {first.id: [], second.id: []}
    counting = asyncio.create_task(ticker())
    try:
        done = await asyncio.gather(
            workflows.wait_for_run(
                first_wf.id,
                first.id,
                timeout_s=30,
                on_progress=lambda r: progress[r.id].append(r.status),
            ),
            workflows.wait_for_run(
                second_wf.id,
                second.id,
                timeout_s=30,
                on_progress=lambda r: progress[r.id].append(r.status),
            ),
        )
    finally:
        counting.cancel()
    assert [(r.id, r.status) for r in done] == [(first.id, "succeeded"), (second.id, "succeeded")]
    assert progress[first.id][-1] == progress[second.id][-1] == "succeeded"
    assert len(recorded_sleep.delays) >= 2, "neither wait paused between polls"
    assert ticks > 5, "the event loop was blocked while waiting"


async def test_waiting_too_long_is_a_timeout_error_async(async_flow_client: Any) -> None:
    workflows = async_flow_client.workflows
    workflow = await make_slow_workflow(async_flow_client, 1.0)
    run = await workflows.run(workflow.id)
    with pytest.raises(CLITimeoutError, match=rf"run {run.id} of workflow {workflow.id}") as caught:
        await workflows.wait_for_run(workflow.id, run.id, timeout_s=0.3)
    assert "gave up waiting after 0.3 s" in str(caught.value)
    assert f"flow workflows wait {workflow.id} {run.id}" in str(caught.value.hint)
    finished = await workflows.wait_for_run(workflow.id, run.id, timeout_s=30)
    assert finished.status == "succeeded"
    with pytest.raises(CLITimeoutError, match=r"gave up waiting after 0\.2 s"):
        await workflows.run(workflow.id, wait=True, timeout_s=0.2)
    with pytest.raises(ValueError, match="timeout_s must be more than 0"):
        await workflows.wait_for_run(workflow.id, run.id, timeout_s=0)


async def test_workflow_error_paths_async(async_flow_client: Any) -> None:
    workflows = async_flow_client.workflows
    empty = await workflows.create(name="empty", spec={})
    with pytest.raises(
        CLIValidationError, match=r"the workflow cannot run: the workflow needs spec\.steps"
    ) as caught:
        await workflows.run(empty.id)
    assert caught.value.code == "workflow_invalid"
    assert await workflows.list_runs(empty.id).to_list() == []
    with pytest.raises(CLINotFoundError):
        await workflows.run("cmp_x")
    with pytest.raises(CLINotFoundError):
        await workflows.list_runs("cmp_x").to_list()
    with pytest.raises(CLINotFoundError):
        await workflows.wait_for_run("cmp_x", "run_x", timeout_s=5)
    with pytest.raises(CLINotFoundError, match="run 'run_x'"):
        await workflows.get_run(empty.id, "run_x")
    with pytest.raises(CLIValidationError, match="status"):
        await workflows.list_runs(empty.id, status="sleeping").to_list()
    with pytest.raises(ValueError, match="page_size"):
        workflows.list_runs(empty.id, page_size=0)


async def test_the_same_idempotency_key_starts_one_run_async(
    async_flow_client: Any, local_platform: Any
) -> None:
    workflows = async_flow_client.workflows
    workflow = await make_workflow(async_flow_client)
    first = await workflows.run(workflow.id, {"n": 2}, idempotency_key="start-once")
    again = await workflows.run(workflow.id, {"n": 2}, idempotency_key="start-once")
    assert again.id == first.id
    with pytest.raises(CLIConflictError):
        await workflows.run(workflow.id, {"n": 3}, idempotency_key="start-once")
    await workflows.wait_for_run(workflow.id, first.id, timeout_s=30)
    assert len(await workflows.list_runs(workflow.id).to_list()) == 1
