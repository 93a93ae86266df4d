"""The CLI login approval page in a real browser: Debian's chromium, headless.

A GET through ``chromium --dump-dom``; the approval itself through the DevTools
protocol (``browser_support``: a small client, the standard library only). The
browser sends the form as browsers do (its ``Origin``, the page's CSP and
``required`` box enforced), so this is what a person gets. Skipped where
chromium is not installed (``apt-get install chromium``; ``.ci/run`` installs it).
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from flow_sdk import CLIClient

from .browser_support import CHROMIUM, FLAGS, DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the tests below

pytestmark = needs_chromium


def _status(handle: Any, login_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{handle.url}/api/v1/auth/cli-login-requests/{login_id}", timeout=10)
    result: dict[str, Any] = answer.json()
    return result


def test_the_page_as_chromium_renders_it(served_platform: Any, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    request = CLIClient.create_cli_login_request(served_platform.url)
    dom = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'dump-profile'}",
            "--dump-dom",
            request["verification_url"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert re.search(rf'<p class="code" id="user-code">{request["user_code"]}</p>', dom), dom
    assert "Local Developer &lt;dev@flow.local&gt;" in dom
    assert 'type="checkbox" name="confirm"' in dom
    assert _status(served_platform, request["id"])["status"] == "pending"  # a GET changes nothing


def test_approving_a_cli_login_in_the_browser(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    request = CLIClient.create_cli_login_request(served_platform.url)
    browser.open(request["verification_url"])

    assert browser.evaluate("document.title").startswith("Approve this CLI login?")
    assert browser.text("#user-code") == request["user_code"]
    assert browser.text("#account") == "Local Developer <dev@flow.local>"
    assert browser.text("#orgs") == "Development"
    # the console's stylesheet applies (the page's CSP allows it by its hash): its card,
    # its header, and no panel frame (no navigation, no org switcher)
    assert browser.evaluate("getComputedStyle(document.querySelector('section')).borderRadius") == (
        "10px"
    )
    assert browser.text("header .brand") == "Flow local platform"
    assert browser.evaluate("document.querySelector('nav, select')") is None
    assert browser.evaluate("document.querySelector('main').className") == "narrow"
    shot = browser.screenshot(tmp_path / "login-page.png", width=720, height=820)
    assert shot.stat().st_size > 1000
    # phone width: nothing wider than the screen
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=390,
        height=800,
        deviceScaleFactor=1,
        mobile=True,
    )
    assert browser.fits(390)

    # Approve without ticking the box: the browser does not send the form
    browser.evaluate("document.getElementById('approve').click()")
    time.sleep(0.3)
    assert browser.evaluate("location.href") == request["verification_url"]
    assert browser.evaluate("document.getElementById('confirm').validity.valueMissing") is True
    assert _status(served_platform, request["id"])["status"] == "pending"

    # tick it and approve: the browser posts the form (with its Origin and the page's token)
    browser.evaluate("document.getElementById('confirm').click()")
    browser.click("#approve")
    assert browser.evaluate("document.title").startswith("Login approved")
    assert browser.text("#outcome") == f"The login with code {request['user_code']} is approved."
    assert browser.evaluate("document.body.innerText").count("Local Developer") == 1

    polled = _status(served_platform, request["id"])
    assert polled["status"] == "approved"
    assert polled["access_token"]
    user = CLIClient.get_current_user_with_token(served_platform.url, polled["access_token"])
    assert user["id"] == "usr_dev"

    # the page, opened again, says how the request stands
    browser.open(request["verification_url"])
    assert browser.evaluate("document.title").startswith("This login is approved")


def test_denying_a_cli_login_in_the_browser(served_platform: Any, browser: DevTools) -> None:
    request = CLIClient.create_cli_login_request(served_platform.url)
    browser.open(request["verification_url"])
    browser.click("#deny")  # no box to tick to deny
    assert browser.evaluate("document.title").startswith("Login denied")
    assert _status(served_platform, request["id"])["status"] == "denied"
