"""Real servers on 127.0.0.1 for the MCP tests, and impostors.

Imported by name: conftest puts this folder on sys.path. The MCP server is
built with the official MCP Python SDK (``mcp``, the ``local`` extra of
flow-sdk-mcp-servers) and served by uvicorn in a thread, over streamable HTTP
(``/mcp``) and SSE (``/sse``).
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from flow_sdk.plugin import send
from mcp.server.mcpserver import MCPServer

__all__ = [
    "McpTestServer",
    "closed_port_url",
    "raw_request",
    "serve_asgi",
    "serve_mcp",
    "serve_silent",
    "serve_web_page",
]


def build_server() -> MCPServer:
    """An MCP server with two tools: ``add`` and ``greet``."""
    server: MCPServer = MCPServer("flow-test-tools", version="1.2.3")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two whole numbers."""
        return a + b

    @server.tool(description="Greet someone by name.")
    def greet(name: str = "world") -> str:
        return f"hello {name}"

    return server


@contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve an ASGI app on a free loopback port; yields ``http://127.0.0.1:PORT``."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the test server stopped while starting"
        assert time.monotonic() < deadline, "the test server did not start in 10 s"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class McpTestServer:
    """A running MCP server: ``http_url`` (streamable HTTP), ``sse_url``, and the server."""

    server: MCPServer
    http_url: str
    sse_url: str


@contextmanager
def serve_mcp() -> Iterator[McpTestServer]:
    """The MCP test server over streamable HTTP and over SSE, on two loopback ports."""
    server = build_server()
    with (
        serve_asgi(server.streamable_http_app()) as http_base,
        serve_asgi(server.sse_app()) as sse_base,
    ):
        yield McpTestServer(server, f"{http_base}/mcp", f"{sse_base}/sse")


@contextmanager
def serve_web_page() -> Iterator[str]:
    """A plain web server (not MCP): every request gets a small HTML page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _page(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = b"<html><body>just a web page</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = _page

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/mcp"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_silent() -> Iterator[str]:
    """A port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
    finally:
        sock.close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mcp"


def raw_request(namespace: Any, method: str, url: str, **kwargs: Any) -> Any:
    """Send what the namespace's own methods would not (a bad body) through its client.

    Plain JSON back, or the error a method would raise (a coroutine of that on
    an ``AsyncCLIClient``): the tests' stand-in for the ``_request`` namespaces had.
    """
    return namespace._runner.run(send(method, url, **kwargs))


def build_paged_server(tools: int, page_size: int, *, endless: bool = False) -> MCPServer:
    """An MCP server listing ``tools`` tools ``page_size`` at a time (``tools/list`` cursors).

    With ``endless=True`` every page has a next cursor, as a broken server's would.
    """
    from mcp_types import ListToolsResult

    class PagedServer(MCPServer):
        async def _handle_list_tools(self, ctx: Any, params: Any) -> ListToolsResult:
            listed = await self.list_tools()
            start = int(params.cursor) if params is not None and params.cursor else 0
            page = listed[start % len(listed) :][:page_size]
            more = endless or start + page_size < len(listed)
            return ListToolsResult(tools=page, next_cursor=str(start + page_size) if more else None)

    server: PagedServer = PagedServer("paged")
    for number in range(tools):

        def tool(x: int = number) -> int:
            return x

        server.add_tool(tool, name=f"tool_{number:03d}", description=f"tool number {number}")
    return server
