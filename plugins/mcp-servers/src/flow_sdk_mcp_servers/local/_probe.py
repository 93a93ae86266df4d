"""Connect to an MCP server, list its tools, and say clearly why when that fails.

Uses the official MCP Python SDK (``mcp``, the ``local`` extra), imported only
when a refresh runs. The client is asynchronous; the platform's handlers are
not, and may run in a thread that already has an event loop, so each probe
runs its own loop in a fresh thread. The whole probe (connect, handshake,
every page of ``tools/list``) is bounded by one timeout, so an unreachable or
silent server never hangs a refresh.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

__all__ = ["MAX_PAGES", "MAX_TOOLS", "ProbeError", "ProbeResult", "describe_url", "list_tools"]

MAX_PAGES = 50
"""Pages of ``tools/list`` read at most: a server whose cursor never ends cannot hang a refresh."""
MAX_TOOLS = 1000
"""Tools stored at most for one server."""
_JOIN_GRACE_S = 2.0

Failure = Literal["unreachable", "timeout", "protocol", "missing_client"]


@dataclass(frozen=True)
class ProbeResult:
    """What the server said: its tools (plain JSON values) and who it is."""

    tools: list[dict[str, Any]]
    server_name: str | None = None
    server_version: str | None = None
    protocol_version: str | None = None


class ProbeError(Exception):
    """A refresh that failed: ``kind`` says how, ``message`` says what to do next."""

    def __init__(self, kind: Failure, message: str) -> None:
        super().__init__(message)
        self.kind: Failure = kind
        self.message = message


def describe_url(url: str) -> str:
    """The URL without user info, query or fragment, so no secret reaches a message."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "the server's URL"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def list_tools(url: str, transport: str, timeout_s: float) -> ProbeResult:
    """Every tool the MCP server at ``url`` lists; ``ProbeError`` when it cannot be had."""
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise ProbeError(
            "missing_client",
            "refreshing an MCP server on the local platform needs the MCP Python SDK; "
            "install it with: pip install 'flow-sdk-mcp-servers[local]'",
        ) from None
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = asyncio.run(_probe(url, transport, timeout_s))
        except BaseException as exc:  # reported to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="flow-mcp-refresh", daemon=True)
    worker.start()
    worker.join(timeout_s + _JOIN_GRACE_S)
    if worker.is_alive() or ("error" not in outcome and "result" not in outcome):
        raise _timeout(url, timeout_s)
    if "error" in outcome:
        raise _classify(outcome["error"], url, transport, timeout_s) from None
    result: ProbeResult = outcome["result"]
    return result


async def _probe(url: str, transport: str, timeout_s: float) -> ProbeResult:
    import anyio
    from mcp import Client

    with anyio.fail_after(timeout_s):
        async with Client(_transport(url, transport, timeout_s), mode="auto") as client:
            tools: list[dict[str, Any]] = []
            cursor: str | None = None
            for _ in range(MAX_PAGES):
                page = await client.list_tools(cursor=cursor)
                tools.extend(_tool(tool) for tool in page.tools)
                cursor = page.next_cursor
                if not cursor or len(tools) >= MAX_TOOLS:
                    break
            info = client.server_info
            return ProbeResult(
                tools=tools[:MAX_TOOLS],
                server_name=getattr(info, "name", None),
                server_version=getattr(info, "version", None) or None,
                protocol_version=client.protocol_version,
            )


def _transport(url: str, transport: str, timeout_s: float) -> Any:
    if transport == "sse":
        from mcp.client.sse import sse_client

        return sse_client(url, timeout=timeout_s, sse_read_timeout=timeout_s)
    from mcp.client.streamable_http import streamable_http_client

    return streamable_http_client(url)


def _tool(tool: Any) -> dict[str, Any]:
    schema = getattr(tool, "input_schema", None)
    return {
        "name": str(tool.name),
        "description": str(getattr(tool, "description", None) or ""),
        "input_schema": dict(schema) if isinstance(schema, dict) else {},
    }


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    """The exceptions inside (nested) exception groups, which anyio task groups raise."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def _timeout(url: str, timeout_s: float) -> ProbeError:
    return ProbeError(
        "timeout",
        f"the MCP server at {describe_url(url)} did not answer within {timeout_s:g}s; "
        "check that it is running and responsive, or refresh with a longer timeout",
    )


def _classify(exc: BaseException, url: str, transport: str, timeout_s: float) -> ProbeError:
    import httpx2

    leaves = list(_leaves(exc))
    if any(isinstance(e, TimeoutError | httpx2.TimeoutException) for e in leaves):
        return _timeout(url, timeout_s)
    connect = next((e for e in leaves if isinstance(e, httpx2.ConnectError | OSError)), None)
    if connect is not None:
        return ProbeError(
            "unreachable",
            f"could not connect to the MCP server at {describe_url(url)} "
            f"({_reason(connect, url)}); check that it is running and that the URL is right",
        )
    first = leaves[0] if leaves else exc
    paths = "/mcp" if transport == "streamable-http" else "/sse"
    return ProbeError(
        "protocol",
        f"{describe_url(url)} did not answer as an MCP server over {transport} "
        f"({_reason(first, url)}); check the URL's path (usually {paths} for {transport}) "
        "and the transport",
    )


def _reason(exc: BaseException, url: str) -> str:
    """The exception's message on one line, naming the URL without its query or user info."""
    text = " ".join(str(exc).replace(url, describe_url(url)).split())
    name = type(exc).__name__
    if not text:
        return name
    return text if len(text) <= 300 else text[:297] + "..."
