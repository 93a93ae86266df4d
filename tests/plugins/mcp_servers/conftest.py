"""Fixtures for flow-sdk-mcp-servers: a real MCP server on loopback and impostors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mcp_servers_support import (
    McpTestServer,
    serve_mcp,
    serve_silent,
    serve_web_page,
)


@pytest.fixture(scope="session")
def mcp_server() -> Iterator[McpTestServer]:
    """The MCP test server (tools ``add`` and ``greet``), started once per session."""
    with serve_mcp() as running:
        yield running


@pytest.fixture(scope="session")
def web_page_url() -> Iterator[str]:
    """A URL served by a plain web server that does not speak MCP."""
    with serve_web_page() as url:
        yield url


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A URL whose server accepts connections and never answers."""
    with serve_silent() as url:
        yield url


@pytest.fixture
def mcp_servers(flow_client: Any) -> Any:
    """``client.mcp_servers`` on a fresh local platform, in-process and over the socket."""
    return flow_client.mcp_servers
