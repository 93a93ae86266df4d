"""flow login / logout / auth status, config precedence, and secrets staying secret."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from flow_cli_fakes import API_KEY, OTHER_KEY, URL, FakePlatform
from flow_sdk.testing import SleepRecorder


def _files(config_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    config = json.loads((config_dir / "config.json").read_text())
    credentials = json.loads((config_dir / "credentials.json").read_text())
    return config, credentials


def _no_secret(platform: FakePlatform, *texts: str) -> None:
    for text in texts:
        assert API_KEY not in text
        assert OTHER_KEY not in text
        for token in platform.tokens:
            assert token not in text


# login with an API key


def test_login_with_api_key_on_stdin_stores_a_0600_profile(
    flow: Any, platform: FakePlatform, config_dir: Path
) -> None:
    result = flow("login", "--with-api-key", "--platform-url", URL, stdin=API_KEY + "\n", tty=True)
    assert result.code == 0, result.err
    assert "Logged in to https://fake.flow.test as dev@example.com" in result.err
    config, credentials = _files(config_dir)
    assert config["current_profile"] == "default"
    assert config["profiles"]["default"] == {
        "platform_url": URL,
        "org_id": "org_dev",
        "workspace_id": "ws_dev",
    }
    assert credentials["profiles"]["default"]["api_key"] == API_KEY
    assert stat.S_IMODE((config_dir / "credentials.json").stat().st_mode) == 0o600
    assert API_KEY not in (config_dir / "config.json").read_text()
    _no_secret(platform, result.out, result.err)
    assert platform.exchanges == 1


def test_login_takes_the_key_from_flow_api_key(
    flow: Any, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch, config_dir: Path
) -> None:
    monkeypatch.setenv("FLOW_API_KEY", API_KEY)
    result = flow("login", "--platform-url", URL)
    assert result.code == 0, result.err
    assert result.json()["workspace_id"] == "ws_dev"
    assert _files(config_dir)[1]["profiles"]["default"]["api_key"] == API_KEY
    assert "FLOW_API_KEY is set and overrides the profile's api_key" in result.err
    _no_secret(platform, result.out, result.err)


def test_there_is_no_flag_for_the_key(flow: Any) -> None:
    result = flow("login", "--api-key", API_KEY, "--platform-url", URL)
    assert result.code == 2
    assert API_KEY not in result.err  # a usage error echoes the arguments: redacted


def test_a_wrong_key_is_exit_code_4_and_stays_secret(
    flow: Any, platform: FakePlatform, config_dir: Path
) -> None:
    wrong = "fl_wrong_" + "x" * 20
    result = flow("login", "--with-api-key", "--platform-url", URL, stdin=wrong)
    assert result.code == 4
    assert "API key exchange failed (401): invalid API key" in result.err
    assert "hint: " in result.err
    assert wrong not in result.err + result.out
    assert not (config_dir / "credentials.json").exists()


def test_an_empty_stdin_says_how_to_pass_the_key(flow: Any) -> None:
    result = flow("login", "--with-api-key", "--platform-url", URL, stdin="")
    assert result.code == 1
    assert "no API key on standard input" in result.err
    assert "flow login --with-api-key < key.txt" in result.err


def test_login_with_several_orgs_leaves_the_choice_to_the_user(flow: Any, config_dir: Path) -> None:
    result = flow("login", "--with-api-key", "--platform-url", URL, stdin=OTHER_KEY, tty=True)
    assert result.code == 0, result.err
    assert "flow orgs list" in result.err
    assert "org_id" not in _files(config_dir)[0]["profiles"]["default"]

    chosen = flow(
        "login", "--with-api-key", "--platform-url", URL, "--org", "org_two", stdin=OTHER_KEY
    )
    assert chosen.json()["org_id"] == "org_two"
    assert chosen.json()["workspace_id"] is None  # org_two has two workspaces


def test_login_into_a_named_profile_keeps_the_selected_one(flow: Any, logged_in: Any) -> None:
    result = flow(
        "--profile", "second", "login", "--with-api-key", "--platform-url", URL, stdin=API_KEY
    )
    assert result.code == 0, result.err
    profiles = flow("profiles", "list").json()
    assert {p["name"]: p["current"] for p in profiles} == {"default": True, "second": False}


# browser login requests


def test_browser_login_polls_at_once_and_stores_the_token(
    flow: Any, platform: FakePlatform, sleeps: SleepRecorder, config_dir: Path
) -> None:
    original = platform._new_login_request

    def settle_soon() -> Any:
        response = original()
        rid = json.loads(response.content)["id"]
        platform.settle_login(rid, "approved", after_polls=2)
        return response

    platform._new_login_request = settle_soon  # type: ignore[method-assign]
    result = flow("login", "--platform-url", URL)
    assert result.code == 0, result.err
    assert "open https://fake.flow.test/device?code=ABCD-1234 and enter the code ABCD-1234" in (
        result.err
    )
    assert sleeps.calls == [2.0, 2.0]  # first poll at once, then the platform's interval
    credentials = _files(config_dir)[1]["profiles"]["default"]
    assert "access_token" in credentials
    assert "api_key" not in credentials
    _no_secret(platform, result.out, result.err)
    assert flow("orgs", "list").code == 0


def test_no_wait_then_complete(flow: Any, platform: FakePlatform, sleeps: SleepRecorder) -> None:
    started = flow("login", "--no-wait", "--platform-url", URL)
    assert started.code == 0, started.err
    request = started.json()
    assert set(request) == {"id", "user_code", "verification_url", "expires_at"}
    assert f"flow login --complete {request['id']}" in started.err
    assert sleeps.calls == []

    platform.settle_login(request["id"], "approved")
    done = flow("login", "--complete", request["id"], "--platform-url", URL)
    assert done.code == 0, done.err
    assert flow("auth", "status").json()["authenticated"] is True

    again = flow("login", "--complete", request["id"], "--platform-url", URL)
    assert again.code == 4
    assert "already handed out" in again.err


@pytest.mark.parametrize("status", ["denied", "expired"])
def test_a_refused_login_request_is_exit_code_4(
    flow: Any, platform: FakePlatform, status: str
) -> None:
    request = flow("login", "--no-wait", "--platform-url", URL).json()
    platform.settle_login(request["id"], status, after_polls=1)
    result = flow("login", "--complete", request["id"], "--platform-url", URL)
    assert result.code == 4
    assert f"login request {request['id']} was {status}" in result.err
    assert "run `flow login` again" in result.err


def test_completing_an_unknown_request_is_an_error(flow: Any) -> None:
    result = flow("login", "--complete", "clr_nope", "--platform-url", URL)
    assert result.code == 1
    assert "no login request clr_nope" in result.err


# logout


def test_logout_forgets_the_secrets_only(flow: Any, logged_in: Any, config_dir: Path) -> None:
    result = flow("logout", tty=True)
    assert result.code == 0
    assert "Logged out of profile 'default'" in result.err
    config, credentials = _files(config_dir)
    assert credentials.get("profiles", {}) == {}
    assert config["profiles"]["default"]["org_id"] == "org_dev"
    denied = flow("orgs", "list")
    assert denied.code == 4
    assert "not logged in (profile 'default', platform https://fake.flow.test)" in denied.err
    assert "hint: run `flow login`" in denied.err
    assert "no stored credentials" in flow("logout", tty=True).err


def test_logout_warns_about_environment_credentials(
    flow: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOW_API_KEY", API_KEY)
    result = flow("logout", "--json")
    assert result.json() == {"profile": "default", "logged_out": True}
    assert "FLOW_API_KEY is still set" in result.err
    assert API_KEY not in result.err


# auth status


def test_status_shows_each_setting_and_its_source(
    flow: Any, platform: FakePlatform, logged_in: Any
) -> None:
    result = flow("auth", "status", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["profile"] == "default"
    assert report["platform_url"] == {"value": URL, "source": "profile 'default'"}
    assert report["org_id"] == {"value": "org_dev", "source": "profile 'default'"}
    assert report["credentials"] == {"value": "API key", "source": "profile 'default'"}
    assert report["user"] == {"id": "usr_dev", "email": "dev@example.com", "name": "Dev User"}
    assert report["warnings"] == []
    table = flow("auth", "status", tty=True)
    assert "platform_url  https://fake.flow.test" in table.out
    assert "dev@example.com" in table.out
    _no_secret(platform, result.out, result.err, table.out, table.err)


def test_status_warns_when_the_environment_overrides_the_profile(
    flow: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOW_WORKSPACE_ID", "ws_env")
    result = flow("auth", "status", tty=True)
    assert result.code == 0
    assert "environment variable FLOW_WORKSPACE_ID" in result.out
    assert "warning: FLOW_WORKSPACE_ID overrides the workspace_id stored in profile" in result.err


def test_status_without_credentials_is_exit_code_4(flow: Any) -> None:
    result = flow("auth", "status", "--json")
    assert result.code == 4
    report = result.json()
    assert report["authenticated"] is False
    assert report["platform_url"] == {"value": "local://default", "source": "default"}
    assert "flow local init" in result.err


def test_status_with_a_rejected_token_is_exit_code_4(
    flow: Any, platform: FakePlatform, logged_in: Any
) -> None:
    platform.tokens.clear()
    platform.keys.clear()  # the stored key is revoked too
    result = flow("auth", "status")
    assert result.code == 4
    assert "API key exchange failed (401)" in result.err


def test_status_offline_makes_no_request(flow: Any, platform: FakePlatform, logged_in: Any) -> None:
    before = len(platform.requests)
    result = flow("auth", "status", "--offline", "--json")
    assert result.code == 0
    assert result.json()["user"] is None
    assert len(platform.requests) == before


# precedence: flags > FLOW_* environment > profile > default


@pytest.mark.parametrize(
    ("env", "flag", "expected_source"),
    [
        (None, None, "profile 'default'"),
        ("https://env.flow.test", None, "environment variable FLOW_PLATFORM_URL"),
        ("https://env.flow.test", "https://flag.flow.test", "argument"),
    ],
)
def test_platform_url_precedence(
    flow: Any,
    logged_in: Any,
    monkeypatch: pytest.MonkeyPatch,
    env: str | None,
    flag: str | None,
    expected_source: str,
) -> None:
    if env:
        monkeypatch.setenv("FLOW_PLATFORM_URL", env)
    argv = ["auth", "status", "--offline", "--json"]
    if flag:
        argv += ["--platform-url", flag]
    report = flow(*argv).json()
    assert report["platform_url"] == {"value": flag or env or URL, "source": expected_source}


def test_an_environment_key_does_not_reuse_the_profiles_token(
    flow: Any, platform: FakePlatform, logged_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOW_API_KEY", OTHER_KEY)
    exchanges = platform.exchanges
    orgs = flow("orgs", "list").json()
    assert {o["id"] for o in orgs} == {"org_dev", "org_two"}  # OTHER_KEY's orgs
    assert platform.exchanges == exchanges + 1
