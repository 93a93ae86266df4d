"""The web console in a real headless chromium: in through the one-time link, each panel
opened and checked, a fault injected from its form; a screenshot of each panel is saved
(under the test's tmp_path; tests/plugins/test_console_tour.py writes the docs' pictures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from flow_sdk import CLIClient
from flow_sdk_local.console import login_link

from .browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the tests below
pytestmark = needs_chromium


def test_the_console_in_chromium(served_platform: Any, browser: DevTools, tmp_path: Path) -> None:
    shots = tmp_path / "console-screenshots"
    shots.mkdir()
    client: CLIClient = served_platform.client()
    notes = f"{served_platform.url}/api/v1/orgs/org_dev/workspaces/ws_dev/notes"
    created = client._call("POST", notes, json={"title": "Buy milk", "body": "two litres"})

    # without the cookie: refused, with how to get in
    browser.open(f"{served_platform.url}/console/overview")
    assert "flow local console" in browser.evaluate("document.body.innerText")

    # the one-time link sets the cookie and lands on the overview
    link = login_link(served_platform.url, served_platform.admin_secret)
    browser.open(link)
    assert browser.evaluate("location.pathname") == "/console/overview"
    assert browser.evaluate("document.title") == "Overview · Flow console"
    assert browser.evaluate("document.cookie") == ""  # HttpOnly: no script sees it
    assert browser.headings() == ["Organisations", "Components by type", "Recent activity"]
    assert "Development" in browser.text("table")
    assert browser.text("svg[role=img] title") == "Components by type"
    assert browser.evaluate("getComputedStyle(document.querySelector('section')).borderRadius") == (
        "10px"  # the inline stylesheet applies: the CSP allows it by its hash
    )
    browser.screenshot(shots / "overview.png", height=760)

    # phone width: nothing wider than the screen
    browser.screenshot(shots / "overview-phone.png", width=390, height=800)
    assert browser.fits(390)

    # the switcher: choose the dev org and workspace (a GET form)
    browser.evaluate("document.getElementById('org').value = 'org_dev'")
    browser.click("#switch")
    assert "org=org_dev" in browser.evaluate("location.search")
    assert "Workspaces" in browser.evaluate("document.body.innerText")

    # the example plugin's panel: the note, and its detail view
    browser.open(f"{served_platform.url}/console/notes?org=org_dev&ws=ws_dev")
    assert browser.text("h1") == "Notes"
    assert "Buy milk" in browser.text("table")
    browser.click("table a")
    assert browser.evaluate("location.search").endswith(f"id={created['id']}")
    assert "two litres" in browser.text("dl")
    browser.screenshot(shots / "notes.png", height=760)

    # the platform panel: inject a 503 from its form, once
    browser.open(f"{served_platform.url}/console/platform")
    assert "No faults" in browser.evaluate("document.body.innerText")
    assert browser.evaluate("document.querySelector('label[for], label select') !== null")
    browser.evaluate("document.getElementById('fault-kind').value = '503'")
    browser.evaluate("document.getElementById('fault-count').value = '1'")
    browser.click("#inject")
    assert browser.text("#notice") == "Injecting 503 faults on /api/."
    assert "503" in browser.text("table")
    browser.screenshot(shots / "platform.png", height=760)
    answer = httpx.get(f"{served_platform.url}/api/v1/users/me", timeout=10)
    assert answer.status_code == 503  # the fault, seen through the platform's API
    assert served_platform.platform.faults.snapshot().rules[0].injected == 1

    # reset asks for its confirmation (the box is required: the browser does not send it)
    browser.evaluate("document.getElementById('reset').click()")
    assert browser.evaluate("document.getElementById('reset-confirm').validity.valueMissing")
    assert client._call("GET", notes)["items"]  # nothing reset

    for name in ("overview.png", "overview-phone.png", "notes.png", "platform.png"):
        assert (shots / name).stat().st_size > 1000


@pytest.mark.parametrize("panel", ["overview", "platform", "notes"])
def test_each_panel_refuses_a_browser_without_the_cookie(
    served_platform: Any, browser: DevTools, panel: str
) -> None:
    browser.open(f"{served_platform.url}/console/{panel}")
    assert browser.evaluate("document.title").startswith("Sign in to the console")


def test_approving_a_cli_login_from_the_console(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    request = CLIClient.create_cli_login_request(served_platform.url)
    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    browser.open(f"{served_platform.url}/console/platform")
    assert "CLI logins waiting for approval" in browser.headings()
    assert browser.text("#cli-logins code") == request["user_code"]
    browser.screenshot(tmp_path / "platform-logins.png", height=760)

    # the console's link opens the approval page, in the console's style
    browser.click("#cli-logins a")
    assert browser.evaluate("location.pathname") == f"/_local/cli-login/{request['id']}"
    assert browser.evaluate("document.title").startswith("Approve this CLI login?")
    assert browser.text("#user-code") == request["user_code"]
    assert browser.evaluate("getComputedStyle(document.querySelector('section')).borderRadius") == (
        "10px"
    )
    browser.screenshot(tmp_path / "approval.png", width=720, height=760)

    # tick the box and approve: the browser posts the form with its Origin and token
    browser.evaluate("document.getElementById('confirm').click()")
    browser.click("#approve")
    assert browser.evaluate("document.title").startswith("Login approved")
    assert browser.text("#outcome") == f"The login with code {request['user_code']} is approved."
    browser.screenshot(tmp_path / "approved.png", width=720, height=760)

    polled = httpx.get(
        f"{served_platform.url}/api/v1/auth/cli-login-requests/{request['id']}", timeout=10
    ).json()
    assert polled["status"] == "approved"
    user = CLIClient.get_current_user_with_token(served_platform.url, polled["access_token"])
    assert user["id"] == "usr_dev"

    # back on the console, the login is no longer waiting
    browser.open(f"{served_platform.url}/console/platform")
    assert "No CLI login is waiting" in browser.text("#cli-logins")
    for name in ("platform-logins.png", "approval.png", "approved.png"):
        assert (tmp_path / name).stat().st_size > 1000
