"""flow orgs / workspaces / profiles, and flow api."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flow_cli_fakes import API_KEY, OTHER_KEY, URL, FakePlatform


@pytest.fixture
def two_orgs(flow: Any) -> Any:
    """Logged in with the key that sees org_dev and org_two (none selected)."""
    result = flow("login", "--with-api-key", "--platform-url", URL, stdin=OTHER_KEY)
    assert result.code == 0, result.err
    return result


# orgs


def test_orgs_list_marks_the_selected_org(flow: Any, logged_in: Any) -> None:
    table = flow("orgs", "list", tty=True)
    assert table.out.splitlines()[0].split() == ["CURRENT", "ID", "NAME", "SLUG"]
    assert table.out.splitlines()[1].split()[:2] == ["*", "org_dev"]
    assert flow("orgs", "list").json() == [{"id": "org_dev", "name": "Dev org", "slug": "dev"}]


def test_orgs_use(flow: Any, two_orgs: Any) -> None:
    result = flow("orgs", "use", "org_two")
    assert result.code == 0, result.err
    assert "Select a workspace" in result.err  # org_two has two workspaces
    status = flow("auth", "status", "--offline", "--json").json()
    assert status["org_id"]["value"] == "org_two"
    assert status["workspace_id"]["value"] is None

    single = flow("orgs", "use", "org_dev")
    assert "and workspace ws_dev" in single.err
    assert single.json() == {"profile": "default", "org_id": "org_dev", "workspace_id": "ws_dev"}

    unknown = flow("orgs", "use", "org_nope")
    assert unknown.code == 1
    assert "no org 'org_nope'" in unknown.err
    assert "flow orgs list" in unknown.err


# workspaces


def test_workspaces_list_needs_an_org(flow: Any, two_orgs: Any) -> None:
    result = flow("workspaces", "list")
    assert result.code == 1
    assert "no org is selected" in result.err
    listed = flow("workspaces", "list", "--org", "org_two").json()
    assert [w["id"] for w in listed] == ["ws_a", "ws_b"]


def test_workspaces_use_finds_the_org(flow: Any, two_orgs: Any) -> None:
    result = flow("workspaces", "use", "ws_b", tty=True)
    assert result.code == 0, result.err
    assert "now uses workspace ws_b (org org_two)" in result.err
    status = flow("auth", "status", "--offline", "--json").json()
    assert (status["org_id"]["value"], status["workspace_id"]["value"]) == ("org_two", "ws_b")
    table = flow("workspaces", "list", tty=True)
    assert any(line.split()[:2] == ["*", "ws_b"] for line in table.out.splitlines())

    unknown = flow("workspaces", "use", "ws_nope")
    assert unknown.code == 1
    assert "no workspace 'ws_nope' in the orgs you can access" in unknown.err


def test_workspaces_use_warns_about_environment_override(
    flow: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOW_WORKSPACE_ID", "ws_dev")
    result = flow("workspaces", "use", "ws_dev", "--org", "org_dev")
    assert result.code == 0
    assert "FLOW_WORKSPACE_ID is set and overrides this choice" in result.err


# profiles


def test_profiles_list_and_use(flow: Any, logged_in: Any, config_dir: Path) -> None:
    second = flow(
        "--profile", "ci", "login", "--with-api-key", "--platform-url", URL, stdin=API_KEY
    )
    assert second.code == 0, second.err
    profiles = flow("profiles", "list").json()
    assert [(p["name"], p["current"], p["credentials"]) for p in profiles] == [
        ("ci", False, "api key"),
        ("default", True, "api key"),
    ]
    assert flow("profiles", "use", "ci").json() == {"profile": "ci"}
    assert flow("auth", "status", "--offline", "--json").json()["profile"] == "ci"
    unknown = flow("profiles", "use", "nope")
    assert unknown.code == 1
    assert "known profiles: ci, default" in unknown.err
    assert API_KEY not in flow("profiles", "list", tty=True).out


def test_no_profiles_yet(flow: Any) -> None:
    result = flow("profiles", "list", tty=True)
    assert result.code == 0
    assert "no profiles yet" in result.err


def test_flow_profile_environment_variable(
    flow: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOW_PROFILE", "other")
    status = flow("auth", "status", "--offline", "--json")
    assert status.code == 4
    report = status.json()
    assert report["profile"] == "other"
    assert report["profile_source"] == "environment variable FLOW_PROFILE"
    assert "FLOW_PROFILE is set" in flow("profiles", "use", "default").err


# flow api


def test_api_get_prints_json(flow: Any, logged_in: Any) -> None:
    result = flow("api", "get", "/api/v1/tenants/orgs", tty=True)
    assert result.code == 0, result.err
    assert result.json() == [{"id": "org_dev", "name": "Dev org", "slug": "dev"}]


def test_api_fills_in_the_tenant(flow: Any, platform: FakePlatform, logged_in: Any) -> None:
    created = flow(
        "api",
        "POST",
        "/api/v1/orgs/{org_id}/workspaces/{workspace_id}/widgets",
        "--data",
        '{"name": "raw"}',
    )
    assert created.code == 0, created.err
    widget = created.json()
    assert widget["name"] == "raw"
    assert platform.requests[-1].headers["content-type"] == "application/json"
    assert "idempotency-key" in platform.requests[-1].headers
    got = flow(
        "api", "GET", f"api/v1/orgs/{{org_id}}/workspaces/{{workspace_id}}/widgets/{widget['id']}"
    )
    assert got.json()["id"] == widget["id"]


def test_api_body_from_file_and_stdin(flow: Any, logged_in: Any, tmp_path: Path) -> None:
    path = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}/widgets"
    body = tmp_path / "b.json"
    body.write_text('{"name": "filed"}')
    assert flow("api", "POST", path, "--data", f"@{body}").json()["name"] == "filed"
    assert flow("api", "POST", path, "-d", "-", stdin='{"name": "piped"}').json()["name"] == "piped"
    listed = flow("api", "GET", path, "--query", "name=piped").json()
    assert [w["name"] for w in listed["items"]] == ["piped"]


def test_api_headers_and_no_content(flow: Any, platform: FakePlatform, logged_in: Any) -> None:
    path = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}/widgets"
    widget = flow("api", "POST", path, "--data", '{"name": "x"}').json()
    stale = flow("api", "DELETE", f"{path}/{widget['id']}", "-H", "If-Match: 7")
    assert stale.code == 1
    assert "(409)" in stale.err
    gone = flow("api", "DELETE", f"{path}/{widget['id']}", "-H", "If-Match: 1", tty=True)
    assert gone.code == 0
    assert gone.out == ""
    assert "204" in gone.err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["api", "FETCH", "/x"], 2, "is not one of GET"),
        (["api", "GET", "https://evil.test/api/v1/tenants/orgs"], 2, "is a URL"),
        (["api", "POST", "/x", "--data", "{oops"], 2, "--data is not valid JSON"),
        (["api", "POST", "/x", "--data", "-"], 1, "--data is not valid JSON"),
        (["api", "GET", "/x", "-H", "no colon"], 2, "--header expects 'Name: value'"),
        (["api", "GET", "/api/v1/nothing/here"], 1, "(404): no route GET /api/v1/nothing/here"),
    ],
)
def test_api_errors(flow: Any, logged_in: Any, argv: list[str], code: int, message: str) -> None:
    result = flow(*argv)
    assert result.code == code
    assert message in result.err


def test_api_without_credentials_reaches_public_routes(flow: Any) -> None:
    health = flow("--platform-url", URL, "api", "GET", "/_local/health")
    assert health.code == 0
    assert health.json() == {"status": "ok"}
    denied = flow("--platform-url", URL, "api", "GET", "/api/v1/auth/me")
    assert denied.code == 4
    assert "(401)" in denied.err
    missing_tenant = flow("--platform-url", URL, "api", "GET", "/api/v1/orgs/{org_id}")
    assert missing_tenant.code == 1
    assert "no org_id is selected" in missing_tenant.err
