"""The "Services" console panel in a real headless chromium: in through the one-time link,
the org's services, a service's detail through its link and an older version through its
own; a screenshot of each page is saved under the test's tmp_path."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link
from hosted_services_support import ECHO, GREET, GREET_V2

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium


def _shot(browser: DevTools, path: Path, width: int = 1000, height: int = 900) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    data = browser.call("Page.captureScreenshot", format="png")["data"]
    path.write_bytes(base64.b64decode(data))
    assert path.stat().st_size > 1000


def _click(browser: DevTools, selector: str) -> None:
    browser.events.clear()
    browser.evaluate(f"document.querySelector({selector!r}).click()")
    browser.wait_for("Page.loadEventFired")


def _headings(browser: DevTools) -> list[str]:
    found: list[str] = browser.evaluate(
        "[...document.querySelectorAll('h2')].map(h => h.textContent)"
    )
    return found


def test_the_services_panel_in_chromium(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    sdk = served_platform.client()
    service = sdk.hosted_services.create(
        name="greeter",
        description="says hello",
        endpoints=[{"method": "GET", "path": "/greet/{name}", "handler": GREET}],
    )
    sdk.hosted_services.publish(service.id)
    sdk.hosted_services.update(
        service.id,
        endpoints=[
            {"method": "GET", "path": "/greet/{name}", "handler": GREET_V2},
            {"method": "POST", "path": "/echo", "handler": ECHO},
        ],
    )
    sdk.hosted_services.publish(service.id)
    sdk.hosted_services.create(name="<b>sketch</b>")

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    assert browser.evaluate("location.pathname") == "/console/overview"
    browser.open(f"{served_platform.url}/console/services?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.title") == "Services · Flow console"
    assert browser.evaluate("document.querySelector('h1').textContent") == "Services"
    assert _headings(browser) == ["Hosted services"]
    table = browser.evaluate("document.querySelector('table').innerText")
    assert "greeter" in table
    assert "v2 live" in table
    assert "<b>sketch</b>" in table  # shown as text, not markup
    assert browser.evaluate("document.querySelector('table b')") is None
    assert browser.evaluate("document.querySelector('form[method=post]')") is None  # no actions
    _shot(browser, tmp_path / "services.png")

    # the service's detail, through its link
    _click(browser, "table a")
    assert browser.evaluate("location.search").endswith(f"id={service.id}")
    assert _headings(browser) == [
        f"Service {service.id}",
        "Endpoints (draft)",
        "Versions",
        "Version v2",
        "Endpoints of v2",
    ]
    assert "says hello" in browser.evaluate("document.querySelector('dl').innerText")
    text = browser.evaluate("document.body.innerText")
    assert "+ POST /echo; ~ GET /greet/{name}" in text
    assert f"/api/v1/orgs/org_dev/services/{service.id}/v2/echo" in text
    _shot(browser, tmp_path / "service.png")
    _shot(browser, tmp_path / "service-phone.png", width=390, height=900)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390

    # an older version, through the versions table
    _click(browser, "a[href*='version=1']")
    assert "Version v1" in _headings(browser)
    assert "hello" in browser.evaluate("document.body.innerText")
    _shot(browser, tmp_path / "service-v1.png")

    # back to the list
    _click(browser, "main p a")
    assert _headings(browser) == ["Hosted services"]
    assert sdk.hosted_services.get(service.id).latest_version == 2  # looking changed nothing
