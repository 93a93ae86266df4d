"""``client.mcp_servers``: register MCP servers, refresh them, read their tools."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import msgspec
from flow_sdk.plugin import (
    MAX_PAGE_SIZE,
    CLIValidationError,
    Listing,
    ModeT,
    Page,
    ResourceNamespace,
    Steps,
    cursor_pages,
    endpoint,
    paginated,
    send,
)

from ._models import (
    DEFAULT_REFRESH_TIMEOUT_S,
    MAX_REFRESH_TIMEOUT_S,
    TRANSPORTS,
    McpServer,
    McpTool,
    Refresh,
)

__all__ = ["McpServersNamespace"]

_HTTP_MARGIN_S = 10.0
"""How much longer than the refresh's own timeout the SDK waits for the platform's answer."""

_Base = ResourceNamespace[Any, McpServer]
"""The generic create/update this namespace narrows (its model is ``McpServer``)."""


def _fields(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _check_transport(transport: str | None) -> None:
    if transport is not None and transport not in TRANSPORTS:
        raise CLIValidationError(
            f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}",
            hint="pass transport='streamable-http' (an /mcp endpoint) or transport='sse'",
        )


class McpServersNamespace(ResourceNamespace[ModeT, McpServer]):
    """The MCP servers registered in the selected workspace (``client.mcp_servers``).

    Registering a server stores its address; ``refresh`` has the platform
    connect to it with the Model Context Protocol and store the tools it
    lists, which ``tools`` then returns without contacting the server.
    """

    path = "mcp-servers"
    scope = "tenant"
    model = McpServer

    @paginated
    def list(  # type: ignore[override]
        self,
        *,
        name: str | None = None,
        transport: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Listing[McpServer]:
        """Every registered server (only those with this ``name`` / ``transport``), lazily."""
        return self._list(page_size=page_size, limit=limit, name=name, transport=transport)

    @endpoint
    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        url: str | None = None,
        transport: str | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[McpServer]:
        """Register a server from ``data`` and/or keyword fields (``name`` and ``url`` needed).

        ``transport`` is ``"streamable-http"`` (the default) or ``"sse"``. Nothing
        connects to the server yet: call ``refresh`` to list its tools.
        """
        _check_transport(transport)
        fields = _fields(name=name, url=url, transport=transport, description=description)
        created: McpServer = yield from _Base.create.steps(
            self, data, idempotency_key=idempotency_key, **fields
        )
        return created

    @endpoint
    def register(
        self,
        name: str,
        url: str,
        *,
        transport: str = "streamable-http",
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[McpServer]:
        """Register the MCP server at ``url`` under ``name`` (``create`` with named arguments)."""
        return (
            yield from type(self).create.steps(
                self,
                name=name,
                url=url,
                transport=transport,
                description=description,
                idempotency_key=idempotency_key,
            )
        )

    @endpoint
    def update(  # type: ignore[override]
        self,
        server_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        url: str | None = None,
        transport: str | None = None,
        description: str | None = None,
        if_match: int | str | None = None,
    ) -> Steps[McpServer]:
        """Change some fields; a new ``url`` or ``transport`` forgets the stored tools.

        With ``if_match=<version>`` a concurrent change is a 409 (a refresh is
        not a change: it leaves ``version`` as it is).
        """
        _check_transport(transport)
        fields = _fields(name=name, url=url, transport=transport, description=description)
        updated: McpServer = yield from _Base.update.steps(
            self, server_id, data, if_match=if_match, **fields
        )
        return updated

    @endpoint
    def refresh(
        self, server_id: str, *, timeout_s: float = DEFAULT_REFRESH_TIMEOUT_S
    ) -> Steps[Refresh]:
        """Have the platform connect to the server, list its tools and store them.

        The platform gives the server ``timeout_s`` seconds (at most 60) in all.
        Failures are raised, and recorded on the server (``status="error"``,
        ``last_error``) while the tools of the last good refresh stay:
        ``CLIServerError`` with status 502 when the server cannot be reached,
        504 when it does not answer in time, and ``CLIValidationError`` (422)
        when it answers but not as an MCP server over the registered transport.
        A refresh is sent once, never retried: the platform already waited.
        """
        if not (
            isinstance(timeout_s, int | float)
            and math.isfinite(timeout_s)
            and 0 < timeout_s <= MAX_REFRESH_TIMEOUT_S
        ):
            raise ValueError(f"timeout_s must be more than 0 and at most {MAX_REFRESH_TIMEOUT_S:g}")
        return (
            yield from send(
                "POST",
                self._item(server_id, "refresh"),
                json={"timeout_s": float(timeout_s)},
                retry=False,
                timeout=timeout_s + _HTTP_MARGIN_S,
                type=Refresh,
            )
        )

    @paginated
    def tools(
        self, server_id: str, *, page_size: int = 100, limit: int | None = None
    ) -> Listing[McpTool]:
        """The tools found by the server's last successful refresh, lazily, in its order.

        Empty until the first refresh; the platform does not contact the server.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        url = self._item(server_id, "tools")
        return cursor_pages(url, Page[McpTool], page_size=page_size, limit=limit)
