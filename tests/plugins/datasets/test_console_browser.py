"""The "Datasets" console panel in a real headless chromium: in through the one-time link,
the listing, a dataset's schema and rows, the next page of rows; a screenshot of each."""

from __future__ import annotations

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


def test_the_datasets_panel_in_chromium(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    sdk = served_platform.client()
    cities = sdk.datasets.create(name="cities", schema=SCHEMA, description="where people live")
    sdk.datasets.append_rows(cities.id, [{"id": i, "city": f"City {i}"} for i in range(1, 46)])
    sdk.datasets.create(name="<script>alert(1)</script>")

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    browser.open(f"{served_platform.url}/console/datasets?org=org_dev&ws=ws_dev")
    assert browser.text("h1") == "Datasets"
    assert browser.text("nav a[aria-current=page]") == "Datasets"
    names = browser.texts("table tbody td:first-child")
    assert names == ["cities", "<script>alert(1)</script>"]  # shown as text, never run
    assert browser.evaluate("document.querySelectorAll('script').length") == 0
    assert "45" in browser.texts("table tbody tr:first-child td")
    browser.screenshot(tmp_path / "datasets.png", height=760)
    browser.screenshot(tmp_path / "datasets-phone.png", width=390, height=800)
    assert browser.fits(390)

    browser.click("table tbody a")
    assert browser.evaluate("location.search").endswith(f"id={cities.id}")
    assert browser.headings() == ["Dataset cities", "Schema", "Rows 1 to 20 of 45"]
    assert "where people live" in browser.text("dl")
    schema = browser.texts("section:nth-of-type(2) tbody td")
    assert schema == ["id", "integer", "yes", "no", "city", "string", "no", "yes"]
    assert browser.texts("section:nth-of-type(3) thead th") == ["#", "id", "city"]
    assert browser.texts("section:nth-of-type(3) tbody tr:first-child td") == [
        "1",
        "1",
        "City 1",
    ]
    browser.screenshot(tmp_path / "dataset.png", height=760)

    browser.click("a[rel=next]")
    assert browser.headings()[-1] == "Rows 21 to 40 of 45"
    assert browser.texts("section:nth-of-type(3) tbody tr:first-child td")[2] == "City 21"
    browser.click("a[rel=next]")
    assert browser.headings()[-1] == "Rows 41 to 45 of 45"
    assert browser.evaluate("document.querySelector('a[rel=next]')") is None
    browser.screenshot(tmp_path / "dataset-rows.png", height=760)
    browser.click("#first-page")
    assert browser.headings()[-1] == "Rows 1 to 20 of 45"
    browser.click("#all-datasets")
    assert browser.evaluate("location.search") == "?org=org_dev&ws=ws_dev"
    assert sdk.datasets.get(cities.id).row_count == 45  # browsing changed nothing

    for name in ("datasets.png", "datasets-phone.png", "dataset.png", "dataset-rows.png"):
        assert (tmp_path / name).stat().st_size > 1000
