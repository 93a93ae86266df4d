"""The "MCP servers" console panel over plain HTTP: the workspace's servers (paged, URL
secrets hidden), a server's tools (paged, schemas as code), the refresh action against a
real MCP server on loopback, escaping, and the CSRF token a POST needs."""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any

import httpx
from flow_sdk_local.console import csrf_token, next_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp.server.mcpserver import MCPServer
from mcp_servers_support import McpTestServer, build_paged_server, closed_port_url, serve_asgi

WS = "org=org_dev&ws=ws_dev"
HOSTILE = "<script>alert(1)</script>"


def _refresh(console: httpx.Client, secret: str, server_id: str, **form: str) -> httpx.Response:
    """What the detail page's "Refresh tools" button posts."""
    data = {"csrf": csrf_token(secret), "action": "refresh", "id": server_id, **form}
    return console.post(f"/console/mcp?{WS}&id={server_id}", data=data)


def test_the_panel_lists_the_workspaces_servers(
    served_platform: Any, mcp_server: McpTestServer
) -> None:
    servers = served_platform.client().mcp_servers
    good = servers.register("tools", mcp_server.http_url)
    servers.refresh(good.id)
    servers.register("later", "http://127.0.0.1:9/sse?token=sekrit-value-42", transport="sse")
    console = served_platform.console()
    page = console.get(f"/console/mcp?{WS}")
    assert page.status_code == 200, page.text
    assert 'aria-current="page">MCP servers</a>' in page.text
    row = re.search(r"<tr><td><a [^>]*>tools</a></td>(.*?)</tr>", page.text)
    assert row, page.text
    checked = servers.get(good.id).checked_at
    assert checked is not None
    assert f"<td>streamable-http</td><td>{mcp_server.http_url}</td>" in row.group(1)
    assert '<span class="badge ok">ok</span></td><td>2</td>' in row.group(1)
    assert checked.strftime("%Y-%m-%dT%H:%M:%S") in row.group(1)
    later = re.search(r"<tr><td><a [^>]*>later</a></td>(.*?)</tr>", page.text)
    assert later, page.text
    assert '<span class="badge">new</span></td><td>0</td><td>never</td>' in later.group(1)
    assert "sekrit-value-42" not in page.text  # a token in the URL's query is hidden
    assert "token=&lt;redacted&gt;" in later.group(1)
    assert "Choose an org and a workspace" in console.get("/console/mcp?org=org_dev").text


def test_the_list_is_paged(served_platform: Any) -> None:
    servers = served_platform.client().mcp_servers
    for i in range(23):
        servers.register(f"server {i:02d}", f"http://127.0.0.1:9/mcp{i}")
    console = served_platform.console()
    first = console.get(f"/console/mcp?{WS}").text
    assert ">server 00</a>" in first
    assert ">server 19</a>" in first
    assert ">server 20</a>" not in first
    second = console.get(next_page(first)).text
    assert ">server 22</a>" in second
    assert ">server 00</a>" not in second
    assert 'rel="next"' not in second


def test_the_detail_shows_the_tools_and_their_schemas(
    served_platform: Any, mcp_server: McpTestServer
) -> None:
    servers = served_platform.client().mcp_servers
    server = servers.register("tools", mcp_server.http_url, description="adds and greets")
    servers.refresh(server.id)
    console = served_platform.console()
    page = console.get(f"/console/mcp?{WS}&id={server.id}").text
    assert f"<h2>MCP server {server.id}</h2>" in page
    assert "adds and greets" in page
    assert "<dt>Server</dt><dd>flow-test-tools 1.2.3</dd>" in page
    assert "<dt>Tools</dt><dd>2</dd>" in page
    tools = re.search(r"<h2>Tools</h2>(.*?)</table>", page, re.S)
    assert tools, page
    rows = re.findall(
        r"<tr><td>(\w+)</td><td>([^<]*)</td><td><pre><code>(.*?)</code>", tools[1], re.S
    )
    assert [(name, text) for name, text, _ in rows] == [
        ("add", "Add two whole numbers."),
        ("greet", "Greet someone by name."),
    ]
    schema = json.loads(html.unescape(rows[0][2]))
    assert schema["required"] == ["a", "b"]
    assert schema["properties"]["a"]["type"] == "integer"
    assert 'id="refresh"' in page
    nope = console.get(f"/console/mcp?{WS}&id=mcp_nope").text
    assert 'id="not-found"' in nope


def test_the_tools_are_paged(served_platform: Any) -> None:
    servers = served_platform.client().mcp_servers
    with serve_asgi(build_paged_server(tools=25, page_size=10).streamable_http_app()) as base:
        server = servers.register("many", f"{base}/mcp")
        servers.refresh(server.id)
    console = served_platform.console()
    first = console.get(f"/console/mcp?{WS}&id={server.id}").text
    names = re.findall(r"<td>(tool_\d+)</td>", first)
    assert names == [f"tool_{n:03d}" for n in range(20)]
    href = next_page(first)
    assert f"id={server.id}" in href
    second = console.get(href).text
    assert re.findall(r"<td>(tool_\d+)</td>", second) == [f"tool_{n:03d}" for n in range(20, 25)]
    assert 'rel="next"' not in second


def test_refresh_from_the_console(served_platform: Any, mcp_server: McpTestServer) -> None:
    servers = served_platform.client().mcp_servers
    server = servers.register("tools", mcp_server.http_url)
    console = served_platform.console()
    page = console.get(f"/console/mcp?{WS}&id={server.id}").text
    assert "No tools stored" in page
    answer = _refresh(console, served_platform.admin_secret, server.id, timeout_s="15")
    assert answer.status_code == 200, answer.text
    assert '<p class="notice" role="status" id="notice">Refreshed tools: 2 tools.</p>' in (
        answer.text
    )
    assert "<td>add</td>" in answer.text  # the page shows the tools it stored
    stored = servers.get(server.id)
    assert (stored.status, stored.tool_count, stored.version) == ("ok", 2, 1)
    assert [tool.name for tool in servers.tools(server.id)] == ["add", "greet"]


def test_a_failed_refresh_is_said_and_stored(served_platform: Any) -> None:
    servers = served_platform.client().mcp_servers
    server = servers.register("gone", closed_port_url())
    console = served_platform.console()
    answer = _refresh(console, served_platform.admin_secret, server.id)
    assert answer.status_code == 422
    error = re.search(r'<p class="error" role="alert" id="error">(.*?)</p>', answer.text)
    assert error, answer.text
    assert error[1].startswith("The refresh failed: could not connect to the MCP server")
    stored = servers.get(server.id)
    assert stored.status == "error"
    assert stored.last_error
    assert "could not connect" in stored.last_error
    assert '<span class="badge bad">error</span>' in answer.text


def test_refresh_needs_the_token_a_known_server_and_a_sound_timeout(
    served_platform: Any, mcp_server: McpTestServer
) -> None:
    servers = served_platform.client().mcp_servers
    server = servers.register("tools", mcp_server.http_url)
    console = served_platform.console()
    url = f"/console/mcp?{WS}&id={server.id}"
    refused = console.post(url, data={"action": "refresh", "id": server.id})
    assert refused.status_code == 403
    forged = console.post(url, data={"action": "refresh", "id": server.id, "csrf": "0" * 64})
    assert forged.status_code == 403
    for timeout, problem in (("soon", "must be a number"), ("0", "above 0"), ("61", "at most")):
        bad = _refresh(console, served_platform.admin_secret, server.id, timeout_s=timeout)
        assert bad.status_code == 422
        assert problem in bad.text
    # the action works in the chosen workspace only
    other = console.post(
        f"/console/mcp?org=org_dev&ws=ws_other&id={server.id}",
        data={
            "csrf": csrf_token(served_platform.admin_secret),
            "action": "refresh",
            "id": server.id,
        },
    )
    assert other.status_code == 422
    assert "No MCP server" in other.text
    unknown = _refresh(console, served_platform.admin_secret, server.id, action="delete")
    assert unknown.status_code == 422
    assert servers.get(server.id).status == "new"  # nothing above refreshed it


def test_what_a_server_says_is_escaped(served_platform: Any) -> None:
    hostile = MCPServer(HOSTILE, version="<i>9</i>")

    def evil(x: int = 0) -> int:
        return x

    hostile.add_tool(evil, name="evil", description=f"{HOSTILE} <img src=x onerror=alert(2)>")
    servers = served_platform.client().mcp_servers
    with serve_asgi(hostile.streamable_http_app()) as base:
        server = servers.register("hostile", f"{base}/mcp")
        servers.refresh(server.id)
    page = served_platform.console().get(f"/console/mcp?{WS}&id={server.id}").text
    assert HOSTILE not in page
    assert "<img" not in page
    assert "<i>9</i>" not in page
    assert f"{html.escape(HOSTILE)} &lt;i&gt;9&lt;/i&gt;" in page
    assert html.escape(f"{HOSTILE} <img src=x onerror=alert(2)>") in page


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
    ).filter(str.strip)
)
def test_names_are_escaped(served_platform: Any, name: str) -> None:
    servers = served_platform.client().mcp_servers
    server = servers.register(f"{HOSTILE}{name}", "http://127.0.0.1:9/mcp", description=name)
    console = served_platform.console()
    for url in (f"/console/mcp?{WS}", f"/console/mcp?{WS}&id={server.id}"):
        page = console.get(url).text
        assert HOSTILE not in page
        assert html.escape(f"{HOSTILE}{name}") in page


def test_a_page_of_ten_thousand_servers_renders_quickly(served_platform: Any) -> None:
    with served_platform.platform.store.transaction() as tx:
        for i in range(10_000):
            tx.insert(
                "mcp-servers",
                "org_dev/ws_dev",
                f"mcp_{i:016x}",
                {"name": f"bulk {i}", "url": "http://127.0.0.1:9/mcp", "transport": "sse"},
            )
    console = served_platform.console()
    console.get(f"/console/mcp?{WS}")  # warm
    started = time.perf_counter()
    page = console.get(f"/console/mcp?{WS}").text
    took = time.perf_counter() - started
    assert ">bulk 0</a>" in page
    assert ">bulk 20</a>" not in page
    assert took < 0.5, took
