"""client.tools.test end to end: the input is checked against the tool's JSON Schema."""

from __future__ import annotations

import pytest
from components_support import DOUBLE_CODE
from flow_sdk import CLINotFoundError, CLIValidationError
from flow_sdk_components import CodeExecutionError, ToolTestResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "n": {"type": "integer"},
        "opts": {"type": "object", "properties": {"x": {"type": "string"}}},
    },
    "required": ["n"],
}


@pytest.fixture
def tool(flow_client):
    return flow_client.tools.create(
        name="doubler", spec={"input_schema": INPUT_SCHEMA, "code": DOUBLE_CODE}
    )


def test_a_tool_with_code_runs_once_with_its_input(flow_client, tool):
    result = flow_client.tools.test(tool.id, {"n": 4})
    assert isinstance(result, ToolTestResult)
    assert result.ok
    assert result.outputs == {"n": 8}
    assert result.stdout == "doubling 4\n"


def test_a_tool_can_run_a_code_block(flow_client, double_block):
    tool = flow_client.tools.create(
        name="via-block", spec={"input_schema": INPUT_SCHEMA, "code_block_id": double_block.id}
    )
    assert flow_client.tools.test(tool.id, {"n": 5}).outputs == {"n": 10}


def test_a_mismatched_input_is_a_422_naming_the_field(flow_client, tool):
    with pytest.raises(CLIValidationError) as caught:
        flow_client.tools.test(tool.id, {"n": 1, "opts": {"x": 3}})
    error = caught.value
    assert error.status_code == 422
    assert error.detail == [
        {"loc": ["body", "input", "opts", "x"], "msg": "3 is not of type 'string'"}
    ]
    assert "input.opts.x: 3 is not of type 'string'" in str(error)


def test_a_missing_required_field_is_named(flow_client, tool):
    with pytest.raises(CLIValidationError, match=r"input\.n: is required"):
        flow_client.tools.test(tool.id, {})


def test_an_input_that_is_not_an_object_is_refused(flow_client, tool):
    url = flow_client._tenant_url(f"components/tool/{tool.id}/test")
    with pytest.raises(CLIValidationError, match="input: a tool's input must be a JSON object"):
        flow_client._call("POST", url, json={"input": [1]})


def test_a_tool_without_a_schema_takes_any_object(flow_client):
    tool = flow_client.tools.create(name="free", spec={"code": "def main(**kw):\n    return kw"})
    assert flow_client.tools.test(tool.id, {"a": [1]}).outputs == {"a": [1]}


def test_a_tool_whose_schema_is_invalid_says_so(flow_client):
    tool = flow_client.tools.create(
        name="bad", spec={"input_schema": {"type": "nope"}, "code": "outputs = {}"}
    )
    with pytest.raises(CLIValidationError, match="not a valid JSON Schema") as caught:
        flow_client.tools.test(tool.id, {})
    assert caught.value.code == "invalid_input_schema"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "needs spec.code"),
        ({"code_block_id": "cmp_gone"}, "'cmp_gone', which does not exist"),
        ({"code": ""}, "has no spec.code"),
    ],
)
def test_a_tool_with_nothing_to_run_says_what_it_needs(flow_client, spec, message):
    tool = flow_client.tools.create(name="empty", spec=spec)
    with pytest.raises(CLIValidationError, match=message) as caught:
        flow_client.tools.test(tool.id, {})
    assert caught.value.code == "not_runnable"


def test_a_tool_whose_code_raises_is_a_code_execution_error(flow_client):
    tool = flow_client.tools.create(name="boom", spec={"code": "def main():\n    1 / 0"})
    with pytest.raises(CodeExecutionError, match=f"tool {tool.id} failed: ZeroDivisionError"):
        flow_client.tools.test(tool.id, {})
    assert flow_client.tools.test(tool.id, {}, check=False).status == "failed"


def test_a_slow_tool_times_out(flow_client):
    tool = flow_client.tools.create(name="slow", spec={"code": "while True:\n    pass"})
    assert flow_client.tools.test(tool.id, {}, timeout_s=0.3, check=False).status == "timed_out"


def test_an_unknown_or_other_tenants_tool_is_not_found(flow_client, local_platform, tool):
    with pytest.raises(CLINotFoundError, match="tool 'cmp_nope' not found"):
        flow_client.tools.test("cmp_nope", {"n": 1})
    other = local_platform.create_tenant()
    stranger = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    with pytest.raises(CLINotFoundError):
        stranger.tools.test(tool.id, {"n": 1})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.none()
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
    | st.lists(st.integers(-(2**63), 2**63 - 1), max_size=3)
)
def test_any_wrongly_typed_n_is_refused_naming_n(flow_client_inprocess, value):
    tool = flow_client_inprocess.tools.list(name="typed").first()
    if tool is None:
        tool = flow_client_inprocess.tools.create(
            name="typed", spec={"input_schema": INPUT_SCHEMA, "code": DOUBLE_CODE}
        )
    if isinstance(value, float) and value.is_integer():
        return  # JSON Schema counts 2.0 as an integer
    with pytest.raises(CLIValidationError) as caught:
        flow_client_inprocess.tools.test(tool.id, {"n": value})
    assert caught.value.detail[0]["loc"] == ["body", "input", "n"]
