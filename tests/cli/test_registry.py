"""Plugin command groups: lazy import, refusals, extensions, component-type groups, mounting."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from flow_cli_fakes import FakePlatform, FakePlatformPlugin
from flow_sdk import hookimpl
from flow_sdk.cli import (
    CORE_COMMANDS,
    CLISettings,
    CommandRegistry,
    build_parser,
    is_flow_command,
    mount,
    run,
)
from flow_sdk.testing import installed_plugins
from hypothesis import given, settings
from hypothesis import strategies as st


class CommandsPlugin:
    """A plugin whose only hook adds command groups through ``calls(commands)``."""

    def __init__(self, name: str, calls: Any) -> None:
        self.__name__ = name
        self._calls = calls

    @hookimpl
    def flow_sdk_cli_commands(self, commands: CommandRegistry) -> None:
        self._calls(commands)


@pytest.fixture
def lazy_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A command module on sys.path that is not imported yet: ``NAME:register``."""
    name = f"flow_lazy_cmds_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(
        "from flow_sdk.cli import add_command\n"
        "def register(parser):\n"
        "    verb = add_command(parser, 'hello', greet, help='say hello')\n"
        "    verb.add_argument('who')\n"
        "def greet(args, ctx):\n"
        "    ctx.output.emit({'greeting': 'hello ' + args.who})\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_group_code_is_imported_only_when_its_group_runs(
    flow: Any, platform: FakePlatform, lazy_module: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plugins = [
        FakePlatformPlugin(platform),
        CommandsPlugin(
            "lazy", lambda c: c.add_group("lazy", "lazy things", f"{lazy_module}:register")
        ),
    ]
    help_run = flow("--help", plugins=plugins)
    assert help_run.code == 0
    assert "lazy things" in help_run.out
    assert flow("profiles", "list", plugins=plugins).code == 0
    assert flow("widgets", "--help", plugins=plugins).code == 0
    assert lazy_module not in sys.modules

    result = flow("lazy", "hello", "world", plugins=plugins)
    assert result.code == 0, result.err
    assert result.json() == {"greeting": "hello world"}
    assert lazy_module in sys.modules


def test_broken_group_code_breaks_only_its_group(
    flow: Any, platform: FakePlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    plugins = [
        FakePlatformPlugin(platform),
        CommandsPlugin(
            "broken", lambda c: c.add_group("broken", "broken things", "no_such_mod_x:f")
        ),
    ]
    help_run = flow("--help", plugins=plugins)
    assert help_run.code == 0
    assert "broken things" in help_run.out
    result = flow("broken", "anything", plugins=plugins)
    assert result.code == 1
    assert "`flow broken` commands from broken failed to load" in result.err
    assert "No module named 'no_such_mod_x'" in result.err
    assert "hint: " in result.err
    assert flow("profiles", "list", plugins=plugins).code == 0


def test_broken_plugin_module_does_not_break_help(capsys: pytest.CaptureFixture[str]) -> None:
    from flow_sdk.cli import main

    with installed_plugins({"ghost": "no_such_plugin_module_y"}):
        assert main(["--help"]) == 0
        captured = capsys.readouterr()
        assert "login" in captured.out
        assert "plugin 'ghost' from test-ghost could not be loaded" in captured.err
        assert main(["plugins", "--json"]) == 0
        report = __import__("json").loads(capsys.readouterr().out)
    (ghost,) = [p for p in report["plugins"] if p["name"] == "ghost"]
    assert ghost["status"] == "failed"
    assert "no_such_plugin_module_y" in ghost["reason"]


def test_a_plugin_cannot_replace_a_core_command(
    flow: Any, platform: FakePlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    def take_login(commands: CommandRegistry) -> None:
        commands.add_group("login", "a fake login", lambda parser: None)

    plugins = [FakePlatformPlugin(platform), CommandsPlugin("thief", take_login)]
    help_run = flow("login", "--help", plugins=plugins)
    assert help_run.code == 0
    assert "--with-api-key" in help_run.out  # still the core's login
    result = flow("plugins", "--json", plugins=plugins)
    assert result.code == 0
    assert any(
        "tried to add `flow login`, a core command; refused" in p for p in result.json()["problems"]
    )
    assert "warning: plugin thief tried to add `flow login`" in result.err


@pytest.mark.parametrize("name", sorted(CORE_COMMANDS))
def test_every_core_command_is_refused(name: str) -> None:
    registry = CommandRegistry()
    with registry.plugin_context("p", "flow-sdk-p"):
        registry.add_group(name, "mine", lambda parser: None)
    assert name not in registry.groups or registry.groups[name].core
    assert len(registry.errors) == 1
    assert "flow-sdk-p" in registry.errors[0].message


def test_a_second_plugin_cannot_take_a_group(flow: Any, platform: FakePlatform) -> None:
    plugins = [
        FakePlatformPlugin(platform),
        CommandsPlugin("rival", lambda c: c.add_group("widgets", "rival widgets", "x:y")),
    ]
    result = flow("plugins", "--json", plugins=plugins)
    problems = result.json()["problems"]
    assert any("already provides; refused" in p and "extend_group" not in p for p in problems)
    assert flow("widgets", "list", "--help", plugins=plugins).code == 0


def test_extend_group_adds_verbs_whatever_the_plugin_order(
    flow: Any, platform: FakePlatform, logged_in: Any
) -> None:
    def extend(commands: CommandRegistry) -> None:
        commands.extend_group("widgets", add_shout)

    def add_shout(parser: argparse.ArgumentParser) -> None:
        from flow_sdk.cli import add_command

        add_command(parser, "shout", lambda args, ctx: ctx.output.emit({"said": "WIDGETS"}))

    # the extension's plugin comes first: its group is not registered yet
    plugins = [CommandsPlugin("extender", extend), FakePlatformPlugin(platform)]
    result = flow("widgets", "shout", plugins=plugins)
    assert result.code == 0, result.err
    assert result.json() == {"said": "WIDGETS"}
    assert flow("widgets", "list", plugins=plugins).code == 0
    report = flow("plugins", "--json", plugins=plugins).json()
    (extender,) = [p for p in report["plugins"] if p["name"] == "extender"]
    assert extender["commands"] == ["+widgets"]


def test_a_broken_extension_leaves_the_group_working(
    flow: Any, platform: FakePlatform, logged_in: Any
) -> None:
    def clash(parser: argparse.ArgumentParser) -> None:
        from flow_sdk.cli import add_command

        add_command(parser, "list", lambda args, ctx: None)  # the group already has `list`

    plugins = [
        FakePlatformPlugin(platform),
        CommandsPlugin("clasher", lambda c: c.extend_group("widgets", clash)),
    ]
    result = flow("widgets", "list", plugins=plugins)
    assert result.code == 0
    assert "verbs that clasher adds to `flow widgets` failed to load" in result.err


def test_extending_a_missing_group_is_reported(flow: Any, platform: FakePlatform) -> None:
    plugins = [
        FakePlatformPlugin(platform),
        CommandsPlugin("orphan", lambda c: c.extend_group("nowhere", "x:y")),
    ]
    result = flow("plugins", "--json", plugins=plugins)
    assert any(
        "extends `flow nowhere`, which no installed plugin provides" in p
        for p in result.json()["problems"]
    )


def test_a_hook_that_raises_is_reported_not_fatal(flow: Any, platform: FakePlatform) -> None:
    def explode(commands: CommandRegistry) -> None:
        raise RuntimeError("boom")

    plugins = [FakePlatformPlugin(platform), CommandsPlugin("exploder", explode)]
    result = flow("profiles", "list", plugins=plugins)
    assert result.code == 0
    assert "flow_sdk_cli_commands failed: RuntimeError('boom')" in result.err


def test_register_must_be_a_path_or_callable() -> None:
    registry = CommandRegistry()
    with pytest.raises(TypeError, match="module:function"):
        registry.add_group("things", "things", "not-a-path")


@settings(deadline=None)  # timing varies on a loaded CI machine
@given(st.text(max_size=20))
def test_group_names_are_accepted_only_when_well_formed(name: str) -> None:
    import re

    registry = CommandRegistry()
    with registry.plugin_context("p", None):
        registry.add_group(name, "help", "m:f")
    well_formed = bool(re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", name))
    accepted = name in registry.groups
    assert accepted == (well_formed and name not in CORE_COMMANDS)
    assert accepted or registry.errors


def test_component_types_get_resource_groups(flow: Any, logged_in: Any) -> None:
    created = flow("gadget-kits", "create", "--set", "name=kit", "--set", "spec.size=3")
    assert created.code == 0, created.err
    kit = created.json()
    assert kit["type"] == "gadget"
    assert kit["spec"] == {"size": 3}
    assert flow("gadget-kits", "update", kit["id"], "--set", "description=new").code == 0
    versions = flow("gadget-kits", "versions", kit["id"]).json()
    assert [v["version"] for v in versions] == [1, 2]
    listed = flow("gadget-kits", "list", "--name", "kit").json()
    assert [k["id"] for k in listed] == [kit["id"]]
    assert flow("gadget-kits", "list", "--name", "other").json() == []
    assert flow("gadget-kits", "delete", kit["id"], "--yes").code == 0
    assert flow("gadget-kits", "get", kit["id"]).code == 1


def test_local_says_what_to_install_without_the_plugin(flow: Any) -> None:
    result = flow("local", "init")
    assert result.code == 1
    assert "pip install flow-sdk-local" in result.err


def test_a_plugin_fills_the_local_placeholder(flow: Any, platform: FakePlatform) -> None:
    def local(parser: argparse.ArgumentParser) -> None:
        from flow_sdk.cli import add_command

        add_command(parser, "init", lambda args, ctx: ctx.output.emit({"initialised": True}))

    plugins = [
        FakePlatformPlugin(platform),
        CommandsPlugin("local", lambda c: c.add_group("local", "the local platform", local)),
    ]
    result = flow("local", "init", plugins=plugins)
    assert result.code == 0, result.err
    assert result.json() == {"initialised": True}


# mounting into a host program


class Host:
    """A host program with its own command and the flow tree mounted under `flow`."""

    def __init__(self, settings: CLISettings) -> None:
        self.parser = argparse.ArgumentParser(prog="mytool")
        sub = self.parser.add_subparsers(dest="command")
        own = sub.add_parser("hello")
        own.add_argument("--json", action="store_true")  # the host's own --json
        mount(sub, "flow", settings=settings)


def test_mounted_tree_runs_flow_commands(
    flow: Any, platform: FakePlatform, logged_in: Any, lazy_module: str
) -> None:
    import io

    out = io.StringIO()
    plugins = [
        FakePlatformPlugin(platform),
        CommandsPlugin("lazy", lambda c: c.add_group("lazy", "lazy", f"{lazy_module}:register")),
    ]
    host = Host(CLISettings(plugins=plugins, stdout=out, stderr=io.StringIO()))
    assert lazy_module not in sys.modules

    args = host.parser.parse_args(["flow", "widgets", "create", "--set", "name=w", "--json"])
    assert is_flow_command(args)
    assert run(args) == 0
    assert '"name": "w"' in out.getvalue()

    args = host.parser.parse_args(["flow", "lazy", "hello", "host"])
    assert run(args) == 0
    assert "hello host" in out.getvalue()

    own = host.parser.parse_args(["hello", "--json"])
    assert not is_flow_command(own)
    assert own.json is True
    with pytest.raises(ValueError, match="is_flow_command"):
        run(own)


def test_the_host_chooses_the_profile(flow: Any, platform: FakePlatform, logged_in: Any) -> None:
    import io

    assert flow("profiles", "list").code == 0
    out, err = io.StringIO(), io.StringIO()
    host = Host(
        CLISettings(
            profile="elsewhere", plugins=[FakePlatformPlugin(platform)], stdout=out, stderr=err
        )
    )
    args = host.parser.parse_args(["flow", "orgs", "list"])
    assert run(args) == 4  # the host's profile has no credentials
    assert "profile 'elsewhere'" in err.getvalue()


def test_build_parser_raises_instead_of_exiting(platform: FakePlatform) -> None:
    from flow_sdk.cli._parser import UsageError

    parser = build_parser(CLISettings(plugins=[FakePlatformPlugin(platform)]))
    with pytest.raises(UsageError, match="no command 'no-such-command'"):
        parser.parse_args(["no-such-command"])


def test_local_says_when_the_installed_plugin_is_disabled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from flow_sdk.cli import main
    from flow_sdk.testing import fake_entry_points

    found = fake_entry_points({"local": "no_such_local_plugin_z"}, distribution="flow-sdk-local")
    with installed_plugins(found):
        assert main(["local", "init"]) == 1
        assert "installed but failed to load" in capsys.readouterr().err
        monkeypatch.setenv("FLOW_DISABLE_PLUGINS", "local")
        assert main(["local", "init"]) == 1
        assert "installed but is disabled" in capsys.readouterr().err
        assert main(["plugins", "--json"]) == 0
        report = __import__("json").loads(capsys.readouterr().out)
    assert [(p["name"], p["status"]) for p in report["plugins"]] == [("local", "disabled")]
