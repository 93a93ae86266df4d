"""``flow`` end to end against the real local platform (flow-sdk-local), with the installed plugins.

Each scenario runs in-process (``local://…``) and over the loopback socket
(``http://127.0.0.1:PORT``), through the fixtures of flow-sdk-local.
"""

from __future__ import annotations

import io
import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flow_sdk.cli import CLISettings, main

pytest.importorskip("flow_sdk_local")


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def flow(*argv: str, stdin: str = "") -> Run:
    """``flow`` with the installed plugins, as a user's shell would run it."""
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        settings=CLISettings(
            stdin=io.StringIO(stdin), stdout=out, stderr=err, sleep=lambda s: None
        ),
    )
    return Run(code, out.getvalue(), err.getvalue())


def ok(*argv: str, stdin: str = "") -> Any:
    result = flow(*argv, stdin=stdin)
    assert result.code == 0, f"flow {' '.join(argv)} → {result.code}: {result.err}"
    return result.json() if result.out.strip() else None


def test_the_quickstart_through_flow_local_init(flow_config_dir: Path) -> None:
    """The README's main job: local init, status, orgs, workspaces, a component, flow api."""
    init = ok("local", "init")
    assert init["profile"] == "local"
    credentials = flow_config_dir / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600

    status = ok("auth", "status")
    assert status["authenticated"] is True
    assert status["platform_url"]["value"].startswith("local://")
    assert status["user"]["id"] == "usr_dev"
    assert [o["id"] for o in ok("orgs", "list")] == [status["org_id"]["value"]]
    assert [w["id"] for w in ok("workspaces", "list")] == [status["workspace_id"]["value"]]

    agent = ok("agents", "create", "--set", "name=quickstart", "--set", "spec.model=local")
    listed = ok("api", "GET", "/api/v1/orgs/{org_id}/workspaces/{workspace_id}/components/agent")
    assert [a["id"] for a in listed["items"]] == [agent["id"]]
    secret = json.loads(credentials.read_text())["profiles"]["local"]["api_key"]
    everything = [
        flow(*argv)
        for argv in (["auth", "status"], ["profiles", "list"], ["--debug", "orgs", "list"])
    ]
    for run in everything:
        assert secret not in run.out + run.err


def test_login_catalog_and_api(
    flow_transport_mode: str, local_platform: Any, flow_config_dir: Path
) -> None:
    login = ok(
        "login",
        "--with-api-key",
        "--platform-url",
        local_platform.url,
        stdin=local_platform.api_key,
    )
    assert (login["org_id"], login["workspace_id"]) == (
        local_platform.org_id,
        local_platform.workspace_id,
    )

    created = ok("agents", "create", "--file", "-", stdin='{"name": "a1", "spec": {"model": "m"}}')
    assert created["version"] == 1
    updated = ok(
        "agents", "update", created["id"], "--set", "description=better", "--if-match", "1"
    )
    assert updated["version"] == 2
    stale = flow("agents", "update", created["id"], "--set", "description=x", "--if-match", "1")
    assert stale.code == 1
    assert "(409)" in stale.err
    assert [v["version"] for v in ok("agents", "versions", created["id"])] == [1, 2]
    assert [a["name"] for a in ok("agents", "list", "--name", "a1")] == ["a1"]
    bad = flow("agents", "create", "--set", "spec=1")
    assert bad.code == 1
    assert "(422)" in bad.err

    me = ok("api", "GET", "/api/v1/auth/me")
    assert me["id"] == local_platform.user_id
    assert ok("agents", "delete", created["id"], "--yes") == {"id": created["id"], "deleted": True}
    gone = flow("agents", "get", created["id"])
    assert gone.code == 1
    assert "(404)" in gone.err


def test_browser_login_with_approval(
    flow_transport_mode: str, local_platform: Any, flow_config_dir: Path
) -> None:
    request = ok("login", "--no-wait", "--platform-url", local_platform.url)
    local_platform.approve_login(request["user_code"])
    done = ok("login", "--complete", request["id"], "--platform-url", local_platform.url)
    assert done["org_id"] == local_platform.org_id
    assert ok("auth", "status")["user"]["id"] == local_platform.user_id
    again = flow("login", "--complete", request["id"], "--platform-url", local_platform.url)
    assert again.code == 4


def test_denied_login_and_bad_key_are_exit_code_4(
    local_platform: Any, flow_config_dir: Path
) -> None:
    request = ok("login", "--no-wait", "--platform-url", local_platform.url)
    local_platform.deny_login(request["id"])
    denied = flow("login", "--complete", request["id"], "--platform-url", local_platform.url)
    assert denied.code == 4
    assert "denied" in denied.err
    wrong = flow(
        "login", "--with-api-key", "--platform-url", local_platform.url, stdin="fl_" + "z" * 30
    )
    assert wrong.code == 4
    assert "fl_zzzz" not in wrong.err


def test_tenant_isolation_from_the_command_line(local_platform: Any, flow_config_dir: Path) -> None:
    other = local_platform.create_tenant("Elsewhere")
    ok(
        "login",
        "--with-api-key",
        "--platform-url",
        local_platform.url,
        stdin=local_platform.api_key,
    )
    mine = ok("agents", "create", "--set", "name=mine")
    ok(
        "--profile",
        "other",
        "login",
        "--with-api-key",
        "--platform-url",
        local_platform.url,
        stdin=other["api_key"],
    )
    hidden = flow("--profile", "other", "agents", "get", mine["id"])
    assert hidden.code == 1
    assert "(404)" in hidden.err
    foreign = flow("--profile", "other", "workspaces", "use", local_platform.workspace_id)
    assert foreign.code == 1


def test_retries_are_visible_with_debug(local_platform: Any, flow_config_dir: Path) -> None:
    ok(
        "login",
        "--with-api-key",
        "--platform-url",
        local_platform.url,
        stdin=local_platform.api_key,
    )
    local_platform.inject_faults("503", count=1, path_prefix="/api/v1/tenants")
    result = flow("orgs", "list", "--debug")
    assert result.code == 0, result.err
    assert "← 503" in result.err
    assert "retrying in" in result.err
