"""The "Connectors" console panel in a real headless chromium: in through the one-time link,
the instances (a DSN's password nowhere on the page), an instance and its DDL audit;
a screenshot of each."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flow_sdk_connectors._drivers import psycopg_available
from flow_sdk_local.console import login_link

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium
PASSWORD = "Sup3r-Secret-In-The-DSN"


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


def test_the_connectors_panel_in_chromium(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    sdk = served_platform.client()
    app = sdk.connector_instances.create(
        connector_key="sqlite", name="app database", config={"path": "app.db"}
    )
    sdk.connector_instances.execute_ddl(
        app.id, "CREATE TABLE orders (id integer PRIMARY KEY, total numeric)", confirm=True
    )
    sdk.connector_instances.execute_ddl(
        app.id, "DROP TABLE orders", confirm=True, reason="start again"
    )
    sdk.connector_instances.create(
        connector_key="postgres",
        name="warehouse",
        config={"dsn": f"postgresql://etl:{PASSWORD}@db.internal:5432/dw"},
    )

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    browser.open(f"{served_platform.url}/console/connectors?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.querySelector('h1').textContent") == "Connectors"
    assert _texts(browser, "h2") == ["Connector instances"]
    assert _texts(browser, "table tbody td:first-child") == ["app database", "warehouse"]
    warehouse = _texts(browser, "table tbody tr:nth-child(2) td")
    status = "ready" if psycopg_available() else "driver missing"
    assert warehouse[1:4] == [
        "PostgreSQL (postgres)",
        "postgresql://etl@db.internal:5432/dw",
        status,
    ]
    assert PASSWORD not in browser.evaluate("document.documentElement.outerHTML")
    _shot(browser, tmp_path / "connectors.png")
    _shot(browser, tmp_path / "connectors-phone.png", width=390, height=800)

    _click(browser, "table tbody a")
    assert browser.evaluate("location.search").endswith(f"id={app.id}")
    assert _texts(browser, "h2") == ["Instance app database", "DDL audit"]
    audit = _texts(browser, "section:nth-of-type(2) tbody tr")
    assert len(audit) == 2
    newest = _texts(browser, "section:nth-of-type(2) tbody tr:first-child td")
    assert newest[1:] == [
        "DROP TABLE orders;",
        "Local Developer (usr_dev)",
        "start again",
        "applied",
    ]
    assert browser.evaluate(
        "document.querySelector('section:nth-of-type(2) tbody td pre code') !== null"
    )
    _shot(browser, tmp_path / "connector.png")

    _click(browser, "#all-instances")
    assert browser.evaluate("location.search") == "?org=org_dev&ws=ws_dev"
    _click(browser, "table tbody tr:nth-child(2) a")
    page = browser.evaluate("document.documentElement.outerHTML")
    assert PASSWORD not in page
    assert "password (stored apart, never shown)" in browser.evaluate("document.body.innerText")
    _shot(browser, tmp_path / "warehouse.png")
    assert [r.status for r in sdk.connector_instances.audit(app.id)] == ["applied", "applied"]

    for name in ("connectors.png", "connectors-phone.png", "connector.png", "warehouse.png"):
        assert (tmp_path / name).stat().st_size > 1000
