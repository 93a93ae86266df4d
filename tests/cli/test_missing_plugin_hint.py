"""A first-party command whose plugin is missing says which distribution to install."""

from __future__ import annotations

import io

import pytest
from flow_sdk._catalog import FIRST_PARTY_COMMANDS
from flow_sdk.cli import CLISettings, main


def _run(*argv: str, disable: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    code = main(
        list(argv), settings=CLISettings(disable_plugins=disable, stderr=err, stdout=io.StringIO())
    )
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("command", "plugin", "distribution"),
    [
        ("rings", "deployments", "flow-sdk-deployments"),
        ("services", "hosted_services", "flow-sdk-hosted-services"),
        ("connector-instances", "connectors", "flow-sdk-connectors"),
        ("datasets", "datasets", "flow-sdk-datasets"),
    ],
)
def test_the_hint_names_the_distribution(command: str, plugin: str, distribution: str) -> None:
    code, err = _run(command, "list", disable=[plugin])
    assert code == 2
    assert f"hint: `flow {command}` comes with {distribution}: pip install {distribution}" in err


def test_an_unknown_command_points_at_help() -> None:
    code, err = _run("no-such-command", disable=[])
    assert code == 2
    assert "hint: run `flow --help` to see the commands" in err


def test_every_first_party_group_is_in_the_catalog() -> None:
    import json

    out = io.StringIO()
    assert main(["plugins", "--json"], settings=CLISettings(stdout=out, stderr=io.StringIO())) == 0
    listed = json.loads(out.getvalue())
    plugins = listed if isinstance(listed, list) else listed["plugins"]
    checked = 0
    for plugin in plugins:
        dist = plugin.get("distribution") or ""
        if not dist.startswith("flow-sdk-") or dist == "flow-sdk-example":
            continue
        for command in plugin.get("commands", []):
            if not command.startswith("+"):  # "+group": verbs added to another group
                assert FIRST_PARTY_COMMANDS.get(command) == dist, command
                checked += 1
    assert checked >= 20
