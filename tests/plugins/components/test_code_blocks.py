"""client.code_blocks.execute end to end through the local platform (in-process and socket)."""

from __future__ import annotations

import pickle
import threading
import time

import pytest
from components_support import DOUBLE_CODE, SLOW_CODE
from flow_sdk import CLINotFoundError, CLIValidationError
from flow_sdk_components import CodeExecutionError, ExecutionResult


def test_execute_returns_outputs_stdout_and_duration(flow_client, double_block):
    result = flow_client.code_blocks.execute(double_block.id, {"n": 21})
    assert isinstance(result, ExecutionResult)
    assert result.status == "succeeded"
    assert result.outputs == {"n": 42}
    assert result.stdout == "doubling 21\n"
    assert result.stderr == ""
    assert result.duration_ms > 0


def test_code_that_raises_is_a_code_execution_error_with_the_result(flow_client):
    block = flow_client.code_blocks.create(
        name="boom", spec={"code": "def main():\n    print('partial')\n    raise KeyError('k')\n"}
    )
    with pytest.raises(CodeExecutionError) as caught:
        flow_client.code_blocks.execute(block.id)
    error = caught.value
    assert f"code block {block.id} failed: KeyError: 'k'" in str(error)
    assert error.code == "code_failed"
    assert error.result.stdout == "partial\n"
    assert error.result.error is not None
    assert "raise KeyError('k')" in error.result.error.traceback
    copy = pickle.loads(pickle.dumps(error))
    assert copy.result == error.result
    assert str(copy) == str(error)


def test_check_false_returns_the_failed_result(flow_client):
    block = flow_client.code_blocks.create(name="boom", spec={"code": "raise ValueError('v')"})
    result = flow_client.code_blocks.execute(block.id, check=False)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.summary == "ValueError: v"


def test_an_endless_loop_times_out_and_the_platform_keeps_answering(flow_client):
    block = flow_client.code_blocks.create(name="slow", spec={"code": SLOW_CODE})
    result = flow_client.code_blocks.execute(block.id, timeout_s=0.5, check=False)
    assert result.status == "timed_out"
    assert result.error is not None
    assert result.error.type == "Timeout"
    with pytest.raises(CodeExecutionError, match="timed out"):
        flow_client.code_blocks.execute(block.id, timeout_s=0.3)
    assert flow_client.code_blocks.get(block.id).name == "slow"


def test_the_blocks_own_time_limit_applies(flow_client):
    block = flow_client.code_blocks.create(name="slow", spec={"code": SLOW_CODE, "timeout_s": 0.3})
    assert flow_client.code_blocks.execute(block.id, check=False).status == "timed_out"


def test_megabytes_of_output_come_back_cut_with_a_marker(flow_client):
    code = "for _ in range(40_000):\n    print('y' * 99)\n"
    block = flow_client.code_blocks.create(name="loud", spec={"code": code})
    result = flow_client.code_blocks.execute(block.id)
    assert result.stdout_truncated
    assert "[output truncated: 4,000,000 bytes written" in result.stdout
    assert len(result.stdout) < 1_100_000


def test_an_unknown_or_other_tenants_block_is_not_found(flow_client, local_platform, double_block):
    with pytest.raises(CLINotFoundError, match="code block 'cmp_missing' not found"):
        flow_client.code_blocks.execute("cmp_missing")
    other = local_platform.create_tenant()
    stranger = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    with pytest.raises(CLINotFoundError):
        stranger.code_blocks.execute(double_block.id, {"n": 1})


def test_a_component_of_another_type_is_not_a_code_block(flow_client):
    agent = flow_client.agents.create(name="a", spec={"code": DOUBLE_CODE})
    with pytest.raises(CLINotFoundError):
        flow_client.code_blocks.execute(agent.id, {"n": 1})


def test_a_block_without_code_is_refused_with_what_to_do(flow_client):
    block = flow_client.code_blocks.create(name="empty", spec={})
    with pytest.raises(CLIValidationError, match=r"has no spec\.code") as caught:
        flow_client.code_blocks.execute(block.id)
    assert caught.value.code == "not_runnable"
    assert "flow code-blocks update" in str(caught.value)


@pytest.mark.parametrize("spec", [{"memory_mb": 1}, {"timeout_s": "soon"}, {"timeout_s": 9999}])
def test_a_block_with_bad_limits_is_refused(flow_client, spec):
    block = flow_client.code_blocks.create(name="bad", spec={"code": "outputs = {}", **spec})
    with pytest.raises(CLIValidationError, match=r"memory_mb|timeout_s"):
        flow_client.code_blocks.execute(block.id)


def test_a_timeout_out_of_range_names_the_field(flow_client, double_block):
    with pytest.raises(CLIValidationError, match=r"timeout_s: must be more than 0 and at most"):
        flow_client.code_blocks.execute(double_block.id, {"n": 1}, timeout_s=10_000)


def test_inputs_that_are_not_an_object_are_a_422_naming_the_field(flow_client, double_block):
    url = flow_client._tenant_url(f"components/code_block/{double_block.id}/execute")
    with pytest.raises(CLIValidationError, match="inputs"):
        flow_client._call("POST", url, json={"inputs": [1, 2]})


def test_a_timeout_of_zero_is_refused_before_sending(flow_client, double_block):
    with pytest.raises(ValueError, match="timeout_s"):
        flow_client.code_blocks.execute(double_block.id, {"n": 1}, timeout_s=0)


def test_the_same_idempotency_key_replays_the_result_without_running_again(
    flow_client, double_block
):
    url = flow_client._tenant_url(f"components/code_block/{double_block.id}/execute")
    headers = {"Idempotency-Key": "exec-once"}
    first = flow_client._client.request("POST", url, json={"inputs": {"n": 1}}, headers=headers)
    again = flow_client._client.request("POST", url, json={"inputs": {"n": 1}}, headers=headers)
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"


def test_the_platform_answers_other_requests_while_code_runs(flow_client):
    block = flow_client.code_blocks.create(name="slow", spec={"code": SLOW_CODE})
    running = threading.Thread(
        target=lambda: flow_client.code_blocks.execute(block.id, {"seconds": 2.5}, check=False)
    )
    running.start()
    time.sleep(0.5)  # the block is running by now
    flow_client.agents.create(name="written meanwhile")
    assert [a.name for a in flow_client.agents.list()] == ["written meanwhile"]
    assert running.is_alive(), "the write waited for the code block to finish"
    running.join(timeout=30)
