"""The two programs in examples/embedding, run as a user runs them: in their own process."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "embedding"
MYTOOL = str(EXAMPLES / "mytool.py")
EXPLICIT = str(EXAMPLES / "explicit_client.py")


@pytest.fixture
def mytool(run_python: Any) -> Any:
    def run(*argv: str) -> Any:
        return run_python(MYTOOL, *argv)

    return run


def test_mytool_runs_its_own_command(mytool: Any) -> None:
    result = mytool("hello", "--name", "Ada")
    assert (result.returncode, result.stdout, result.stderr) == (0, "hello, Ada\n", "")


def test_mytool_runs_the_flow_commands_with_its_profile_and_plugins(
    mytool: Any, clean_env: dict[str, str]
) -> None:
    # (tests/embedding/test_mount.py covers the rest in-process: --profile, the plugin set)
    result = mytool("flow", "local", "init")
    assert result.returncode == 0, result.stderr
    assert "profile 'mytool' selected" in result.stderr
    config = json.loads((Path(clean_env["FLOW_CONFIG_DIR"]) / "config.json").read_text())
    assert config["current_profile"] == "mytool"
    assert list(config["profiles"]) == ["mytool"]  # the user's default profile is untouched

    result = mytool("flow", "agents", "create", "--set", "name=triage")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "triage"
    result = mytool("flow", "agents", "list")
    assert result.returncode == 0, result.stderr
    assert [agent["name"] for agent in json.loads(result.stdout)] == ["triage"]


# explicit_client.py, run with entry-point discovery booby-trapped and sockets watched
NO_DISCOVERY = textwrap.dedent(
    """
    import importlib.metadata, runpy, sys
    import flow_sdk._entry_points, flow_sdk._plugins

    def refuse(*args, **kwargs):
        raise AssertionError("an entry-point scan happened")

    flow_sdk._plugins.discover = refuse
    flow_sdk._entry_points.scan_entry_points = refuse
    importlib.metadata.entry_points = refuse
    sockets = []

    def watch(event, args):
        if event == "socket.connect":
            sockets.append(args)

    sys.addaudithook(watch)
    runpy.run_path(sys.argv[1], run_name="__main__")
    chosen = ("flow_sdk_components", "flow_sdk_local")
    others = sorted(
        m for m in sys.modules if m.startswith("flow_sdk_") and m.split(".")[0] not in chosen
    )
    print(f"other plugins imported: {others}")
    print(f"sockets connected: {len(sockets)}")
    """
)


def test_explicit_client_uses_its_plugins_and_httpx_client_with_no_scan(
    run_python: Any,
) -> None:
    result = run_python("-c", NO_DISCOVERY, EXPLICIT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "plugins: ['flow_sdk_components.plugin']",
        "timeout: Timeout(connect=2.0, read=10.0, write=10.0, pool=10.0)",
    ]
    # the host's event hooks saw every request: the key exchange, the create, the list
    assert "-> POST /api/v1/auth/token" in lines
    assert "<- 201 POST /api/v1/orgs/org_dev/workspaces/ws_dev/components/agent" in lines
    assert "<- 200 GET /api/v1/orgs/org_dev/workspaces/ws_dev/components/agent" in lines
    assert "agents: ['embedded agent']" in lines
    assert "httpx client closed with the CLIClient: True" in lines
    assert lines[-2:] == ["other plugins imported: []", "sockets connected: 0"]


def test_the_booby_trap_catches_a_scan(run_python: Any, tmp_path: Path) -> None:
    script = tmp_path / "scans.py"
    script.write_text(
        "from flow_sdk import CLIClient, FlowConfig\n"
        "CLIClient(FlowConfig(platform_url='https://flow.example.com'))\n"
    )
    result = run_python("-c", NO_DISCOVERY, str(script))
    assert result.returncode != 0
    assert "an entry-point scan happened" in result.stderr
