"""`flow login` opens the browser; the access token exchanged for an API key is kept
(0600, for its platform only) and reused; `--debug` shows the key exchange."""

from __future__ import annotations

import io
import json
import os
import stat
import time
import webbrowser
from pathlib import Path
from typing import Any

import pytest
from flow_cli_fakes import API_KEY, URL, FakePlatform
from flow_sdk import hookimpl
from flow_sdk._profiles import ProfileStore
from flow_sdk.cli import CLISettings, main
from flow_sdk.cli._context import has_display, open_in_browser

# the browser


def _approve_soon(platform: FakePlatform) -> None:
    original = platform._new_login_request

    def settle_soon() -> Any:
        response = original()
        platform.settle_login(json.loads(response.content)["id"], "approved", after_polls=1)
        return response

    platform._new_login_request = settle_soon  # type: ignore[method-assign]


def test_login_opens_the_page_and_still_prints_it(
    flow: Any, platform: FakePlatform, browser: list[str]
) -> None:
    _approve_soon(platform)
    result = flow("login", "--platform-url", URL)
    assert result.code == 0, result.err
    page = f"{URL}/device?code=ABCD-1234"
    assert browser == [page]
    assert f"open {page} and enter the code ABCD-1234" in result.err
    assert "(opened in your browser)" in result.err


def test_no_browser_and_local_platforms_open_nothing(
    flow: Any, platform: FakePlatform, browser: list[str]
) -> None:
    _approve_soon(platform)
    assert flow("login", "--platform-url", URL, "--no-browser").code == 0
    _approve_soon(platform)
    local = flow("login", "--platform-url", "local://elsewhere")
    assert "flow local approve ABCD-1234 --name elsewhere" in local.err
    assert flow("login", "--platform-url", URL, "--no-wait").code == 0
    assert browser == []


def test_without_a_display_the_browser_is_not_tried(
    flow: Any, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:  # pragma: no cover - the failure this test is about
        raise AssertionError("webbrowser was asked without a display")

    monkeypatch.setattr(webbrowser, "get", refuse)
    monkeypatch.setattr("sys.platform", "linux")
    _approve_soon(platform)
    result = flow("login", "--platform-url", URL, browser=None)  # the real opener
    assert result.code == 0, result.err
    assert "enter the code ABCD-1234" in result.err
    assert "(opened in your browser)" not in result.err


def test_when_a_browser_can_open() -> None:
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "freebsd14")
    assert has_display({}, "darwin")
    assert has_display({}, "win32")


def test_the_default_opener(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    class Browser:
        def open(self, url: str) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr(webbrowser, "get", lambda: Browser())
    assert open_in_browser("https://x.test/p", {"DISPLAY": ":0"}) is True
    assert opened == ["https://x.test/p"]
    assert open_in_browser("https://x.test/p", {}) is (has_display({}))

    def none_found() -> Any:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", none_found)
    assert open_in_browser("https://x.test/p", {"DISPLAY": ":0"}) is False


# the token kept for an API key


def _with_key(flow: Any, *argv: str, **kwargs: Any) -> Any:
    environ = {**os.environ, "FLOW_API_KEY": API_KEY}
    return flow(*argv, environ=environ, **kwargs)


def test_a_second_command_makes_no_key_exchange(
    flow: Any, platform: FakePlatform, config_dir: Path
) -> None:
    assert _with_key(flow, "--platform-url", URL, "orgs", "list").code == 0
    assert platform.exchanges == 1
    assert _with_key(flow, "--platform-url", URL, "orgs", "list").code == 0
    assert (
        _with_key(flow, "--platform-url", URL, "workspaces", "list", "--org", "org_dev").code == 0
    )
    assert platform.exchanges == 1
    tokens = config_dir / "tokens.json"
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    text = tokens.read_text()
    assert API_KEY not in text
    [entry] = json.loads(text)["tokens"].values()
    assert entry["platform_url"] == URL
    assert entry["access_token"] in platform.tokens
    assert entry["expires_at"] > time.time() + 3600


def test_a_token_is_used_only_for_its_platform(
    flow: Any, platform: FakePlatform, config_dir: Path
) -> None:
    other = "https://other.flow.test"
    assert _with_key(flow, "--platform-url", URL, "orgs", "list").code == 0
    assert _with_key(flow, "--platform-url", other, "orgs", "list").code == 0
    assert platform.exchanges == 2  # the other platform never saw the first one's token
    first, second = (r for r in platform.requests if r.url.path == "/api/v1/tenants/orgs")
    assert first.headers["authorization"] != second.headers["authorization"]
    assert _with_key(flow, "--platform-url", URL.upper(), "orgs", "list").code == 0
    assert platform.exchanges == 2  # the same platform, however it is spelled


def test_a_token_about_to_expire_or_refused_is_replaced(
    flow: Any, platform: FakePlatform, config_dir: Path
) -> None:
    store = ProfileStore(config_dir)
    store.cache_token(API_KEY, URL, platform.mint_token([]), time.time() + 30)
    assert _with_key(flow, "--platform-url", URL, "orgs", "list").code == 0
    assert platform.exchanges == 1  # 30 s left is too little: exchanged again
    kept = store.cached_token(API_KEY, URL)
    assert kept is not None
    platform.tokens.pop(kept[0])  # revoked on the platform
    result = _with_key(flow, "--platform-url", URL, "orgs", "list")
    assert result.code == 0, result.err
    assert platform.exchanges == 2
    assert store.cached_token(API_KEY, URL) not in (None, kept)


def test_logout_forgets_the_kept_tokens(flow: Any, logged_in: Any, config_dir: Path) -> None:
    store = ProfileStore(config_dir)
    assert store.cached_token(API_KEY, URL) is not None  # kept by `flow login` itself
    assert flow("logout").code == 0
    assert store.cached_token(API_KEY, URL) is None


def test_an_unwritable_cache_does_not_fail_the_command(
    flow: Any, platform: FakePlatform, config_dir: Path
) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "tokens.json").mkdir()  # cannot be replaced by a file
    assert _with_key(flow, "--platform-url", URL, "orgs", "list").code == 0


def test_debug_shows_the_key_exchange_redacted(flow: Any, platform: FakePlatform) -> None:
    result = _with_key(flow, "--platform-url", URL, "orgs", "list", "--debug")
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    exchange = [line for line in lines if "/api/v1/auth/token" in line]
    assert exchange[0].startswith(f"debug: → POST {URL}/api/v1/auth/token (API key exchange)")
    assert exchange[1].startswith(f"debug: ← 200 POST {URL}/api/v1/auth/token in ")
    # made while sending the first request, before its answer
    answer = next(x for x in lines if x.startswith("debug: ← 200 GET") and "tenants/orgs" in x)
    assert lines.index(exchange[1]) < lines.index(answer)
    assert API_KEY not in result.err
    for token in platform.tokens:
        assert token not in result.err
    login = flow("login", "--with-api-key", "--platform-url", URL, "--debug", stdin=API_KEY)
    assert "(API key exchange)" in login.err
    assert API_KEY not in login.err


# over a socket, against the local platform


class ExchangeCounter:
    """Counts the key exchanges the local platform answers."""

    __name__ = "exchange_counter"

    def __init__(self) -> None:
        self.count = 0

    @hookimpl
    def flow_sdk_local_routes(self, app: Any) -> None:
        def count(route: Any, request: Any, call_next: Any) -> Any:
            self.count += 1
            return call_next(request)

        app.around_handler(count, prefix="/api/v1/auth/token")


COUNTER = ExchangeCounter()


@pytest.mark.flow_plugins(COUNTER)
@pytest.mark.parametrize("flow_transport_mode", ["socket"])
def test_over_a_socket_the_second_command_makes_no_exchange(
    flow_transport_mode: str, local_platform: Any, flow_config_dir: Path
) -> None:
    assert local_platform.url.startswith("http://127.0.0.1:")
    environ = {**os.environ, "FLOW_API_KEY": local_platform.api_key}

    def flow(*argv: str) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(stdout=out, stderr=err, environ=environ, sleep=lambda s: None)
        code = main(["--platform-url", local_platform.url, *argv], settings=settings)
        return code, err.getvalue()

    before = COUNTER.count
    assert flow("orgs", "list") == (0, "")
    assert COUNTER.count == before + 1
    assert flow("orgs", "list") == (0, "")
    assert flow("workspaces", "list", "--org", local_platform.org_id) == (0, "")
    assert COUNTER.count == before + 1
