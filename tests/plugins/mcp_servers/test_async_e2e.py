"""client.mcp_servers on AsyncCLIClient: the same namespace code, awaited, against the real
MCP test server, in-process and over the socket."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from flow_sdk import (
    CLIConflictError,
    CLINotFoundError,
    CLIServerError,
    CLIValidationError,
)
from flow_sdk_mcp_servers import McpServer, McpTool, Refresh
from mcp_servers_support import McpTestServer, closed_port_url, raw_request

pytestmark = pytest.mark.anyio


def names(tools: Any) -> list[str]:
    return [tool.name for tool in tools]


async def test_registration_crud_async(async_flow_client: Any) -> None:
    servers = async_flow_client.mcp_servers
    server = await servers.register("tools", "http://127.0.0.1:9/mcp")
    assert isinstance(server, McpServer)
    assert (server.name, server.transport, server.status, server.version) == (
        "tools",
        "streamable-http",
        "new",
        1,
    )
    assert await servers.get(server.id) == server
    sse = await servers.create(
        {"name": "other", "url": "http://127.0.0.1:9/sse"}, transport="sse", description="d"
    )
    assert (sse.transport, sse.description) == ("sse", "d")
    assert [s.id async for s in servers.list()] == [server.id, sse.id]
    assert [s.id async for s in servers.list(page_size=1)] == [server.id, sse.id]
    assert [s.id async for s in servers.list(name="other")] == [sse.id]
    assert [s.id async for s in servers.list(transport="streamable-http")] == [server.id]
    assert [s.id for s in await servers.list(limit=1).to_list()] == [server.id]
    updated = await servers.update(server.id, description="team tools", if_match=1)
    assert (updated.description, updated.version, updated.url) == ("team tools", 2, server.url)
    await servers.delete(server.id, if_match=2)
    with pytest.raises(CLINotFoundError, match="not found"):
        await servers.get(server.id)
    await servers.delete(sse.id)
    assert await servers.list().first() is None


async def test_errors_async(async_flow_client: Any) -> None:
    servers = async_flow_client.mcp_servers
    for call in (
        lambda: servers.get("mcp_missing"),
        lambda: servers.update("mcp_missing", name="x"),
        lambda: servers.delete("mcp_missing"),
        lambda: servers.refresh("mcp_missing"),
        lambda: servers.tools("mcp_missing").to_list(),
    ):
        with pytest.raises(CLINotFoundError):
            await call()
    server = await servers.register("s", "http://127.0.0.1:9/mcp")
    await servers.update(server.id, name="renamed")
    with pytest.raises(CLIConflictError, match="version"):
        await servers.update(server.id, name="x", if_match=server.version)
    with pytest.raises(CLIConflictError):
        await servers.delete(server.id, if_match=server.version)
    with pytest.raises(CLIValidationError, match="http") as info:
        await servers.register("bad", "ftp://127.0.0.1/mcp")
    assert info.value.status_code == 422
    with pytest.raises(CLIValidationError, match="http"):
        await servers.update(server.id, url="file:///etc/passwd")
    with pytest.raises(CLIValidationError, match="transport"):
        await raw_request(servers, "PATCH", servers._item(server.id), json={"transport": "x"})
    refresh_url = servers._item(server.id, "refresh")
    with pytest.raises(CLIValidationError) as refused:  # what the SDK itself would not send
        await raw_request(servers, "POST", refresh_url, json={"timeout_s": 61})
    assert refused.value.status_code == 422
    with pytest.raises(CLIValidationError, match="transport must be one of") as local:
        await servers.register("s", "http://127.0.0.1:9/mcp", transport="websocket")
    assert local.value.status_code is None
    with pytest.raises(ValueError, match="timeout_s"):
        await servers.refresh(server.id, timeout_s=61)
    with pytest.raises(ValueError, match="page_size"):
        servers.tools(server.id, page_size=0)
    assert (await servers.get(server.id)).name == "renamed"


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_refresh_lists_the_tools_of_a_real_mcp_server(
    async_flow_client: Any, mcp_server: McpTestServer, transport: str
) -> None:
    servers = async_flow_client.mcp_servers
    url = mcp_server.http_url if transport == "streamable-http" else mcp_server.sse_url
    server = await servers.register("test tools", url, transport=transport)
    assert await servers.tools(server.id).to_list() == []  # nothing before a refresh

    result = await servers.refresh(server.id, timeout_s=10)

    assert isinstance(result, Refresh)
    assert names(result.tools) == ["add", "greet"]
    add = result.tools[0]
    assert isinstance(add, McpTool)
    assert (add.name, add.description) == ("add", "Add two whole numbers.")
    assert add.input_schema["required"] == ["a", "b"]
    stored = result.server
    assert (stored.status, stored.tool_count, stored.last_error) == ("ok", 2, None)
    assert (stored.server_name, stored.server_version) == ("flow-test-tools", "1.2.3")
    assert stored.version == server.version
    assert await servers.get(server.id) == stored
    assert [tool async for tool in servers.tools(server.id)] == result.tools
    pages = [names(page.items) async for page in servers.tools(server.id, page_size=1).pages()]
    assert pages == [["add"], ["greet"]]
    assert names(await servers.tools(server.id, limit=1).to_list()) == ["add"]


async def test_refresh_failures_are_raised_and_recorded(
    async_flow_client: Any, web_page_url: str
) -> None:
    servers = async_flow_client.mcp_servers
    url = closed_port_url()
    down = await servers.register("down", url)
    with pytest.raises(CLIServerError) as info:
        await servers.refresh(down.id)
    assert (info.value.status_code, info.value.code) == (502, "mcp_server_unreachable")
    assert f"could not connect to the MCP server at {url}" in info.value.message
    assert (await servers.get(down.id)).status == "error"
    web = await servers.register("web", web_page_url)
    with pytest.raises(CLIValidationError) as not_mcp:
        await servers.refresh(web.id)
    assert (not_mcp.value.status_code, not_mcp.value.code) == (422, "not_an_mcp_server")


async def test_a_silent_server_times_out_once_without_blocking_other_calls(
    async_flow_client: Any, mcp_server: McpTestServer, silent_url: str
) -> None:
    servers = async_flow_client.mcp_servers
    silent = await servers.register("silent", silent_url)
    good = await servers.register("good", mcp_server.http_url)

    async def refresh_silent() -> float:
        started = time.monotonic()
        with pytest.raises(CLIServerError) as info:
            await servers.refresh(silent.id, timeout_s=1)
        assert (info.value.status_code, info.value.code) == (504, "mcp_server_timeout")
        assert "did not answer within 1s" in info.value.message
        assert good_done.is_set()  # the good refresh finished while this one waited
        return time.monotonic() - started

    async def refresh_good() -> list[str]:
        result = await servers.refresh(good.id)
        good_done.set()
        return names(result.tools)

    good_done = asyncio.Event()
    silent_took, tools = await asyncio.gather(refresh_silent(), refresh_good())
    assert tools == ["add", "greet"]
    assert 1 <= silent_took < 2.5  # sent once: three attempts would take 3 s
    assert (await servers.get(silent.id)).status == "error"
