"""``flow workflows run --wait`` and ``wait`` as a real process: the run's state on a
terminal while it waits, nothing on stderr in a pipe, nothing with --quiet."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from components_support import DOUBLE_CODE, SLOW_CODE


@pytest.fixture
def slow_workflow(served_platform: Any) -> Any:
    client = served_platform.client()
    slow = client.code_blocks.create(name="slow", spec={"code": SLOW_CODE})
    double = client.code_blocks.create(name="double", spec={"code": DOUBLE_CODE})
    return client.workflows.create(
        name="slow",
        spec={
            "steps": [
                {
                    "id": "nap",
                    "component": {"type": "code_block", "id": slow.id},
                    "inputs": {"seconds": 1.5},
                },
                {
                    "id": "twice",
                    "component": {"type": "code_block", "id": double.id},
                    "inputs": {"n": 2},
                },
            ]
        },
    )


def test_run_wait_shows_the_runs_state_on_a_terminal(
    flow_process: Any, slow_workflow: Any, terminal_lines: Callable[[str], list[str]]
) -> None:
    run = flow_process("workflows", "run", slow_workflow.id, "--wait", "--json", terminal=True)
    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert result["status"] == "succeeded"
    shown = terminal_lines(run.err)
    states = [line for line in shown if line.startswith(f"run {result['id']}: ")]
    assert any("running" in line and "0/2 steps done" in line for line in states), shown
    # the time waited, redrawn while the client sleeps between polls
    assert any(line.endswith(("0:01", "0:02")) for line in states), shown
    assert "\x1b[K" in run.err
    assert not terminal_lines(run.err.rsplit("\x1b[K", 1)[1])  # erased at the end


def test_wait_shows_the_state_and_a_pipe_gets_none(
    flow_process: Any, slow_workflow: Any, terminal_lines: Callable[[str], list[str]]
) -> None:
    started = flow_process("workflows", "run", slow_workflow.id, "--json")
    assert started.code == 0, started.err
    run_id = json.loads(started.out)["id"]
    assert started.err.startswith(f"follow it with: flow workflows wait {slow_workflow.id}")
    waited = flow_process("workflows", "wait", slow_workflow.id, run_id, "--json", terminal=True)
    assert waited.code == 0, waited.err
    assert any(line.startswith(f"run {run_id}: ") for line in terminal_lines(waited.err))

    again = flow_process("workflows", "run", slow_workflow.id, "--wait", "--json")
    assert again.code == 0
    assert again.err == ""
    quiet = flow_process(
        "workflows", "run", slow_workflow.id, "--wait", "--json", "--quiet", terminal=True
    )
    assert quiet.code == 0
    assert terminal_lines(quiet.err) == []
