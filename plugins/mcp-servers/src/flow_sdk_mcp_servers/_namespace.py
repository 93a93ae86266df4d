"""``client.mcp_servers``: register MCP servers, refresh them, read their tools."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec
from flow_sdk import CLIValidationError, Page, Paginator, ResourceNamespace
from flow_sdk._transport import decode_json

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


def _fields(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _check_transport(transport: str | None) -> None:
    if transport is not None and transport not in TRANSPORTS:
        raise CLIValidationError(
            f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}",
            hint="pass transport='streamable-http' (an /mcp endpoint) or transport='sse'",
        )


class McpServersNamespace(ResourceNamespace[McpServer]):
    """The MCP servers registered in the selected workspace (``client.mcp_servers``).

    Registering a server stores its address; ``refresh`` has the platform
    connect to it with the Model Context Protocol and store the tools it
    lists, which ``tools`` then returns without contacting the server.
    """

    path = "mcp-servers"
    scope = "tenant"
    model = McpServer

    def list(  # type: ignore[override]
        self,
        *,
        name: str | None = None,
        transport: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Paginator[McpServer]:
        """Every registered server (only those with this ``name`` / ``transport``), lazily."""
        return super().list(page_size=page_size, limit=limit, name=name, transport=transport)

    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        url: str | None = None,
        transport: str | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> McpServer:
        """Register a server from ``data`` and/or keyword fields (``name`` and ``url`` needed).

        ``transport`` is ``"streamable-http"`` (the default) or ``"sse"``. Nothing
        connects to the server yet: call ``refresh`` to list its tools.
        """
        _check_transport(transport)
        fields = _fields(name=name, url=url, transport=transport, description=description)
        return super().create(data, idempotency_key=idempotency_key, **fields)

    def register(
        self,
        name: str,
        url: str,
        *,
        transport: str = "streamable-http",
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> McpServer:
        """Register the MCP server at ``url`` under ``name`` (``create`` with named arguments)."""
        return self.create(
            name=name,
            url=url,
            transport=transport,
            description=description,
            idempotency_key=idempotency_key,
        )

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
    ) -> McpServer:
        """Change some fields; a new ``url`` or ``transport`` forgets the stored tools.

        With ``if_match=<version>`` a concurrent change is a 409 (a refresh is
        not a change: it leaves ``version`` as it is).
        """
        _check_transport(transport)
        fields = _fields(name=name, url=url, transport=transport, description=description)
        return super().update(server_id, data, if_match=if_match, **fields)

    def refresh(self, server_id: str, *, timeout_s: float = DEFAULT_REFRESH_TIMEOUT_S) -> Refresh:
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
        safe = self._client._safe
        request = safe.http.build_request(
            "POST",
            self._item(server_id, "refresh"),
            content=msgspec.json.encode({"timeout_s": float(timeout_s)}),
            headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
            timeout=timeout_s + _HTTP_MARGIN_S,
        )
        response = safe.send(request, retryable=False)
        return decode_json(response, Refresh)  # type: ignore[no-any-return]

    def tools(
        self, server_id: str, *, page_size: int = 100, limit: int | None = None
    ) -> Paginator[McpTool]:
        """The tools found by the server's last successful refresh, lazily, in its order.

        Empty until the first refresh; the platform does not contact the server.
        """
        if not 1 <= page_size <= 500:
            raise ValueError("page_size must be between 1 and 500")
        url = self._item(server_id, "tools")

        def fetch(cursor: str | None) -> Page[McpTool]:
            params = {"limit": page_size, "cursor": cursor}
            return self._request(  # type: ignore[no-any-return]
                "GET", url, params=params, type=Page[McpTool]
            )

        return Paginator(fetch, limit=limit)
