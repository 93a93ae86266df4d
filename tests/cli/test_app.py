"""Exit codes, output formats, global options, --debug, --version and help."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flow_cli_fakes import API_KEY, FakePlatform, FakePlatformPlugin
from flow_sdk import CLIClientError, hookimpl
from flow_sdk.cli import CommandRegistry, add_command
from flow_sdk.cli._output import format_record, format_table
from hypothesis import given, settings
from hypothesis import strategies as st


class RaisingPlugin:
    """`flow boom interrupt|crash|auth|code N`: commands that end in every way."""

    __name__ = "raising"

    @hookimpl
    def flow_sdk_cli_commands(self, commands: CommandRegistry) -> None:
        commands.add_group("boom", "ways to end", self.register)

    @staticmethod
    def register(parser: Any) -> None:
        def interrupt(args: Any, ctx: Any) -> None:
            ctx.progress("working")
            raise KeyboardInterrupt

        def crash(args: Any, ctx: Any) -> None:
            raise RuntimeError(f"secret {API_KEY} inside")

        def auth(args: Any, ctx: Any) -> None:
            from flow_sdk import CLIAuthenticationError

            raise CLIAuthenticationError("token expired", hint="run `flow login`")

        def code(args: Any, ctx: Any) -> int:
            return int(args.n)

        add_command(parser, "interrupt", interrupt)
        add_command(parser, "crash", crash)
        add_command(parser, "auth", auth)
        add_command(parser, "code", code).add_argument("n")


@pytest.fixture
def boom(flow: Any, platform: FakePlatform) -> Any:
    def run(*argv: str, **kwargs: Any) -> Any:
        return flow(
            "boom", *argv, plugins=[FakePlatformPlugin(platform), RaisingPlugin()], **kwargs
        )

    return run


def test_exit_codes(boom: Any) -> None:
    assert boom("code", "0").code == 0
    assert boom("code", "3").code == 3
    interrupted = boom("interrupt")
    assert interrupted.code == 130
    assert "interrupted" in interrupted.err
    auth = boom("auth")
    assert auth.code == 4
    assert auth.err == "flow: error: token expired\nhint: run `flow login`\n"


def test_an_unexpected_error_is_exit_code_1_without_secrets(boom: Any) -> None:
    crashed = boom("crash")
    assert crashed.code == 1
    assert "internal error: RuntimeError" in crashed.err
    assert "run again with --debug" in crashed.err
    assert API_KEY not in crashed.err
    debug = boom("crash", "--debug")
    assert "Traceback" in debug.err
    assert API_KEY not in debug.err


@pytest.mark.parametrize(
    "argv",
    [["no-such-command"], ["orgs", "list", "--bogus"], ["widgets", "get"], ["--profile"]],
)
def test_usage_errors_are_exit_code_2(flow: Any, argv: list[str]) -> None:
    result = flow(*argv)
    assert result.code == 2
    assert "usage: flow" in result.err
    assert "hint: run `flow" in result.err


def test_no_command_prints_help(flow: Any) -> None:
    result = flow()
    assert result.code == 2
    assert "commands:" in result.err
    group = flow("orgs")
    assert group.code == 2
    assert "list" in group.err
    assert "use" in group.err


def test_version(flow: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from flow_sdk import __version__

    result = flow("--version")
    assert result.code == 0
    assert result.out.startswith(f"flow {__version__}")  # on the stdout main was given
    assert capsys.readouterr().out == ""


def test_help_command(flow: Any, capsys: pytest.CaptureFixture[str]) -> None:
    result = flow("help", "widgets")
    assert result.code == 0
    assert "usage: flow widgets" in result.out
    assert "count" in result.out
    result = flow("help")
    assert result.code == 0
    assert "usage: flow" in result.out
    assert flow("--help").out.startswith("usage: flow")
    assert capsys.readouterr().out == ""


# output formats


def test_table_on_a_terminal_json_otherwise(flow: Any, logged_in: Any) -> None:
    table = flow("orgs", "list", tty=True)
    assert table.out.startswith("CURRENT  ID")
    piped = flow("orgs", "list")
    assert piped.json()[0]["id"] == "org_dev"
    forced = flow("orgs", "list", "--json", tty=True)
    assert forced.json()[0]["id"] == "org_dev"


@pytest.mark.parametrize(
    ("value", "tty", "is_json"),
    [("table", False, False), ("json", True, True), ("TABLE", False, False), ("x", True, False)],
)
def test_flow_output_chooses_the_default(
    flow: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch, value: str, tty: bool, is_json: bool
) -> None:
    monkeypatch.setenv("FLOW_OUTPUT", value)
    out = flow("orgs", "list", tty=tty).out
    assert out.lstrip().startswith("[") == is_json


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "widgets", "list"],
        ["widgets", "--json", "list"],
        ["widgets", "list", "--json"],
    ],
)
def test_global_options_anywhere(flow: Any, logged_in: Any, argv: list[str]) -> None:
    result = flow(*argv, tty=True)
    assert result.code == 0, result.err
    assert result.json() == []


def test_global_profile_option_after_the_command(flow: Any, logged_in: Any) -> None:
    report = flow("auth", "status", "--offline", "--profile", "ci", "--json").json()
    assert report["profile"] == "ci"
    assert report["profile_source"] == "--profile"


rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.text(min_size=1, max_size=12),
            "n": st.integers() | st.none(),
            "tags": st.lists(st.text(max_size=4), max_size=3),
        }
    ),
    min_size=1,
    max_size=6,
)


@settings(deadline=None)  # timing varies on a loaded CI machine
@given(rows)
def test_tables_have_one_line_per_row_and_aligned_columns(data: list[dict[str, Any]]) -> None:
    from flow_sdk.cli._terminal import display_width

    def columns(line: str, first: int, last: int) -> str:
        """The characters of ``line`` on screen columns [first, last)."""
        out, at = [], 0
        for char in line:
            if first <= at < last:
                out.append(char)
            at += display_width(char)
        return "".join(out)

    for width in (None, 12):  # as piped (cells cut at 80), and fitted to a narrow terminal
        text = format_table(data, ("id", "n"), width=width)
        lines = text.splitlines()
        assert len(lines) == len(data) + 1
        header = lines[0]
        assert header.startswith("ID")
        start = display_width(header[: header.index("N")])
        for line in lines[1:]:
            assert columns(line, start - 2, start) == "  " or display_width(line) <= start
            if width is not None:
                assert display_width(line) <= max(width, 2 * 8 + 2)


def test_cells_are_flattened_and_shortened() -> None:
    text = format_table([{"a": "line1\nline2", "b": "x" * 200, "c": {"k": [1]}, "d": None}])
    assert "line1 line2" in text
    assert "…" in text
    assert '{"k":[1]}' in text
    assert format_table([]) == ""
    assert format_record({"id": "1", "ok": True}) == "id  1\nok  true\n"


# --debug


def test_debug_logs_requests_with_secrets_redacted(
    flow: Any, platform: FakePlatform, logged_in: Any
) -> None:
    result = flow("orgs", "list", "--debug")
    assert result.code == 0
    assert "debug: → GET https://fake.flow.test/api/v1/tenants/orgs" in result.err
    assert "debug: ← 200 GET" in result.err
    assert "'authorization': '<redacted>'" in result.err.lower()
    for token in platform.tokens:
        assert token not in result.err
    assert API_KEY not in result.err
    # logging is configured only while the command runs
    assert logging.getLogger("flow_sdk").handlers == []
    assert logging.getLogger("flow_sdk").level == logging.NOTSET
    quiet = flow("orgs", "list")
    assert "debug:" not in quiet.err


def test_errors_are_one_line_and_a_hint(flow: Any, logged_in: Any) -> None:
    result = flow("widgets", "get", "nope")
    assert result.code == 1
    lines = result.err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("flow: error: GET /api/v1/orgs/org_dev/workspaces/ws_dev/widgets")
    assert lines[1].startswith("hint: ")


def test_main_never_raises_system_exit(flow: Any) -> None:
    for argv in (["--help"], ["--version"], ["bogus"], ["orgs", "list"]):
        try:
            flow(*argv)
        except SystemExit:  # pragma: no cover - the failure this test is about
            pytest.fail(f"main({argv}) raised SystemExit")


def test_broken_plugin_settings_are_reported(flow: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOW_TIMEOUT", "soon")
    result = flow("orgs", "list", stdin="")
    assert result.code == 1
    assert "FLOW_TIMEOUT must be a number" in result.err
    assert "hint: fix or unset FLOW_TIMEOUT" in result.err


def test_a_cli_client_error_from_a_handler(boom: Any) -> None:
    assert issubclass(CLIClientError, Exception)
    result = boom("code", "not-a-number")
    assert result.code == 1
    assert "internal error: ValueError" in result.err
