"""The default transport of ``AsyncCLIClient`` for http(s) URLs: aiohttp's, through httpx.

Chosen by measurement (``bench/async_client.py``, 50 requests in flight
against a loopback server, one run on a 2-core machine): httpx 0.28's own
``AsyncHTTPTransport`` served 193 requests/s, httpx with the
``httpx-aiohttp`` transport 2,986, raw aiohttp 7,602, and the sync client
2,464 one after another. httpx's own is 15 times slower here, so the async
client uses aiohttp's connection pool under the same httpx API. Pass
``transport=`` or ``http_client=`` to ``AsyncCLIClient`` to choose another.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["LazyAiohttpTransport", "default_async_transport"]


class LazyAiohttpTransport(httpx.AsyncBaseTransport):
    """httpx-aiohttp's transport, imported and built on the first request.

    aiohttp costs more to import than the rest of the SDK together; a client
    that is built but never used (a CLI, a test) should not pay for it.
    """

    def __init__(self) -> None:
        self._transport: httpx.AsyncBaseTransport | None = None

    def __repr__(self) -> str:
        return "LazyAiohttpTransport()"

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        """The real transport (built now if it was not yet)."""
        if self._transport is None:
            from httpx_aiohttp import AiohttpTransport

            self._transport = AiohttpTransport()
        return self._transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send through aiohttp (importing it on the first request)."""
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        """Close aiohttp's session, if one was made."""
        if self._transport is not None:
            await self._transport.aclose()


def default_async_transport(platform_url: str) -> Any:
    """The async transport for ``platform_url`` when no plugin offers one."""
    if not platform_url.startswith(("http://", "https://")):
        return None  # httpx's own, which says clearly what it cannot reach
    return LazyAiohttpTransport()
