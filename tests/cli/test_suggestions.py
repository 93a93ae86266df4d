"""Mistyped commands, verbs, options and choices get a suggestion; every usage error is 2."""

from __future__ import annotations

import argparse
import contextlib
import io
from typing import Any

import pytest
from flow_cli_fakes import FakePlatform, FakePlatformPlugin
from flow_sdk.cli import CLISettings, UsageError, add_command, is_flow_command, mount
from flow_sdk.cli._parser import close_matches


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["widgts", "list"], "no command 'widgts'; did you mean `flow widgets`?"),
        (["widgets", "lst"], "no command 'lst'; did you mean `flow widgets list`?"),
        (["orgs", "uze", "x"], "did you mean `flow orgs use`?"),
        (["gadget-kit", "list"], "did you mean `flow gadget-kits`?"),
        (["work"], "did you mean `flow workspaces`?"),
        (["widgets", "list", "--limt", "5"], "unknown option --limt; did you mean `--limit`?"),
        (
            ["widgets", "list", "--limit=5", "--alll"],
            "unknown option --alll; did you mean `--all`?",
        ),
        (["orgs", "list", "--jsno"], "did you mean `--json` or `--jsonl`?"),
        (["login", "--no-browsr"], "did you mean `--no-browser`?"),
        (["completion", "bsh"], "invalid choice: 'bsh'"),
        (["completion", "bsh"], "did you mean `bash`?"),
    ],
)
def test_a_mistake_gets_a_suggestion_and_exit_code_2(flow: Any, argv: list[str], said: str) -> None:
    result = flow(*argv)
    assert result.code == 2
    assert said in result.err
    assert result.err.startswith("usage: flow")
    assert "hint: run `flow" in result.err


def test_nothing_close_says_what_there_is(flow: Any) -> None:
    result = flow("widgets", "zzzzzz")
    assert result.code == 2
    assert "no command 'zzzzzz' (choose from list, get, create, update, delete, count)" in (
        result.err
    )
    assert "hint: run `flow widgets --help` to see the commands" in result.err
    extra = flow("orgs", "list", "surplus")
    assert extra.code == 2
    assert "unexpected argument 'surplus'" in extra.err


@pytest.mark.parametrize(
    "argv",
    [
        ["widgets", "create", "--set", "name"],  # not key=value
        ["widgets", "create"],  # no body at all
        ["gadget-kits", "create", "--set", "=x"],
        ["api", "GET", "/x", "--header", "no-colon"],
        ["api", "GET", "/x", "--query", "novalue"],
        ["api", "GET", "https://elsewhere.example/x"],
        ["completion"],  # which shell?
        ["widgets", "list", "--limit", "0"],
    ],
)
def test_every_usage_error_is_exit_code_2(flow: Any, logged_in: Any, argv: list[str]) -> None:
    result = flow(*argv)
    assert result.code == 2, result.err
    assert "usage: flow" in result.err
    assert "hint: " in result.err


def test_a_plugin_raises_usage_error_for_its_own_arguments(
    flow: Any, platform: FakePlatform
) -> None:
    from flow_sdk import hookimpl

    class Plugin:
        __name__ = "picky"

        @hookimpl
        def flow_sdk_cli_commands(self, commands: Any) -> None:
            commands.add_group("picky", "a picky command", self.register)

        @staticmethod
        def register(parser: argparse.ArgumentParser) -> None:
            def pick(args: argparse.Namespace, ctx: Any) -> None:
                if args.a and args.b:
                    raise UsageError("pass --a or --b, not both", hint="choose one")

            verb = add_command(parser, "pick", pick, help="pick one")
            verb.add_argument("--a", action="store_true")
            verb.add_argument("--b", action="store_true")

    result = flow("picky", "pick", "--a", "--b", plugins=[FakePlatformPlugin(platform), Plugin()])
    assert result.code == 2
    assert result.err.startswith("usage: flow picky pick")
    assert "flow: error: pass --a or --b, not both\nhint: choose one\n" in result.err


def test_a_mounted_tree_suggests_too(platform: FakePlatform) -> None:
    host = argparse.ArgumentParser(prog="mytool")
    mount(
        host.add_subparsers(), "flow", settings=CLISettings(plugins=[FakePlatformPlugin(platform)])
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        host.parse_args(["flow", "widgets", "lst"])
    assert exited.value.code == 2
    assert "did you mean `mytool flow widgets list`?" in err.getvalue()
    args = host.parse_args(["flow", "widgets", "count", "--name", "x"])
    assert is_flow_command(args)
    assert args.name == "x"


def test_close_matches() -> None:
    names = ["workspaces", "workflows", "widgets", "webhooks", "agents"]
    assert close_matches("agnets", names) == ["agents"]
    assert close_matches("work", names) == ["workspaces", "workflows"]
    assert close_matches("--limt", ["--limit", "--all", "--quiet"]) == ["--limit"]
    assert close_matches("zzz", names) == []
    assert close_matches("w", names) == []  # one letter says too little
