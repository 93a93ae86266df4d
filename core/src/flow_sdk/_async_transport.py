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

__all__ = ["default_async_transport"]


def default_async_transport(platform_url: str) -> Any:
    """The async transport for ``platform_url`` when no plugin offers one."""
    if not platform_url.startswith(("http://", "https://")):
        return None  # httpx's own, which says clearly what it cannot reach
    from httpx_aiohttp import AiohttpTransport

    return AiohttpTransport()
