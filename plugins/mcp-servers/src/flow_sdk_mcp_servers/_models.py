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

NAME_PATTERN = (
    r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
    r"\u205f\u3000][^\x00-\x1f\x7f-\x9f]*$"
)
"""Not blank, no control characters: ``flow_sdk_local.NAME_PATTERN`` (this package must not
import the local platform; a test keeps the two equal). The routes check it in words."""
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = rf"({_LABEL}(\.{_LABEL})*|\[::1\])"
_REST = r"[^#\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
URL_PATTERN = rf"^https?://{_HOST}(:{_PORT})?([/?]{_REST}*)?$"
"""An http(s) URL with a host, no user name or password, no #fragment, no port 0 and no
spaces: what the routes accept (they say in words which rule a URL breaks)."""

Name = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, extra_json_schema={"pattern": NAME_PATTERN})
]
Url = Annotated[
    str, msgspec.Meta(min_length=1, max_length=2048, extra_json_schema={"pattern": URL_PATTERN})
]
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

    name: Name | msgspec.UnsetType = msgspec.UNSET
    url: Url | msgspec.UnsetType = msgspec.UNSET
    transport: Transport | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET


class RefreshRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How long the platform may spend connecting to the server and listing its tools."""

    timeout_s: Timeout = DEFAULT_REFRESH_TIMEOUT_S
