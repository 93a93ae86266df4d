"""The "MCP servers" console panel in a real headless chromium: in through the one-time
link, the workspace's servers, a server's detail through its link, and its tools refreshed
by clicking "Refresh tools" (against a real MCP server on loopback); a screenshot of each
page is saved under the test's tmp_path."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link
from mcp_servers_support import McpTestServer, closed_port_url

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


def _text(browser: DevTools, selector: str) -> Any:
    return browser.evaluate(f"document.querySelector({selector!r})?.innerText")


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
    assert browser.evaluate("document.querySelector('h1').textContent") == "MCP servers"
    table = _text(browser, "table")
    assert "team tools" in table
    assert mcp_server.http_url in table
    assert "new" in table
    _shot(browser, tmp_path / "servers.png")

    # the server's detail, through its link: no tools until a refresh
    _click(browser, "table a")
    assert browser.evaluate("location.search").endswith(f"id={server.id}")
    assert "No tools stored" in browser.evaluate("document.body.innerText")
    assert browser.evaluate("document.querySelector('label input#timeout_s') !== null")
    _shot(browser, tmp_path / "server.png")

    # refresh by clicking the button: the tools appear, and the SDK sees them
    browser.evaluate("document.getElementById('timeout_s').value = '20'")
    browser.events.clear()
    browser.evaluate("document.getElementById('refresh').click()")
    browser.wait_for("Page.loadEventFired")
    assert _text(browser, "#notice") == "Refreshed team tools: 2 tools."
    tools = browser.evaluate(
        "[...document.querySelectorAll('table tbody tr td:first-child')].map(td => td.textContent)"
    )
    assert tools == ["add", "greet"]
    assert '"required"' in _text(browser, "table pre")
    assert "flow-test-tools 1.2.3" in _text(browser, "dl")
    stored = servers.get(server.id)
    assert (stored.status, stored.tool_count) == ("ok", 2)
    _shot(browser, tmp_path / "server-refreshed.png")
    _shot(browser, tmp_path / "server-phone.png", width=390, height=900)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390

    # a server that cannot be reached: the failure is said, and stored
    browser.open(f"{served_platform.url}/console/mcp?org=org_dev&ws=ws_dev&id={gone.id}")
    browser.events.clear()
    browser.evaluate("document.getElementById('refresh').click()")
    browser.wait_for("Page.loadEventFired")
    assert _text(browser, "#error").startswith("The refresh failed: could not connect")
    assert servers.get(gone.id).status == "error"
    _shot(browser, tmp_path / "server-failed.png")

    # back to the list: the statuses as now stored
    _click(browser, "main p a")
    table = _text(browser, "table")
    assert "ok" in table
    assert "error" in table
