"""The code runner: a separate, limited process that never hangs or crashes its caller."""

from __future__ import annotations

import json
import os
import time

import pytest
from flow_sdk_components.runner import run_code
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_main_is_called_with_the_inputs_and_returns_the_outputs():
    result = run_code(
        "def main(a, b):\n    print('adding')\n    return {'sum': a + b}\n", {"a": 2, "b": 3}
    )
    assert result.status == "succeeded"
    assert result.ok
    assert result.outputs == {"sum": 5}
    assert result.stdout == "adding\n"
    assert result.stderr == ""
    assert result.error is None
    assert result.duration_ms > 0


def test_a_script_without_main_reads_inputs_and_sets_outputs():
    result = run_code("outputs = {'twice': inputs['x'] * 2}", {"x": 21})
    assert result.outputs == {"twice": 42}


def test_a_value_that_is_not_a_dict_becomes_result():
    assert run_code("def main():\n    return [1, 2]").outputs == {"result": [1, 2]}
    assert run_code("def main():\n    return None").outputs == {}


def test_another_entrypoint_can_be_named():
    result = run_code("def handle(x):\n    return {'x': x}", {"x": 1}, entrypoint="handle")
    assert result.outputs == {"x": 1}


def test_code_that_raises_reports_the_last_traceback_line_and_keeps_the_output():
    code = "def main(a):\n    print('before')\n    return {'q': 1 / a}\n"
    result = run_code(code, {"a": 0})
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.type == "ZeroDivisionError"
    assert result.error.summary == "ZeroDivisionError: division by zero"
    assert 'File "<code>", line 3, in main' in result.error.traceback
    assert "return {'q': 1 / a}" in result.error.traceback
    assert "_child.py" not in result.error.traceback
    assert result.stdout == "before\n"
    assert result.outputs == {}


def test_a_syntax_error_is_a_failed_result():
    result = run_code("def main(:\n    pass")
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.type == "SyntaxError"


def test_main_called_with_the_wrong_inputs_names_the_missing_argument():
    result = run_code("def main(a, b):\n    return {}", {"a": 1})
    assert result.error is not None
    assert result.error.type == "TypeError"
    assert "'b'" in result.error.summary


def test_an_endless_loop_is_stopped_at_the_time_limit():
    started = time.monotonic()
    result = run_code("while True:\n    pass", timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert result.status == "timed_out"
    assert result.error is not None
    assert result.error.type == "Timeout"
    assert "0.5 s" in result.error.message


def test_a_sleeping_child_that_holds_the_pipes_is_still_stopped():
    code = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
        "import time\ntime.sleep(30)\n"
    )
    started = time.monotonic()
    result = run_code(code, timeout_s=0.5)
    assert result.status == "timed_out"
    assert time.monotonic() - started < 5


def test_a_background_grandchild_does_not_keep_a_finished_run_waiting():
    code = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
        "outputs = {'done': True}\n"
    )
    started = time.monotonic()
    result = run_code(code, timeout_s=10)
    assert result.status == "succeeded"
    assert result.outputs == {"done": True}
    assert time.monotonic() - started < 5


def test_megabytes_of_output_are_cut_with_a_marker():
    code = (
        "import sys\n"
        "for _ in range(50_000):\n"
        "    print('x' * 99)\n"
        "    print('e' * 99, file=sys.stderr)\n"
    )
    result = run_code(code, max_output_bytes=10_000)
    assert result.status == "succeeded"
    assert result.stdout_truncated
    assert result.stderr_truncated
    assert result.stdout.startswith("x" * 99)
    assert "[output truncated: 5,000,000 bytes written, the first 10,000 kept]" in result.stdout
    assert len(result.stdout) < 10_200
    assert len(result.stderr) < 10_200


def test_memory_beyond_the_limit_is_a_clear_failure():
    result = run_code("block = bytearray(1024 * 1024 * 1024)", memory_mb=128)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.type == "MemoryError"
    assert "memory limit of 128 MB" in result.error.summary


def test_a_process_that_exits_early_is_reported_as_crashed():
    result = run_code("import os\nos._exit(3)")
    assert result.error is not None
    assert result.error.type == "Crashed"
    assert "exited with code 3" in result.error.message


def test_a_process_killed_by_a_signal_names_the_signal():
    result = run_code("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert result.error is not None
    assert result.error.type == "Crashed"
    assert "SIGKILL" in result.error.message


def test_outputs_that_are_not_json_are_refused():
    result = run_code("def main():\n    return {'s': {1, 2}}")
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.type == "InvalidOutput"


def test_sys_exit_is_a_failure_not_a_success():
    result = run_code("import sys\nsys.exit(2)")
    assert result.error is not None
    assert result.error.type == "SystemExit"


def test_the_code_runs_in_a_clean_environment_and_an_empty_temporary_directory(monkeypatch):
    monkeypatch.setenv("FLOW_API_KEY", "fl_secret_should_not_leak")
    code = (
        "import os, sys\n"
        "outputs = {'env': dict(os.environ), 'cwd': os.getcwd(), 'files': os.listdir('.'),"
        " 'isolated': sys.flags.isolated}"
    )
    result = run_code(code)
    env = result.outputs["env"]
    assert "FLOW_API_KEY" not in env
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE"}
    assert result.outputs["files"] == []
    assert result.outputs["isolated"] == 1
    assert not os.path.exists(result.outputs["cwd"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": 601}, "timeout_s"),
        ({"memory_mb": 1}, "memory_mb"),
        ({"max_output_bytes": -1}, "max_output_bytes"),
    ],
)
def test_limits_out_of_range_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_code("outputs = {}", **kwargs)


def test_inputs_that_are_not_json_are_refused():
    with pytest.raises(ValueError, match="inputs must be JSON"):
        run_code("outputs = {}", {"x": object()})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), json_values))
def test_any_json_inputs_come_back_unchanged(inputs):
    result = run_code("def main(**kwargs):\n    return {'echo': kwargs}", inputs)
    assert result.status == "succeeded", result.error
    assert result.outputs == {"echo": json.loads(json.dumps(inputs))}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=200))
def test_any_printed_text_is_captured(text):
    result = run_code("import sys\nsys.stdout.write(inputs['t'])", {"t": text})
    assert result.stdout == text
