"""The "MCP servers" console panel in a real headless chromium: in through the one-time
link, the workspace's servers, a server's detail through its link, and its tools refreshed
by clicking "Refresh tools" (against a real MCP server on loopback); a screenshot of each
page is saved under the test's tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link
from mcp_servers_support import McpTestServer, closed_port_url

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium


def test_the_mcp_panel_in_chromium(
    served_platform: Any, mcp_server: McpTestServer, browser: DevTools, tmp_path: Path
) -> None:
    servers = served_platform.client().mcp_servers
    server = servers.register("team tools", mcp_server.http_url, description="adds and greets")
    gone = servers.register("gone", closed_port_url())

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    assert browser.evaluate("location.pathname") == "/console/overview"
    browser.open(f"{served_platform.url}/console/mcp?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.title") == "MCP servers · Flow console"
    assert browser.text("h1") == "MCP servers"
    table = browser.inner_text("table")
    assert "team tools" in table
    assert mcp_server.http_url in table
    assert "new" in table
    assert browser.screenshot(tmp_path / "servers.png").stat().st_size > 1000

    # the server's detail, through its link: no tools until a refresh
    browser.click("table a")
    assert browser.evaluate("location.search").endswith(f"id={server.id}")
    assert "No tools stored" in browser.evaluate("document.body.innerText")
    assert browser.evaluate("document.querySelector('label input#timeout_s') !== null")
    assert browser.screenshot(tmp_path / "server.png").stat().st_size > 1000

    # refresh by clicking the button: the tools appear, and the SDK sees them
    browser.evaluate("document.getElementById('timeout_s').value = '20'")
    browser.click("#refresh")
    assert browser.inner_text("#notice") == "Refreshed team tools: 2 tools."
    assert browser.texts("table tbody tr td:first-child") == ["add", "greet"]
    assert '"required"' in browser.inner_text("table pre")
    assert "flow-test-tools 1.2.3" in browser.inner_text("dl")
    stored = servers.get(server.id)
    assert (stored.status, stored.tool_count) == ("ok", 2)
    assert browser.screenshot(tmp_path / "server-refreshed.png").stat().st_size > 1000
    phone = browser.screenshot(tmp_path / "server-phone.png", width=390, height=900)
    assert phone.stat().st_size > 1000
    assert browser.fits(390)

    # a server that cannot be reached: the failure is said, and stored
    browser.open(f"{served_platform.url}/console/mcp?org=org_dev&ws=ws_dev&id={gone.id}")
    browser.click("#refresh")
    assert browser.inner_text("#error").startswith("The refresh failed: could not connect")
    assert servers.get(gone.id).status == "error"
    assert browser.screenshot(tmp_path / "server-failed.png").stat().st_size > 1000

    # back to the list: the statuses as now stored
    browser.click("main p a")
    table = browser.inner_text("table")
    assert "ok" in table
    assert "error" in table
