"""Fixtures for flow-sdk-mcp-servers: a real MCP server on loopback, impostors, ``flow`` runs."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flow_sdk.cli import CLISettings, main

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


@dataclass
class FlowRun:
    """One ``flow`` run: exit code and both streams."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def run_flow(local_platform: Any, flow_config_dir: Path) -> Callable[..., FlowRun]:
    """``run_flow(*argv, stdin="")``: ``flow`` in-process, signed in to the local platform."""

    def run(*argv: str, stdin: str = "") -> FlowRun:
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(
            config_dir=flow_config_dir,
            environ={
                "FLOW_PLATFORM_URL": local_platform.url,
                "FLOW_API_KEY": local_platform.api_key,
                "FLOW_ORG_ID": local_platform.org_id,
                "FLOW_WORKSPACE_ID": local_platform.workspace_id,
            },
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
        )
        code = main(list(argv), settings=settings)
        return FlowRun(code, out.getvalue(), err.getvalue())

    return run
