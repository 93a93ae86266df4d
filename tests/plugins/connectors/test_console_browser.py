"""The "Connectors" console panel in a real headless chromium: in through the one-time link,
the instances (a DSN's password nowhere on the page), an instance and its DDL audit;
a screenshot of each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_sdk_connectors._drivers import psycopg_available
from flow_sdk_local.console import login_link

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium
PASSWORD = "Sup3r-Secret-In-The-DSN"


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
    assert browser.text("h1") == "Connectors"
    assert browser.headings() == ["Connector instances"]
    assert browser.texts("table tbody td:first-child") == ["app database", "warehouse"]
    warehouse = browser.texts("table tbody tr:nth-child(2) td")
    status = "ready" if psycopg_available() else "driver missing"
    assert warehouse[1:4] == [
        "PostgreSQL (postgres)",
        "postgresql://etl@db.internal:5432/dw",
        status,
    ]
    assert PASSWORD not in browser.evaluate("document.documentElement.outerHTML")
    browser.screenshot(tmp_path / "connectors.png", height=760)
    browser.screenshot(tmp_path / "connectors-phone.png", width=390, height=800)

    browser.click("table tbody a")
    assert browser.evaluate("location.search").endswith(f"id={app.id}")
    assert browser.headings() == ["Instance app database", "DDL audit"]
    audit = browser.texts("section:nth-of-type(2) tbody tr")
    assert len(audit) == 2
    newest = browser.texts("section:nth-of-type(2) tbody tr:first-child td")
    assert newest[1:] == [
        "DROP TABLE orders;",
        "Local Developer (usr_dev)",
        "start again",
        "applied",
    ]
    assert browser.evaluate(
        "document.querySelector('section:nth-of-type(2) tbody td pre code') !== null"
    )
    browser.screenshot(tmp_path / "connector.png", height=760)

    browser.click("#all-instances")
    assert browser.evaluate("location.search") == "?org=org_dev&ws=ws_dev"
    browser.click("table tbody tr:nth-child(2) a")
    page = browser.evaluate("document.documentElement.outerHTML")
    assert PASSWORD not in page
    assert "password (stored apart, never shown)" in browser.evaluate("document.body.innerText")
    browser.screenshot(tmp_path / "warehouse.png", height=760)
    assert [r.status for r in sdk.connector_instances.audit(app.id)] == ["applied", "applied"]

    for name in ("connectors.png", "connectors-phone.png", "connector.png", "warehouse.png"):
        assert (tmp_path / name).stat().st_size > 1000
