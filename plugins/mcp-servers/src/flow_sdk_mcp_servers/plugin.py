"""Hooks of flow-sdk-mcp-servers: the ``mcp_servers`` namespace, its CLI commands and local routes.

Light on purpose: the namespace, CLI and route code (and the ``mcp`` package
the local platform's refresh uses) are imported only when used.
"""

from __future__ import annotations

from typing import Any

from flow_sdk import NamespaceSpec, hookimpl

__all__ = [
    "flow_sdk_cli_commands",
    "flow_sdk_local_console_panels",
    "flow_sdk_local_routes",
    "flow_sdk_namespaces",
]


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.mcp_servers``."""
    return [
        NamespaceSpec(
            "mcp_servers",
            "flow_sdk_mcp_servers._namespace:McpServersNamespace",
            summary="MCP servers: register them, refresh and list the tools they expose",
        )
    ]


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow mcp-servers list|get|create|update|delete|register|refresh|tools``."""
    commands.add_group(
        "mcp-servers",
        "MCP servers and the tools they expose (register, refresh, tools)",
        "flow_sdk_mcp_servers.cli:register",
    )


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """The MCP server routes of the local platform (flow-sdk-local)."""
    from .local._routes import install

    install(app)


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """An "MCP servers" panel in the local console: servers, their tools, and a refresh."""
    from .local._console import install

    install(console)
