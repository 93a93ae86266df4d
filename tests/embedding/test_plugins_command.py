"""``flow plugins``: each plugin's distribution, version, namespaces, commands, component
types and status (loaded, failed with the reason, disabled with the switch that did it)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flow_sdk import ComponentTypeSpec, NamespaceSpec, hookimpl
from flow_sdk.cli import CLISettings, main
from flow_sdk.testing import fake_entry_points, installed_plugins


class Shelves:
    """A plugin with a namespace, a component type, its own group and an extension."""

    __name__ = "shelves_plugin"

    @hookimpl
    def flow_sdk_namespaces(self) -> list[NamespaceSpec]:
        return [NamespaceSpec("shelves", "flow_sdk:Namespace")]

    @hookimpl
    def flow_sdk_component_types(self) -> list[ComponentTypeSpec]:
        return [ComponentTypeSpec("shelf_rule", "shelf_rules")]

    @hookimpl
    def flow_sdk_cli_commands(self, commands: Any) -> None:
        commands.add_group("shelves", "shelves of things", lambda parser: None)
        commands.extend_group("shelf-rules", lambda parser: None)


class Quiet:
    """A plugin that implements no hook."""

    __name__ = "quiet_plugin"


@pytest.fixture(autouse=True)
def three_plugins() -> Iterator[None]:
    """shelves (works), ghost (cannot be imported), quiet (works; disabled by some tests)."""
    found = [
        *fake_entry_points(
            {"shelves": Shelves()}, distribution="flow-sdk-shelves", version="1.2.3"
        ),
        *fake_entry_points({"ghost": "no_such_module_for_flow_plugins_tests"}),
        *fake_entry_points({"quiet": Quiet()}, distribution="flow-sdk-quiet"),
    ]
    with installed_plugins(found):
        yield


def flow_plugins(*argv: str, **settings: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["plugins", *argv], settings=CLISettings(stdout=out, stderr=err, **settings))
    return code, out.getvalue(), err.getvalue()


def rows(*argv: str, **settings: Any) -> dict[str, dict[str, Any]]:
    code, out, err = flow_plugins("--json", *argv, **settings)
    assert code == 0, err
    return {row["name"]: row for row in json.loads(out)["plugins"]}


def test_a_loaded_plugin_shows_everything_it_provides() -> None:
    shelves = rows(environ={})["shelves"]
    assert shelves == {
        "name": "shelves",
        "distribution": "flow-sdk-shelves",
        "version": "1.2.3",
        "status": "loaded",
        "namespaces": ["shelves", "shelf_rules"],
        "component_types": ["shelf_rule"],
        "commands": ["shelf-rules", "shelves", "+shelf-rules"],
        "reason": None,
    }


def test_a_plugin_that_fails_to_load_shows_why() -> None:
    code, out, err = flow_plugins("--json", environ={})
    assert code == 0
    report = json.loads(out)
    ghost = {row["name"]: row for row in report["plugins"]}["ghost"]
    assert (ghost["status"], ghost["distribution"]) == ("failed", "test-ghost")
    assert "No module named 'no_such_module_for_flow_plugins_tests'" in ghost["reason"]
    assert any("ghost" in problem for problem in report["problems"])
    assert "warning: plugin 'ghost' from test-ghost could not be loaded" in err


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"environ": {"FLOW_DISABLE_PLUGINS": "quiet"}}, "disabled by FLOW_DISABLE_PLUGINS"),
        (
            {"environ": {"FLOW_DISABLE_PLUGINS": "flow-sdk-quiet"}},  # by distribution name
            "disabled by FLOW_DISABLE_PLUGINS",
        ),
        ({"environ": {"FLOW_PLUGINS": "shelves"}}, "not in FLOW_PLUGINS (the plugins to use)"),
        (
            {"environ": {}, "disable_plugins": ["quiet"], "prog": "mytool flow"},
            "disabled by mytool flow's own list of plugins to leave out",
        ),
        (
            {"environ": {}, "plugins": ["shelves"], "prog": "mytool flow"},
            "not among the plugins mytool flow chose to use",
        ),
    ],
)
def test_a_disabled_plugin_says_which_switch_disabled_it(
    settings: dict[str, Any], reason: str
) -> None:
    quiet = rows(**settings)["quiet"]
    assert (quiet["status"], quiet["reason"]) == ("disabled", reason)
    assert (quiet["namespaces"], quiet["commands"]) == ([], [])


def test_the_table_has_a_column_for_each_field() -> None:
    code, out, _ = flow_plugins(environ={"FLOW_OUTPUT": "table", "FLOW_DISABLE_PLUGINS": "quiet"})
    assert code == 0
    header, *lines = out.splitlines()
    assert header.split() == [
        "NAME",
        "DISTRIBUTION",
        "VERSION",
        "STATUS",
        "NAMESPACES",
        "COMPONENT",
        "TYPES",
        "COMMANDS",
        "REASON",
    ]
    by_name = {line.split()[0]: line for line in lines}
    assert "shelves, shelf_rules" in by_name["shelves"]
    assert "disabled by FLOW_DISABLE_PLUGINS" in by_name["quiet"]
    assert "failed" in by_name["ghost"]


def test_flow_plugins_list_is_the_same_listing() -> None:
    assert flow_plugins("list", "--json", environ={})[1] == flow_plugins("--json", environ={})[1]
