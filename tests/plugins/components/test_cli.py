"""The flow command: generic component groups and the special verbs, against the local platform."""

from __future__ import annotations

import json

import pytest
from components_support import DOUBLE_CODE, SLOW_CODE


@pytest.fixture
def workflow(flow_client, double_block):
    return flow_client.workflows.create(
        name="twice",
        spec={
            "steps": [
                {
                    "id": "a",
                    "component": {"type": "code_block", "id": double_block.id},
                    "inputs": {"n": "$inputs.n"},
                },
                {
                    "id": "b",
                    "component": {"type": "code_block", "id": double_block.id},
                    "inputs": {"n": "$steps.a.outputs.n"},
                },
            ]
        },
    )


def test_agents_have_the_generic_verbs(flow_cli, tmp_path):
    body = tmp_path / "agent.json"
    body.write_text(json.dumps({"name": "helper", "spec": {"model": "m"}}))
    created = flow_cli("agents", "create", "--file", str(body), "--json")
    assert created.code == 0, created.err
    agent_id = created.json()["id"]
    assert flow_cli("agents", "update", agent_id, "--set", "description=kind", "--json").code == 0
    listed = flow_cli("agents", "list", "--json")
    assert [a["description"] for a in listed.json()] == ["kind"]
    versions = flow_cli("agents", "versions", agent_id, "--json")
    assert [v["version"] for v in versions.json()] == [1, 2]
    assert flow_cli("agents", "delete", agent_id, "--yes").code == 0
    assert flow_cli("agents", "get", agent_id).code == 1


def test_code_blocks_create_from_stdin_and_execute(flow_cli):
    created = flow_cli(
        "code-blocks",
        "create",
        "--file",
        "-",
        "--json",
        stdin=json.dumps({"name": "d", "spec": {"code": DOUBLE_CODE}}),
    )
    block_id = created.json()["id"]
    result = flow_cli("code-blocks", "execute", block_id, "--inputs", '{"n": 3}', "--json")
    assert result.code == 0, result.err
    assert result.json()["outputs"] == {"n": 6}
    assert result.json()["stdout"] == "doubling 3\n"


def test_execute_reads_inputs_from_a_file_or_stdin(flow_cli, double_block, tmp_path):
    inputs = tmp_path / "inputs.json"
    inputs.write_text('{"n": 10}')
    from_file = flow_cli(
        "code-blocks", "execute", double_block.id, "--inputs", f"@{inputs}", "--json"
    )
    assert from_file.json()["outputs"] == {"n": 20}
    from_stdin = flow_cli(
        "code-blocks", "execute", double_block.id, "--inputs", "-", "--json", stdin='{"n": 7}'
    )
    assert from_stdin.json()["outputs"] == {"n": 14}


def test_a_failing_or_timed_out_block_exits_1_and_shows_why(flow_cli, flow_client):
    slow = flow_client.code_blocks.create(name="slow", spec={"code": SLOW_CODE})
    result = flow_cli("code-blocks", "execute", slow.id, "--timeout", "0.3", "--json")
    assert result.code == 1
    assert result.json()["status"] == "timed_out"
    table = flow_cli("code-blocks", "execute", slow.id, "--timeout", "0.3", FLOW_OUTPUT="table")
    assert table.code == 1
    assert "status" in table.out
    assert "timed_out" in table.out


@pytest.mark.parametrize(
    ("argument", "message"),
    [("{nope", "--inputs is not valid JSON"), ("[1]", "--inputs must be a JSON object")],
)
def test_bad_inputs_are_explained(flow_cli, double_block, argument, message):
    result = flow_cli("code-blocks", "execute", double_block.id, "--inputs", argument)
    assert result.code == 1
    assert message in result.err
    assert "hint:" in result.err


def test_a_bad_timeout_is_a_usage_error(flow_cli, double_block):
    assert flow_cli("code-blocks", "execute", double_block.id, "--timeout", "-1").code == 2


def test_tools_test_prints_the_output_or_the_field_that_is_wrong(flow_cli, flow_client):
    tool = flow_client.tools.create(
        name="t",
        spec={
            "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}}},
            "code": DOUBLE_CODE,
        },
    )
    ok = flow_cli("tools", "test", tool.id, "--input", '{"n": 2}', "--json")
    assert ok.code == 0, ok.err
    assert ok.json()["outputs"] == {"n": 4}
    bad = flow_cli("tools", "test", tool.id, "--input", '{"n": "two"}')
    assert bad.code == 1
    assert "input.n: 'two' is not of type 'integer'" in bad.err


def test_workflows_validate(flow_cli, flow_client, workflow):
    ok = flow_cli("workflows", "validate", workflow.id, FLOW_OUTPUT="table")
    assert ok.code == 0
    assert f"workflow {workflow.id} is valid" in ok.err
    broken = flow_client.workflows.create(name="b", spec={"steps": [{"id": "x"}]})
    bad = flow_cli("workflows", "validate", broken.id, FLOW_OUTPUT="table")
    assert bad.code == 1
    assert "a step needs component" in bad.out
    assert flow_cli("workflows", "validate", broken.id, "--json").json()["valid"] is False


def test_workflows_run_wait_prints_the_run_on_stdout_and_nothing_else(flow_cli, workflow):
    result = flow_cli("workflows", "run", workflow.id, "--inputs", '{"n": 1}', "--wait", "--json")
    assert result.code == 0, result.err
    run = result.json()
    assert run["status"] == "succeeded"
    assert run["outputs"] == {"n": 4}
    assert result.err == ""  # the run's state while waiting is for terminals only


def test_workflows_run_then_runs_and_wait(flow_cli, workflow, local_platform):
    started = flow_cli("workflows", "run", workflow.id, "--inputs", '{"n": 2}', "--json")
    assert started.code == 0
    run_id = started.json()["id"]
    assert f"flow workflows wait {workflow.id} {run_id}" in started.err
    waited = flow_cli("workflows", "wait", workflow.id, run_id, "--json")
    assert waited.code == 0, waited.err
    assert waited.json()["outputs"] == {"n": 8}
    assert waited.err == ""
    listed = flow_cli("workflows", "runs", workflow.id, "--json")
    assert [r["id"] for r in listed.json()] == [run_id]
    table = flow_cli("workflows", "runs", workflow.id, FLOW_OUTPUT="table")
    assert "WORKFLOW VERSION" in table.out
    assert run_id in table.out
    one = flow_cli("workflows", "runs", workflow.id, run_id, "--json")
    assert one.json()["steps"][1]["outputs"] == {"n": 8}
    assert flow_cli("workflows", "runs", workflow.id, "--status", "failed", "--json").json() == []


def test_workflow_runs_stream_as_json_lines_and_say_when_there_are_more(flow_cli, workflow):
    ids = [
        flow_cli("workflows", "run", workflow.id, "--inputs", '{"n": 1}', "--json").json()["id"]
        for _ in range(3)
    ]
    lines = flow_cli("workflows", "runs", workflow.id, "--jsonl")
    assert lines.code == 0
    assert sorted(json.loads(line)["id"] for line in lines.out.splitlines()) == sorted(ids)
    two = flow_cli("workflows", "runs", workflow.id, "--jsonl", "--limit", "2")
    assert len(two.out.splitlines()) == 2
    assert "showing the newest 2 runs; pass --limit N or --all" in two.err
    every = flow_cli("workflows", "runs", workflow.id, "--jsonl", "--all", "--limit", "1")
    assert len(every.out.splitlines()) == 3
    assert every.err == ""


def test_a_failed_run_exits_1(flow_cli, flow_client):
    boom = flow_client.code_blocks.create(name="boom", spec={"code": "raise RuntimeError('x')"})
    wf = flow_client.workflows.create(
        name="f", spec={"steps": [{"id": "s", "component": {"type": "code_block", "id": boom.id}}]}
    )
    result = flow_cli("workflows", "run", wf.id, "--wait", "--json")
    assert result.code == 1
    assert result.json()["status"] == "failed"


def test_waiting_past_the_timeout_exits_1_with_a_hint(flow_cli, flow_client):
    slow = flow_client.code_blocks.create(name="slow", spec={"code": SLOW_CODE})
    wf = flow_client.workflows.create(
        name="slow",
        spec={
            "steps": [
                {
                    "id": "s",
                    "component": {"type": "code_block", "id": slow.id},
                    "inputs": {"seconds": 1},
                }
            ]
        },
    )
    result = flow_cli("workflows", "run", wf.id, "--wait", "--timeout", "0.2")
    assert result.code == 1
    assert "gave up waiting after 0.2 s" in result.err
    assert "timeout_s" in result.err or "hint" in result.err


def test_an_unknown_workflow_exits_1_naming_it(flow_cli):
    result = flow_cli("workflows", "run", "cmp_nope")
    assert result.code == 1
    assert "workflow 'cmp_nope' not found" in result.err
