"""The ``flow`` tree mounted in a host program (examples/embedding/mytool.py), in-process:
the host chooses the profile, the config directory and the plugin set."""

from __future__ import annotations

import importlib.util
import io
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flow_sdk.cli import CLISettings, is_flow_command, run
from flow_sdk_local import forget_platform

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "embedding" / "mytool.py"


def load_mytool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mytool_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Host:
    """mytool with every stream and directory pinned down by the test."""

    def __init__(self, config_dir: Path) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        settings = CLISettings(
            profile="mytool",
            plugins=("local", "components"),
            config_dir=config_dir,
            stdout=self.out,
            stderr=self.err,
            prog="mytool flow",
        )
        self.parser = load_mytool().build_parser(settings)

    def __call__(self, *argv: str) -> tuple[int, Any]:
        self.out.seek(0)
        self.out.truncate()
        args = self.parser.parse_args(list(argv))
        assert is_flow_command(args)
        code = run(args)
        text = self.out.getvalue()
        return code, json.loads(text) if text.strip() else None


@pytest.fixture
def host(tmp_path: Path, flow_config_dir: Path) -> Iterator[Host]:
    # FLOW_CONFIG_DIR points elsewhere: the host's config_dir must win
    yield Host(tmp_path / "mytool-config")
    for name in PLATFORMS:
        forget_platform(f"local://{name}")


PLATFORMS = ("memory-mount", "memory-mount-2")


def test_the_host_chooses_profile_directory_and_plugins(
    host: Host, tmp_path: Path, flow_config_dir: Path
) -> None:
    assert host("flow", "local", "init", "--name", "memory-mount")[0] == 0
    config = json.loads((tmp_path / "mytool-config" / "config.json").read_text())
    assert config["current_profile"] == "mytool"
    assert list(flow_config_dir.iterdir()) == []  # FLOW_CONFIG_DIR was not used

    code, created = host("flow", "agents", "create", "--set", "name=mounted")
    assert code == 0, host.err.getvalue()
    assert created["name"] == "mounted"
    code, listed = host("flow", "agents", "list", "--json")
    assert code == 0
    assert [agent["name"] for agent in listed] == ["mounted"]

    code, report = host("flow", "plugins", "--json")
    assert code == 0
    loaded = {p["name"] for p in report["plugins"] if p["status"] == "loaded"}
    assert loaded == {"local", "components"}


def test_profile_flag_overrides_the_hosts_choice_for_one_command(host: Host) -> None:
    assert host("flow", "local", "init", "--name", "memory-mount-2")[0] == 0
    code, _ = host("flow", "--profile", "elsewhere", "agents", "list")
    assert code == 4
    assert "not logged in (profile 'elsewhere'" in host.err.getvalue()
    assert "hint: run `mytool flow local init`" in host.err.getvalue()
    assert host("flow", "agents", "list")[0] == 0  # the host's profile again


def test_the_hosts_own_commands_are_untouched(capsys: pytest.CaptureFixture[str]) -> None:
    mytool = load_mytool()
    assert mytool.main(["hello", "--name", "host"]) == 0
    assert capsys.readouterr().out == "hello, host\n"


def test_groups_outside_the_plugin_set_are_not_mounted(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):  # the host's own argparse reports the usage error
        host.parser.parse_args(["flow", "datasets", "list"])
    assert "invalid choice: 'datasets'" in capsys.readouterr().err
