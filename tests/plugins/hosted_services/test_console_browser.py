"""The "Services" console panel in a real headless chromium: in through the one-time link,
the org's services, a service's detail through its link and an older version through its
own; a screenshot of each page is saved under the test's tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link
from hosted_services_support import ECHO, GREET, GREET_V2

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium


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
    assert browser.text("h1") == "Services"
    assert browser.headings() == ["Hosted services"]
    table = browser.inner_text("table")
    assert "greeter" in table
    assert "v2 live" in table
    assert "<b>sketch</b>" in table  # shown as text, not markup
    assert browser.evaluate("document.querySelector('table b')") is None
    assert browser.evaluate("document.querySelector('form[method=post]')") is None  # no actions
    assert browser.screenshot(tmp_path / "services.png").stat().st_size > 1000

    # the service's detail, through its link
    browser.click("table a")
    assert browser.evaluate("location.search").endswith(f"id={service.id}")
    assert browser.headings() == [
        f"Service {service.id}",
        "Endpoints (draft)",
        "Versions",
        "Version v2",
        "Endpoints of v2",
    ]
    assert "says hello" in browser.inner_text("dl")
    text = browser.evaluate("document.body.innerText")
    assert "+ POST /echo; ~ GET /greet/{name}" in text
    assert f"/api/v1/orgs/org_dev/services/{service.id}/v2/echo" in text
    assert browser.screenshot(tmp_path / "service.png").stat().st_size > 1000
    phone = browser.screenshot(tmp_path / "service-phone.png", width=390, height=900)
    assert phone.stat().st_size > 1000
    assert browser.fits(390)

    # an older version, through the versions table
    browser.click("a[href*='version=1']")
    assert "Version v1" in browser.headings()
    assert "hello" in browser.evaluate("document.body.innerText")
    assert browser.screenshot(tmp_path / "service-v1.png").stat().st_size > 1000

    # back to the list
    browser.click("main p a")
    assert browser.headings() == ["Hosted services"]
    assert sdk.hosted_services.get(service.id).latest_version == 2  # looking changed nothing
