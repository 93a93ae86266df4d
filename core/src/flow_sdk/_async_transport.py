"""The default transport of ``AsyncCLIClient`` for http(s) URLs.

None means httpx's own ``AsyncHTTPTransport``. Which one is the default is
decided by measurement (``bench/async_client.py``), not by taste.
"""

from __future__ import annotations

from typing import Any

__all__ = ["default_async_transport"]


def default_async_transport(platform_url: str) -> Any:
    """The async transport for ``platform_url`` when no plugin offers one (None: httpx's)."""
    return None
