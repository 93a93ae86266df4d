"""flow-sdk-mcp-servers: ``client.mcp_servers`` for the Flow SDK.

Register MCP (Model Context Protocol) servers, have the platform connect to
them and list their tools. The public names load on first use, so importing
the plugin's hook module (which imports this package) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._models import McpServer, McpTool, Refresh
    from ._namespace import McpServersNamespace

__all__ = ["McpServer", "McpServersNamespace", "McpTool", "Refresh"]

_WHERE = {
    "McpServer": "._models",
    "McpTool": "._models",
    "Refresh": "._models",
    "McpServersNamespace": "._namespace",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
