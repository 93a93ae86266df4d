"""The library never prints, never exits, never reads stdin, never configures logging.

Checked three ways: a bare program in a fresh interpreter (no logging
configured, so a stray warning would reach stderr through logging's last
resort), the same calls in-process against both local-platform modes with
the file descriptors captured, and the ``flow`` entry points, which return
exit codes.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from flow_sdk import CLIClient, FlowConfig
from flow_sdk.cli import CLISettings, main
from flow_sdk.testing import installed_plugins
from quiet_session import exercise

SESSION = str(Path(__file__).with_name("quiet_session.py"))
PACKAGE_ROOTS = ("flow_sdk", "flow_sdk_")


class Tripwire(io.TextIOBase):
    """A stdin that fails the test if anything reads it."""

    def __init__(self) -> None:
        self.touched: list[str] = []

    def read(self, size: int | None = -1) -> str:
        self.touched.append("read")
        raise AssertionError("the library read stdin")

    def readline(self, size: int | None = -1) -> str:
        self.touched.append("readline")
        raise AssertionError("the library read stdin")


def test_a_bare_program_sees_nothing_printed_no_exit_no_stdin_and_its_logging_untouched(
    run_python: Any, tmp_path: Path
) -> None:
    report_path = tmp_path / "report.json"
    result = run_python(SESSION, str(report_path))
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    report = json.loads(report_path.read_text())
    for mode in ("inprocess", "socket"):
        steps = report["seen"][mode]
        assert "verified=True" in steps
        assert "block stdout='from the block 7\\n'" in steps  # captured, never printed
        assert not [s for s in steps if "not raised" in s or "accepted" in s], steps
    assert report["stdin_touched"] == []
    assert report["exits"] == []
    assert report["logging_unchanged"] is True
    assert report["new_flow_loggers"] == []


def test_calls_print_nothing_and_read_no_stdin(
    flow_client: CLIClient,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdin = Tripwire()
    monkeypatch.setattr(sys, "stdin", stdin)
    capfd.readouterr()
    try:
        steps = exercise(flow_client)
    except SystemExit as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"the library raised SystemExit({exc.code!r})")
    assert "verified=True" in steps
    assert capfd.readouterr() == ("", "")
    assert stdin.touched == []


def test_records_come_only_from_the_flow_sdk_logger_and_no_handler_is_added(
    flow_client: CLIClient, caplog: pytest.LogCaptureFixture
) -> None:
    root, sdk = logging.getLogger(), logging.getLogger("flow_sdk")
    before = (list(root.handlers), list(sdk.handlers), sdk.level, sdk.propagate)
    caplog.set_level(logging.DEBUG)  # every logger, so a stray one would show
    exercise(flow_client)
    after = (list(root.handlers), list(sdk.handlers), sdk.level, sdk.propagate)
    assert before == after
    ours = [r for r in caplog.records if _from_our_code(r.pathname)]
    assert ours, "the SDK logs its requests at DEBUG"
    assert {r.name for r in ours} == {"flow_sdk"}


def _from_our_code(pathname: str) -> bool:
    parts = Path(pathname).parts
    return any(part == "flow_sdk" or part.startswith("flow_sdk_") for part in parts)


def test_a_broken_plugin_is_a_logged_warning_not_output(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with installed_plugins({"ghost": "no_such_module_for_embedding_tests"}):
        capfd.readouterr()
        with caplog.at_level(logging.WARNING, logger="flow_sdk"):
            client = CLIClient(FlowConfig(platform_url="https://flow.example.com"))
        client.close()
    assert capfd.readouterr() == ("", "")
    [record] = [r for r in caplog.records if "ghost" in r.getMessage()]
    assert record.name == "flow_sdk"
    assert record.levelno == logging.WARNING
    assert [e.message for e in client.plugin_errors if "ghost" in e.message]


# the flow command: main(argv) returns an exit code, never exits


@pytest.mark.parametrize(
    ("argv", "code", "where"),
    [
        ([], 2, "err"),  # no command: the help, as a usage error
        (["--help"], 0, "out"),
        (["--version"], 0, "out"),
        (["plugins", "--help"], 0, "out"),
        (["help", "orgs"], 0, "out"),
        (["no-such-command"], 2, "err"),
        (["orgs", "list", "--no-such-option"], 2, "err"),
        (["orgs", "list"], 4, "err"),  # not logged in
        (["api", "GET", "/x", "--platform-url", "http://127.0.0.1:9"], 1, "err"),  # refused
    ],
)
def test_main_returns_exit_codes_and_writes_only_to_the_streams_it_is_given(
    argv: list[str], code: int, where: str, flow_config_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    out, err = io.StringIO(), io.StringIO()
    settings = CLISettings(plugins=[], stdin=Tripwire(), stdout=out, stderr=err)
    try:
        result = main(argv, settings=settings)
    except SystemExit as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"main({argv}) raised SystemExit({exc.code!r})")
    assert result == code, err.getvalue()
    assert {"out": out, "err": err}[where].getvalue()  # it said something, where it should
    assert capfd.readouterr() == ("", "")  # and nothing on the process's own streams


def test_debug_logging_lasts_for_one_command_only(
    flow_config_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    sdk = logging.getLogger("flow_sdk")
    before = (list(sdk.handlers), sdk.level)
    err = io.StringIO()
    settings = CLISettings(plugins=[], stdout=io.StringIO(), stderr=err)
    main(["api", "GET", "/x", "--debug", "--platform-url", "http://127.0.0.1:9"], settings=settings)
    assert "debug: →" in err.getvalue()  # it logged while the command ran
    assert (list(sdk.handlers), sdk.level) == before
    assert capfd.readouterr() == ("", "")  # and only on the streams it was given
