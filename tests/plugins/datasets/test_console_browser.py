"""The "Datasets" console panel in a real headless chromium: in through the one-time link,
the listing, a dataset's schema and rows, the next page of rows; a screenshot of each."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium
SCHEMA = [
    {"name": "id", "type": "integer", "required": True},
    {"name": "city", "type": "string"},
]


def _shot(browser: DevTools, path: Path, width: int = 1000, height: int = 760) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    path.write_bytes(base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"]))


def _click(browser: DevTools, selector: str) -> None:
    browser.events.clear()
    browser.evaluate(f"document.querySelector({selector!r}).click()")
    browser.wait_for("Page.loadEventFired")


def _texts(browser: DevTools, selector: str) -> Any:
    return browser.evaluate(
        f"[...document.querySelectorAll({selector!r})].map(e => e.textContent.trim())"
    )


def test_the_datasets_panel_in_chromium(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    sdk = served_platform.client()
    cities = sdk.datasets.create(name="cities", schema=SCHEMA, description="where people live")
    sdk.datasets.append_rows(cities.id, [{"id": i, "city": f"City {i}"} for i in range(1, 46)])
    sdk.datasets.create(name="<script>alert(1)</script>")

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    browser.open(f"{served_platform.url}/console/datasets?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.querySelector('h1').textContent") == "Datasets"
    assert browser.evaluate("document.querySelector('nav a[aria-current=page]').textContent") == (
        "Datasets"
    )
    names = _texts(browser, "table tbody td:first-child")
    assert names == ["cities", "<script>alert(1)</script>"]  # shown as text, never run
    assert browser.evaluate("document.querySelectorAll('script').length") == 0
    assert "45" in _texts(browser, "table tbody tr:first-child td")
    _shot(browser, tmp_path / "datasets.png")
    _shot(browser, tmp_path / "datasets-phone.png", width=390, height=800)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390

    _click(browser, "table tbody a")
    assert browser.evaluate("location.search").endswith(f"id={cities.id}")
    assert _texts(browser, "h2") == ["Dataset cities", "Schema", "Rows 1 to 20 of 45"]
    assert "where people live" in browser.evaluate("document.querySelector('dl').textContent")
    schema = _texts(browser, "section:nth-of-type(2) tbody td")
    assert schema == ["id", "integer", "yes", "no", "city", "string", "no", "yes"]
    assert _texts(browser, "section:nth-of-type(3) thead th") == ["#", "id", "city"]
    assert _texts(browser, "section:nth-of-type(3) tbody tr:first-child td") == [
        "1",
        "1",
        "City 1",
    ]
    _shot(browser, tmp_path / "dataset.png")

    _click(browser, "a[rel=next]")
    assert _texts(browser, "h2")[-1] == "Rows 21 to 40 of 45"
    assert _texts(browser, "section:nth-of-type(3) tbody tr:first-child td")[2] == "City 21"
    _click(browser, "a[rel=next]")
    assert _texts(browser, "h2")[-1] == "Rows 41 to 45 of 45"
    assert browser.evaluate("document.querySelector('a[rel=next]')") is None
    _shot(browser, tmp_path / "dataset-rows.png")
    _click(browser, "#first-page")
    assert _texts(browser, "h2")[-1] == "Rows 1 to 20 of 45"
    _click(browser, "#all-datasets")
    assert browser.evaluate("location.search") == "?org=org_dev&ws=ws_dev"
    assert sdk.datasets.get(cities.id).row_count == 45  # browsing changed nothing

    for name in ("datasets.png", "datasets-phone.png", "dataset.png", "dataset-rows.png"):
        assert (tmp_path / name).stat().st_size > 1000
