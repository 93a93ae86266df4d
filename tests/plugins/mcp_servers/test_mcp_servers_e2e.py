"""client.mcp_servers end to end: a real MCP server on loopback, through the local platform.

Every test using ``mcp_servers`` runs in-process and over the socket.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLIServerError,
    CLIValidationError,
)
from flow_sdk_mcp_servers import McpServer, McpTool, Refresh
from flow_sdk_mcp_servers.local import _probe as probe
from mcp_servers_support import (
    McpTestServer,
    build_paged_server,
    closed_port_url,
    raw_request,
    serve_asgi,
    serve_mcp,
)

ADD_SCHEMA = {
    "type": "object",
    "properties": {
        "a": {"title": "A", "type": "integer"},
        "b": {"title": "B", "type": "integer"},
    },
    "required": ["a", "b"],
    "title": "addArguments",
}


def tool_names(tools: Any) -> list[str]:
    return [tool.name for tool in tools]


class TestRegistration:
    def test_register_get_list_update_delete(self, mcp_servers: Any) -> None:
        server = mcp_servers.register("tools", "http://127.0.0.1:9/mcp")
        assert isinstance(server, McpServer)
        assert server.id.startswith("mcp_")
        assert (server.name, server.transport, server.status, server.tool_count) == (
            "tools",
            "streamable-http",
            "new",
            0,
        )
        assert (server.refreshed_at, server.last_error, server.version) == (None, None, 1)
        assert mcp_servers.get(server.id) == server
        assert [s.id for s in mcp_servers.list()] == [server.id]

        updated = mcp_servers.update(server.id, description="team tools", if_match=1)
        assert (updated.description, updated.version, updated.url) == (
            "team tools",
            2,
            server.url,
        )
        mcp_servers.delete(server.id, if_match=2)
        with pytest.raises(CLINotFoundError, match="not found"):
            mcp_servers.get(server.id)
        assert mcp_servers.list().to_list() == []

    def test_create_takes_a_mapping_and_keywords(self, mcp_servers: Any) -> None:
        server = mcp_servers.create(
            {"name": "a", "url": "http://127.0.0.1:9/sse"}, transport="sse", description="d"
        )
        assert (server.name, server.transport, server.description) == ("a", "sse", "d")

    def test_list_is_lazy_and_filters(self, mcp_servers: Any) -> None:
        made = [
            mcp_servers.register(
                f"s{i % 2}", f"http://127.0.0.1:9/{i}", transport=("sse", "streamable-http")[i % 2]
            ).id
            for i in range(5)
        ]
        assert [len(page.items) for page in mcp_servers.list(page_size=2).pages()] == [2, 2, 1]
        assert [s.id for s in mcp_servers.list(name="s1")] == made[1::2]
        assert [s.id for s in mcp_servers.list(transport="sse")] == made[0::2]
        assert len(mcp_servers.list(limit=3).to_list()) == 3

    def test_a_stale_if_match_is_a_conflict(self, mcp_servers: Any) -> None:
        server = mcp_servers.register("s", "http://127.0.0.1:9/mcp")
        mcp_servers.update(server.id, name="renamed")
        with pytest.raises(CLIConflictError, match="version"):
            mcp_servers.update(server.id, name="x", if_match=server.version)
        with pytest.raises(CLIConflictError):
            mcp_servers.delete(server.id, if_match=server.version)
        assert mcp_servers.get(server.id).name == "renamed"

    @pytest.mark.parametrize(
        ("body", "needle"),
        [
            ({"name": "s", "url": "ftp://127.0.0.1/mcp"}, "http"),
            ({"name": "s", "url": "http:///mcp"}, "host"),
            ({"name": "s", "url": "http://user:pw@127.0.0.1/mcp"}, "user name or password"),
            ({"name": "s", "url": "http://127.0.0.1/mcp#x"}, "fragment"),
            ({"name": "s", "url": "http://127.0.0.1:0/mcp"}, "port 0"),
            ({"name": "s", "url": "http://127.0.0.1:99999/mcp"}, "valid URL"),
            ({"name": "s", "url": "http://127.0.0.1/a b"}, "spaces"),
            ({"name": " ", "url": "http://127.0.0.1/mcp"}, "blank"),
            ({"name": "", "url": "http://127.0.0.1/mcp"}, "name"),
            ({"name": "s", "url": "http://127.0.0.1/mcp", "transport": "stdio"}, "transport"),
            ({"name": "s", "url": "http://127.0.0.1/mcp", "colour": "red"}, "colour"),
            ({"name": "s"}, "url"),
        ],
    )
    def test_a_bad_body_is_422_naming_the_problem(
        self, mcp_servers: Any, body: dict[str, Any], needle: str
    ) -> None:
        with pytest.raises(CLIValidationError, match=needle) as info:
            raw_request(mcp_servers, "POST", mcp_servers._collection(), json=body)
        assert info.value.status_code == 422
        assert mcp_servers.list().to_list() == []

    def test_an_update_is_checked_like_a_create(self, mcp_servers: Any) -> None:
        server = mcp_servers.register("s", "http://127.0.0.1:9/mcp")
        with pytest.raises(CLIValidationError, match="http"):
            mcp_servers.update(server.id, url="file:///etc/passwd")
        with pytest.raises(CLIValidationError, match="transport"):
            raw_request(mcp_servers, "PATCH", mcp_servers._item(server.id), json={"transport": "x"})
        with pytest.raises(CLIValidationError, match="url"):
            raw_request(mcp_servers, "PATCH", mcp_servers._item(server.id), json={"url": None})
        assert mcp_servers.get(server.id) == server

    def test_the_sdk_refuses_an_unknown_transport_before_sending(self, mcp_servers: Any) -> None:
        with pytest.raises(CLIValidationError, match="transport must be one of") as info:
            mcp_servers.register("s", "http://127.0.0.1:9/mcp", transport="websocket")
        assert info.value.status_code is None
        with pytest.raises(ValueError, match="timeout_s"):
            mcp_servers.refresh("mcp_x", timeout_s=0)
        with pytest.raises(ValueError, match="timeout_s"):
            mcp_servers.refresh("mcp_x", timeout_s=61)

    def test_a_missing_server_is_404_for_every_call(self, mcp_servers: Any) -> None:
        for call in (
            lambda: mcp_servers.get("mcp_missing"),
            lambda: mcp_servers.update("mcp_missing", name="x"),
            lambda: mcp_servers.delete("mcp_missing"),
            lambda: mcp_servers.refresh("mcp_missing"),
            lambda: mcp_servers.tools("mcp_missing").to_list(),
        ):
            with pytest.raises(CLINotFoundError):
                call()

    def test_another_tenants_server_is_404(
        self, mcp_servers: Any, mcp_server: McpTestServer, local_platform: Any
    ) -> None:
        server = mcp_servers.register("mine", mcp_server.http_url)
        mcp_servers.refresh(server.id)
        other = local_platform.create_tenant()
        stranger = local_platform.client(
            api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
        ).mcp_servers
        assert stranger.list().to_list() == []
        for call in (
            lambda: stranger.get(server.id),
            lambda: stranger.update(server.id, name="theirs"),
            lambda: stranger.delete(server.id),
            lambda: stranger.refresh(server.id),
            lambda: stranger.tools(server.id).to_list(),
        ):
            with pytest.raises(CLINotFoundError):
                call()
        assert mcp_servers.get(server.id).name == "mine"
        assert len(mcp_servers.tools(server.id).to_list()) == 2


class TestRefresh:
    @pytest.mark.parametrize("transport", ["streamable-http", "sse"])
    def test_refresh_lists_the_tools_of_a_real_mcp_server(
        self, mcp_servers: Any, mcp_server: McpTestServer, transport: str
    ) -> None:
        url = mcp_server.http_url if transport == "streamable-http" else mcp_server.sse_url
        server = mcp_servers.register("test tools", url, transport=transport)

        result = mcp_servers.refresh(server.id)

        assert isinstance(result, Refresh)
        assert tool_names(result.tools) == ["add", "greet"]
        add, greet = result.tools
        assert add == McpTool(
            name="add", description="Add two whole numbers.", input_schema=ADD_SCHEMA
        )
        assert greet.description == "Greet someone by name."
        assert greet.input_schema["properties"]["name"]["default"] == "world"
        stored = result.server
        assert (stored.status, stored.tool_count, stored.last_error) == ("ok", 2, None)
        assert (stored.server_name, stored.server_version) == ("flow-test-tools", "1.2.3")
        assert stored.protocol_version
        assert stored.refreshed_at is not None
        assert stored.refreshed_at == stored.checked_at
        assert stored.version == server.version  # a refresh is not a change of the registration
        assert mcp_servers.get(server.id) == stored
        assert mcp_servers.tools(server.id).to_list() == result.tools

    def test_tools_are_paged_lazily(self, mcp_servers: Any, mcp_server: McpTestServer) -> None:
        server = mcp_servers.register("s", mcp_server.http_url)
        assert mcp_servers.tools(server.id).to_list() == []  # nothing before a refresh
        mcp_servers.refresh(server.id)
        tools = mcp_servers.tools(server.id, page_size=1)
        assert [tool_names(page.items) for page in tools.pages()] == [["add"], ["greet"]]
        assert tool_names(mcp_servers.tools(server.id, limit=1)) == ["add"]
        with pytest.raises(ValueError, match="page_size"):
            mcp_servers.tools(server.id, page_size=0)

    def test_a_second_refresh_replaces_the_tools(self, mcp_servers: Any) -> None:
        with serve_mcp() as running:
            server = mcp_servers.register("s", running.http_url)
            assert tool_names(mcp_servers.refresh(server.id).tools) == ["add", "greet"]

            @running.server.tool()
            def shout(text: str) -> str:
                """Say it louder."""
                return text.upper()

            running.server.remove_tool("add")
            assert tool_names(mcp_servers.refresh(server.id).tools) == ["greet", "shout"]
        assert tool_names(mcp_servers.tools(server.id)) == ["greet", "shout"]
        assert mcp_servers.get(server.id).tool_count == 2

    def test_a_failed_refresh_is_recorded_and_keeps_the_last_tools(self, mcp_servers: Any) -> None:
        with serve_mcp() as running:
            server = mcp_servers.register("s", running.http_url)
            good = mcp_servers.refresh(server.id).server
        # the server is gone now
        with pytest.raises(CLIServerError, match="could not connect"):
            mcp_servers.refresh(server.id, timeout_s=5)
        after = mcp_servers.get(server.id)
        assert after.status == "error"
        assert "could not connect" in (after.last_error or "")
        assert after.tool_count == 2
        assert after.refreshed_at == good.refreshed_at
        assert after.checked_at is not None
        assert good.checked_at is not None
        assert after.checked_at >= good.checked_at
        assert (after.server_name, after.version) == ("flow-test-tools", server.version)
        assert tool_names(mcp_servers.tools(server.id)) == ["add", "greet"]

    def test_changing_the_url_forgets_the_tools_and_renaming_does_not(
        self, mcp_servers: Any, mcp_server: McpTestServer
    ) -> None:
        server = mcp_servers.register("s", mcp_server.http_url)
        mcp_servers.refresh(server.id)
        renamed = mcp_servers.update(server.id, name="renamed")
        assert (renamed.status, renamed.tool_count) == ("ok", 2)
        moved = mcp_servers.update(server.id, url=mcp_server.sse_url, transport="sse")
        assert (moved.status, moved.tool_count, moved.refreshed_at) == ("new", 0, None)
        assert mcp_servers.tools(server.id).to_list() == []
        assert moved.server_name is None

    def test_deleting_a_server_deletes_its_tools(
        self, mcp_servers: Any, mcp_server: McpTestServer, local_platform: Any
    ) -> None:
        server = mcp_servers.register("s", mcp_server.http_url)
        mcp_servers.refresh(server.id)
        mcp_servers.delete(server.id)
        with local_platform.store.transaction(write=False) as tx:
            left = [
                tx.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE server_id = ?", (server.id,)
                ).fetchone()[0]
                for table in ("mcp_server_tools", "mcp_server_state")
            ]
        assert left == [0, 0]


class TestRefreshFailures:
    def test_an_unreachable_url_is_a_502_saying_so(self, mcp_servers: Any) -> None:
        url = closed_port_url()
        server = mcp_servers.register("down", url)
        with pytest.raises(CLIServerError) as info:
            mcp_servers.refresh(server.id)
        error = info.value
        assert (error.status_code, error.code) == (502, "mcp_server_unreachable")
        assert f"could not connect to the MCP server at {url}" in error.message
        assert "check that it is running" in error.message
        assert mcp_servers.get(server.id).status == "error"

    def test_a_web_page_is_not_an_mcp_server(self, mcp_servers: Any, web_page_url: str) -> None:
        server = mcp_servers.register("web", web_page_url)
        with pytest.raises(CLIValidationError) as info:
            mcp_servers.refresh(server.id)
        error = info.value
        assert (error.status_code, error.code) == (422, "not_an_mcp_server")
        assert f"{web_page_url} did not answer as an MCP server over streamable-http" in (
            error.message
        )
        assert "/mcp" in error.message

    def test_the_wrong_transport_is_named(
        self, mcp_servers: Any, mcp_server: McpTestServer
    ) -> None:
        server = mcp_servers.register("s", mcp_server.http_url, transport="sse")
        with pytest.raises(CLIValidationError, match="did not answer as an MCP server over sse"):
            mcp_servers.refresh(server.id, timeout_s=5)

    def test_a_silent_server_times_out_once_and_does_not_hang(
        self, mcp_servers: Any, silent_url: str
    ) -> None:
        server = mcp_servers.register("silent", silent_url)
        started = time.monotonic()
        with pytest.raises(CLIServerError) as info:
            mcp_servers.refresh(server.id, timeout_s=1)
        elapsed = time.monotonic() - started
        assert (info.value.status_code, info.value.code) == (504, "mcp_server_timeout")
        assert "did not answer within 1s" in info.value.message
        assert 1 <= elapsed < 2.5  # one attempt: three (the SDK's retries of a 504) take 3 s

    def test_the_refresh_timeout_is_checked_by_the_platform(self, mcp_servers: Any) -> None:
        server = mcp_servers.register("s", "http://127.0.0.1:9/mcp")
        for body in ({"timeout_s": 0}, {"timeout_s": 61}, {"timeout_s": "x"}, {"wait": 1}):
            with pytest.raises(CLIValidationError) as info:
                raw_request(mcp_servers, "POST", mcp_servers._item(server.id, "refresh"), json=body)
            assert info.value.status_code == 422
        assert mcp_servers.get(server.id).status == "new"

    def test_no_secret_in_the_url_reaches_the_error(self, mcp_servers: Any) -> None:
        url = closed_port_url() + "?token=s3cr3t-value"
        server = mcp_servers.register("keyed", url)
        with pytest.raises(CLIClientError) as info:
            mcp_servers.refresh(server.id)
        assert "s3cr3t-value" not in str(info.value)
        stored = mcp_servers.get(server.id)
        assert "s3cr3t-value" not in (stored.last_error or "")
        assert stored.url == url  # the caller's own data comes back as sent
        assert "s3cr3t-value" not in repr(stored)
        assert server.id in repr(stored)


class TestPagedListings:
    def test_every_page_of_tools_list_is_read(self, mcp_servers: Any) -> None:
        with serve_asgi(build_paged_server(tools=7, page_size=2).streamable_http_app()) as base:
            server = mcp_servers.register("paged", f"{base}/mcp")
            result = mcp_servers.refresh(server.id)
        assert tool_names(result.tools) == [f"tool_{n:03d}" for n in range(7)]
        assert result.tools[3].description == "tool number 3"
        assert result.server.tool_count == 7

    def test_a_cursor_that_never_ends_stops_after_max_pages(
        self, mcp_servers: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert probe.MAX_PAGES == 50
        monkeypatch.setattr(probe, "MAX_PAGES", 6)  # the same loop, fewer round trips
        paged = build_paged_server(tools=3, page_size=1, endless=True)
        with serve_asgi(paged.streamable_http_app()) as base:
            server = mcp_servers.register("endless", f"{base}/mcp")
            result = mcp_servers.refresh(server.id)
        assert tool_names(result.tools) == ["tool_000", "tool_001", "tool_002"] * 2
        assert result.server.status == "ok"


def test_a_refresh_works_from_inside_an_event_loop(
    flow_client_inprocess: Any, mcp_server: McpTestServer
) -> None:
    """In-process, the route runs in the caller's thread: here one with a running loop."""
    import asyncio

    servers = flow_client_inprocess.mcp_servers
    server = servers.register("s", mcp_server.http_url)

    async def caller() -> Refresh:
        return servers.refresh(server.id)  # type: ignore[no-any-return]

    assert tool_names(asyncio.run(caller()).tools) == ["add", "greet"]
