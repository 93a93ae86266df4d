"""Help lines written one way across every command, plugins' included; and the SDK's
hints, shown by the CLI, name the CLI's flags instead of Python keywords."""

from __future__ import annotations

import argparse
import io
import re
from typing import Any

import pytest
from flow_cli_fakes import FakePlatform, FakePlatformPlugin
from flow_sdk import CLIClientError, CLITimeoutError, hookimpl
from flow_sdk.cli import CLISettings, add_command, build_parser
from flow_sdk.cli._completion import command_tree
from flow_sdk.cli._hints import cli_hint
from flow_sdk.cli._parser import help_line
from flow_sdk.cli._resources import with_article

# help lines

A_BEFORE_VOWEL = re.compile(r"\ba [aeio]\w")
AN_BEFORE_CONSONANT = re.compile(r"\ban [b-df-hj-np-tv-z]\w")


def problems_of(text: str) -> list[str]:
    """What is wrong with a one-line help, by the rule every command follows: it starts
    in lower case (an acronym such as MCP stays), ends without a period, and uses
    "a" and "an" as they are read."""
    found = []
    first = text.split()[0] if text.split() else ""
    if not first:
        found.append("empty")
    elif first[0].isupper() and not (len(first) > 1 and first[:2].isupper()):
        found.append("starts with a capital")
    if text.endswith(".") and not text.endswith("..."):
        found.append("ends with a period")
    if A_BEFORE_VOWEL.search(text) or AN_BEFORE_CONSONANT.search(text):
        found.append("a/an")
    if "  " in text or text != text.strip():
        found.append("spacing")
    return found


def test_every_command_s_help_line_follows_the_rule() -> None:
    """Every group and verb of the installed plugins, as `flow --help` shows them."""
    warnings: list[str] = []
    parser = build_parser(CLISettings(stderr=io.StringIO()))
    tree = command_tree(parser, warn=warnings.append)
    checked = {" ".join(node.path): node.help for node in tree.walk() if node.path}
    assert len(checked) > 50  # the core and every first-party plugin
    assert {"agents create", "mcp-servers create", "orgs list"} <= set(checked)
    bad = {path: (text, problems_of(text)) for path, text in checked.items() if problems_of(text)}
    assert not bad, bad
    assert checked["agents create"] == "create an agent"
    assert checked["mcp-servers list"] == "list MCP servers"
    assert checked["agents"] == "agents"  # a component type's summary "Agents"


def test_the_rule_itself() -> None:
    assert problems_of("create a agent") == ["a/an"]
    assert problems_of("Lists things.") == ["starts with a capital", "ends with a period"]
    assert problems_of("MCP servers and their tools") == []
    assert problems_of("an MCP server") == []
    assert help_line("  Agents  (the\nkind).") == "agents (the kind)"
    assert help_line("MCP servers.") == "MCP servers"
    assert [with_article(n) for n in ("agent", "code block", "MCP server", "user", "hour")] == [
        "an agent",
        "a code block",
        "an MCP server",
        "a user",
        "an hour",
    ]


def test_a_plugin_s_help_line_is_normalised(flow: Any, platform: FakePlatform) -> None:
    class Loud:
        __name__ = "loud"

        @hookimpl
        def flow_sdk_cli_commands(self, commands: Any) -> None:
            commands.add_group("loud", "Shouts a lot.", self.register)

        @staticmethod
        def register(parser: argparse.ArgumentParser) -> None:
            add_command(parser, "shout", lambda a, c: None, help="Shout once.")

    plugins = [FakePlatformPlugin(platform), Loud()]
    assert re.search(r"\n +loud +shouts a lot\n", flow("--help", plugins=plugins).out)
    assert re.search(r"\n +shout +shout once\n", flow("loud", "--help", plugins=plugins).out)


# hints


def _parser(*options: tuple[str, str | None]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    for flag, metavar in options:
        if metavar is None:
            parser.add_argument(flag, action="store_true")
        else:
            parser.add_argument(flag, metavar=metavar)
    return parser


@pytest.mark.parametrize(
    ("hint", "options", "shown"),
    [
        (
            "pass a larger timeout_s=..., or follow it with `flow workflows wait`",
            [("--timeout", "SECONDS")],
            "pass a larger --timeout, or follow it with `flow workflows wait`",
        ),
        (
            "fetch the resource again and retry with its current version (if_match=...)",
            [("--if-match", "VERSION")],
            "fetch the resource again and retry with its current version (--if-match VERSION)",
        ),
        (
            "use a new idempotency_key for a request with a different body",
            [("--idempotency-key", "KEY")],
            "use a new --idempotency-key for a request with a different body",
        ),
        (
            "pass format='jsonl' or format='csv'",
            [("--format", "FORMAT")],
            "pass --format jsonl or --format csv",
        ),
        (
            "wait; the SDK tried 3 time(s) (raise max_retries to retry more)",
            [],
            "wait; the SDK tried 3 time(s) (set FLOW_MAX_RETRIES higher to retry more)",
        ),
        ("pass max_retries=0 to disable retries", [], "pass FLOW_MAX_RETRIES=0 to disable retries"),
        ("pass a number of seconds, e.g. timeout=30", [], "set FLOW_TIMEOUT=30"),
        (
            "set FLOW_ORG_ID or pass org_id=... to FlowConfig (`flow orgs list` helps)",
            [],
            "set FLOW_ORG_ID, or select one (`flow orgs list` helps)",
        ),
        # no such flag on this command: the hint is left as it is
        ("pass a larger timeout_s=...", [], "pass a larger timeout_s=..."),
    ],
)
def test_sdk_hints_name_the_command_s_flags(
    hint: str, options: list[tuple[str, str | None]], shown: str
) -> None:
    assert cli_hint(hint, _parser(*options)) == shown


class WaitingPlugin:
    """`flow jobs wait --timeout S`: times out with the SDK's own hint."""

    __name__ = "waiting"

    @hookimpl
    def flow_sdk_cli_commands(self, commands: Any) -> None:
        commands.add_group("jobs", "background jobs", self.register)

    @staticmethod
    def register(parser: argparse.ArgumentParser) -> None:
        def wait(args: argparse.Namespace, ctx: Any) -> None:
            raise CLITimeoutError(
                f"job still running after {args.timeout}s",
                hint="pass a larger timeout_s=..., or check its status later with get(...)",
            )

        verb = add_command(parser, "wait", wait, help="wait for a job")
        verb.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS")


def test_a_hint_shown_by_a_command_names_its_flag(flow: Any, platform: FakePlatform) -> None:
    result = flow("jobs", "wait", plugins=[FakePlatformPlugin(platform), WaitingPlugin()])
    assert result.code == 1
    assert "hint: pass a larger --timeout, or check its status later" in result.err
    assert "timeout_s" not in result.err


def test_a_stale_version_hint_names_if_match(flow: Any, logged_in: Any) -> None:
    widget = flow("widgets", "create", "--set", "name=w").json()
    stale = flow("widgets", "update", widget["id"], "--set", "name=x", "--if-match", "9")
    assert stale.code == 1
    assert "(--if-match VERSION)" in stale.err
    assert "if_match=" not in stale.err


def test_errors_raised_before_a_command_keep_their_hint(flow: Any) -> None:
    error = CLIClientError("x", hint="run `flow login`")
    assert cli_hint(str(error.hint)) == "run `flow login`"
