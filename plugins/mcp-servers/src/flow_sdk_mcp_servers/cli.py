"""``flow mcp-servers …``: imported only when that group runs.

``list|get|create|update|delete`` come from the core's generic resource
commands; ``register``, ``refresh`` and ``tools`` are this plugin's verbs.
"""

from __future__ import annotations

import argparse

from flow_sdk.cli import CommandContext, add_command, add_resource_commands, limited, positive_int

from ._models import DEFAULT_REFRESH_TIMEOUT_S, MAX_REFRESH_TIMEOUT_S, TRANSPORTS

__all__ = ["register"]

SERVER_COLUMNS = ("id", "name", "transport", "url", "status", "tool_count", "refreshed_at")
TOOL_COLUMNS = ("name", "description")
DEFAULT_TOOLS_SHOWN = 100


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= MAX_REFRESH_TIMEOUT_S:
        raise argparse.ArgumentTypeError(
            f"expected more than 0 and at most {MAX_REFRESH_TIMEOUT_S:g} seconds, got {text}"
        )
    return value


def register(parser: argparse.ArgumentParser) -> None:
    """Add the MCP server verbs to ``flow mcp-servers``."""
    add_resource_commands(
        parser,
        namespace="mcp_servers",
        columns=SERVER_COLUMNS,
        noun="MCP server",
        list_filters=("name", "transport"),
    )
    reg = add_command(
        parser,
        "register",
        run_register,
        help="register an MCP server by name and URL",
        description="Register an MCP server (create with positional arguments), then "
        "`flow mcp-servers refresh ID` lists its tools.",
    )
    reg.add_argument("name", metavar="NAME")
    reg.add_argument("url", metavar="URL", help="e.g. http://127.0.0.1:8000/mcp")
    reg.add_argument(
        "--transport",
        choices=TRANSPORTS,
        default="streamable-http",
        help="how the server speaks MCP (default streamable-http)",
    )
    reg.add_argument("--description", default=None)
    reg.add_argument("--refresh", action="store_true", help="refresh it at once")

    refresh = add_command(
        parser,
        "refresh",
        run_refresh,
        help="connect to the server with MCP and store the tools it lists",
        description="The platform connects to the server and lists its tools; a server "
        "that cannot be reached, does not answer in time or is not an MCP server is an "
        "error saying which.",
    )
    refresh.add_argument("id", metavar="ID")
    refresh.add_argument(
        "--timeout",
        type=_timeout,
        default=DEFAULT_REFRESH_TIMEOUT_S,
        metavar="SECONDS",
        help=f"give the server this long in all (default {DEFAULT_REFRESH_TIMEOUT_S:g}, "
        f"at most {MAX_REFRESH_TIMEOUT_S:g})",
    )

    tools = add_command(
        parser, "tools", run_tools, help="the tools the server listed at its last refresh"
    )
    tools.add_argument("id", metavar="ID")
    tools.add_argument(
        "--limit",
        type=positive_int,
        default=DEFAULT_TOOLS_SHOWN,
        help=f"show at most this many (default {DEFAULT_TOOLS_SHOWN})",
    )
    tools.add_argument("--all", action="store_true", help="show every tool")


def run_register(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow mcp-servers register NAME URL [--refresh]``."""
    servers = ctx.namespace("mcp_servers")
    server = servers.register(
        args.name, args.url, transport=args.transport, description=args.description
    )
    if args.refresh:
        _refresh(ctx, server.id, DEFAULT_REFRESH_TIMEOUT_S)
        return
    ctx.output.emit(server)
    ctx.output.message(f"registered; list its tools with: flow mcp-servers refresh {server.id}")


def run_refresh(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow mcp-servers refresh ID``."""
    _refresh(ctx, args.id, args.timeout)


def _refresh(ctx: CommandContext, server_id: str, timeout_s: float) -> None:
    if ctx.progress.tty:  # a state for a person at a terminal; a pipe gets only the result
        ctx.progress(f"connecting to MCP server {server_id} (up to {timeout_s:g}s)")
    result = ctx.namespace("mcp_servers").refresh(server_id, timeout_s=timeout_s)
    ctx.progress.done()
    ctx.output.message(f"{len(result.tools)} tool(s) from {result.server.name}")
    if ctx.output.json:
        ctx.output.print_json(result)
    else:
        ctx.output.emit(result.tools, columns=TOOL_COLUMNS, empty="the server lists no tools")


def run_tools(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow mcp-servers tools ID``: with ``--jsonl``, each page as it arrives."""
    limit = None if args.all else args.limit
    found = ctx.namespace("mcp_servers").tools(args.id, limit=None if limit is None else limit + 1)
    shown, more = limited(found, limit)
    ctx.output.stream(
        shown,
        columns=TOOL_COLUMNS,
        empty="no tools stored; run `flow mcp-servers refresh ID` first",
        what="tools",
    )
    if more[0]:
        ctx.output.message(f"showing the first {limit} tools; pass --limit N or --all to see more")
