"""``flow mcp-servers …`` through the CLI's main(): the local platform, a real MCP server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from mcp_servers_support import McpTestServer, closed_port_url


def test_register_refresh_tools_and_the_resource_verbs(
    flow_cli: Callable[..., Any], mcp_server: McpTestServer
) -> None:
    registered = flow_cli("mcp-servers", "register", "team", mcp_server.http_url)
    assert registered.code == 0, registered.err
    server = registered.json()
    assert (server["name"], server["status"]) == ("team", "new")
    assert f"flow mcp-servers refresh {server['id']}" in registered.err

    refreshed = flow_cli("mcp-servers", "refresh", server["id"])
    assert refreshed.code == 0, refreshed.err
    body = refreshed.json()
    assert [t["name"] for t in body["tools"]] == ["add", "greet"]
    assert body["server"]["tool_count"] == 2
    assert refreshed.err == "2 tool(s) from team\n"  # "connecting…" is for terminals only

    tools = flow_cli("mcp-servers", "tools", server["id"])
    assert [t["name"] for t in tools.json()] == ["add", "greet"]
    assert tools.json()[0]["input_schema"]["required"] == ["a", "b"]
    one = flow_cli("mcp-servers", "tools", server["id"], "--limit", "1")
    assert [t["name"] for t in one.json()] == ["add"]
    assert "pass --limit N or --all" in one.err
    assert len(flow_cli("mcp-servers", "tools", server["id"], "--all").json()) == 2
    lines = flow_cli("mcp-servers", "tools", server["id"], "--jsonl", "--limit", "1")
    assert [json.loads(line)["name"] for line in lines.out.splitlines()] == ["add"]
    assert "pass --limit N or --all" in lines.err

    listed = flow_cli("mcp-servers", "list")
    assert [(s["id"], s["tool_count"]) for s in listed.json()] == [(server["id"], 2)]
    assert flow_cli("mcp-servers", "get", server["id"]).json()["status"] == "ok"
    updated = flow_cli(
        "mcp-servers", "update", server["id"], "--set", "name=renamed", "--if-match", "1"
    )
    assert (updated.code, updated.json()["version"]) == (0, 2)
    stale = flow_cli("mcp-servers", "update", server["id"], "--set", "name=x", "--if-match", "1")
    assert stale.code == 1
    assert "version" in stale.err
    assert flow_cli("mcp-servers", "delete", server["id"], "--yes").code == 0
    assert flow_cli("mcp-servers", "get", server["id"]).code == 1


def test_create_from_a_file_and_register_with_refresh(
    flow_cli: Callable[..., Any], mcp_server: McpTestServer
) -> None:
    body = f'{{"name": "sse one", "url": "{mcp_server.sse_url}", "transport": "sse"}}'
    created = flow_cli("mcp-servers", "create", "--file", "-", stdin=body)
    assert created.code == 0, created.err
    assert created.json()["transport"] == "sse"
    assert [s["id"] for s in flow_cli("mcp-servers", "list", "--transport", "sse").json()] == [
        created.json()["id"]
    ]

    at_once = flow_cli(
        "mcp-servers", "register", "now", mcp_server.sse_url, "--transport", "sse", "--refresh"
    )
    assert at_once.code == 0, at_once.err
    assert [t["name"] for t in at_once.json()["tools"]] == ["add", "greet"]


def test_a_refresh_that_fails_says_why_and_exits_1(flow_cli: Callable[..., Any]) -> None:
    server = flow_cli("mcp-servers", "register", "down", closed_port_url()).json()
    result = flow_cli("mcp-servers", "refresh", server["id"], "--timeout", "5")
    assert result.code == 1
    assert "could not connect to the MCP server" in result.err
    assert result.out == ""


def test_bad_arguments_are_usage_errors(flow_cli: Callable[..., Any]) -> None:
    assert flow_cli("mcp-servers", "refresh", "mcp_x", "--timeout", "0").code == 2
    assert flow_cli("mcp-servers", "refresh", "mcp_x", "--timeout", "soon").code == 2
    assert flow_cli("mcp-servers", "register", "n", "http://h/mcp", "--transport", "ws").code == 2
    refused = flow_cli("mcp-servers", "register", "n", "ftp://h/mcp")
    assert refused.code == 1
    assert "http:// or https://" in refused.err


def test_tools_before_a_refresh_says_what_to_run(flow_cli: Callable[..., Any]) -> None:
    server = flow_cli("mcp-servers", "register", "s", "http://127.0.0.1:9/mcp").json()
    result = flow_cli("mcp-servers", "tools", server["id"], "--json")
    assert (result.code, result.json()) == (0, [])


def test_the_help_lists_the_verbs(
    flow_cli: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    result = flow_cli("mcp-servers", "--help")
    shown = result.out + capsys.readouterr().out  # argparse may print help to sys.stdout
    assert result.code == 0
    for verb in ("list", "get", "create", "update", "delete", "register", "refresh", "tools"):
        assert f"    {verb} " in shown
