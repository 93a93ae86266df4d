"""The records of the MCP servers API, shared by the SDK and the local platform's routes.

One set of types for both sides keeps them in step: what the routes answer is
what the SDK decodes, and these types are the routes' OpenAPI schemas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from flow_sdk.plugin import Model, redact_url

__all__ = [
    "DEFAULT_REFRESH_TIMEOUT_S",
    "MAX_REFRESH_TIMEOUT_S",
    "TRANSPORTS",
    "McpServer",
    "McpServerCreate",
    "McpServerUpdate",
    "McpTool",
    "Refresh",
    "RefreshRequest",
    "Transport",
]

Transport = Literal["streamable-http", "sse"]
TRANSPORTS: tuple[str, ...] = ("streamable-http", "sse")
Status = Literal["new", "ok", "error"]

DEFAULT_REFRESH_TIMEOUT_S = 10.0
MAX_REFRESH_TIMEOUT_S = 60.0

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
Timeout = Annotated[float, msgspec.Meta(gt=0, le=MAX_REFRESH_TIMEOUT_S)]


class McpTool(Model):
    """A tool an MCP server lists: its name, description and JSON Schema of its input."""

    name: str
    description: str = ""
    input_schema: dict[str, Any] = {}


class McpServer(Model):
    """A registered MCP server, and what its last refresh found.

    ``status`` is ``new`` until the first refresh, then ``ok`` or ``error``
    (with ``last_error``). ``tool_count`` and ``refreshed_at`` describe the
    last successful refresh, whose tools a failed one keeps. ``version``
    counts changes to the registration itself (for ``if_match``); a refresh
    does not change it. Changing ``url`` or ``transport`` forgets the tools.
    """

    id: str
    name: str
    url: str
    transport: Transport = "streamable-http"
    description: str = ""
    status: Status = "new"
    tool_count: int = 0
    refreshed_at: datetime | None = None
    checked_at: datetime | None = None
    last_error: str | None = None
    server_name: str | None = None
    server_version: str | None = None
    protocol_version: str | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __repr__(self) -> str:
        # a URL may carry a token in its query: keep it out of reprs and logs
        return (
            f"McpServer(id={self.id!r}, name={self.name!r}, url={redact_url(self.url)!r}, "
            f"transport={self.transport!r}, status={self.status!r}, "
            f"tool_count={self.tool_count!r}, version={self.version!r})"
        )


class Refresh(Model):
    """What a refresh found: the server as now stored, and every tool it lists."""

    server: McpServer
    tools: list[McpTool] = []


class McpServerCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Register an MCP server: an http(s) URL and the transport it speaks."""

    name: Name
    url: Url
    transport: Transport = "streamable-http"
    description: Description = ""


class McpServerUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change; a new ``url`` or ``transport`` forgets the stored tools."""

    name: Name | None = None
    url: Url | None = None
    transport: Transport | None = None
    description: Description | None = None


class RefreshRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How long the platform may spend connecting to the server and listing its tools."""

    timeout_s: Timeout = DEFAULT_REFRESH_TIMEOUT_S
