"""The in-process httpx transport: requests reach the platform with no socket."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx

from ._faults import DroppedConnection
from ._platform import LocalPlatform, platform_for

__all__ = ["AsyncLocalTransport", "LocalTransport"]


class LocalTransport(httpx.BaseTransport):
    """An ``httpx.BaseTransport`` that hands each request to a :class:`LocalPlatform`.

    Give it a platform, or a ``url`` (and the plugin manager whose routes it
    serves): then the platform, and its database file, is made on the first
    request, so building a client does no file I/O.

    Thread-safe (the platform is). In a child made by ``fork()`` it serves the
    same URL from the child's own platform (the same file for ``local://NAME``,
    a fresh one for ``local://memory…``): SQLite connections must not cross a
    fork. An injected "drop" fault raises ``httpx.RemoteProtocolError``, as a
    connection closed by a server would.
    """

    def __init__(
        self,
        platform: LocalPlatform | None = None,
        *,
        url: str | None = None,
        plugin_manager: Any = None,
    ) -> None:
        if platform is None and url is None:
            raise TypeError("LocalTransport needs a platform or a url")
        self._platform = platform
        self._url = platform.url if platform is not None else str(url).rstrip("/")
        self._plugin_manager = plugin_manager if platform is None else platform.plugin_manager
        self._pid = os.getpid()

    def __repr__(self) -> str:
        return f"LocalTransport({self._url!r})"

    @property
    def platform(self) -> LocalPlatform:
        """The platform this transport serves (built on first use when given a URL)."""
        platform = self._platform
        if platform is None or self._pid != os.getpid():
            platform = self._platform = platform_for(self._url, self._plugin_manager)
            self._pid = os.getpid()
        return platform

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Serve the request from the platform, in this thread."""
        platform = self.platform
        body = request.read()
        raw = request.url.raw_path.decode("ascii")
        path, _, query = raw.partition("?")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw}
        url = request.url
        try:
            wire = platform.handle(
                request.method,
                path,
                query,
                headers,
                body,
                base_url=f"{url.scheme}://{url.netloc.decode('ascii')}",
            )
        except DroppedConnection:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response (injected fault).",
                request=request,
            ) from None
        # A ready ByteStream (with its Content-Length) skips httpx's content encoding,
        # which costs several times more than the rest of building the response.
        reply_headers = wire.headers
        if wire.body or wire.status != 204:
            reply_headers = [*reply_headers, ("content-length", str(len(wire.body)))]
        return httpx.Response(
            wire.status, headers=reply_headers, stream=httpx.ByteStream(wire.body), request=request
        )


class AsyncLocalTransport(httpx.AsyncBaseTransport):
    """``LocalTransport`` for ``AsyncCLIClient``: the same platform, in-process.

    The platform's handlers are synchronous (SQLite), so each request runs in
    a worker thread: a slow handler never stalls the event loop.
    """

    def __init__(self, sync: LocalTransport) -> None:
        self._sync = sync

    def __repr__(self) -> str:
        return f"AsyncLocalTransport({self._sync._url!r})"

    @property
    def platform(self) -> LocalPlatform:
        """The platform this transport serves."""
        return self._sync.platform

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve the request from the platform in a worker thread."""
        await request.aread()  # so the worker thread reads the body without I/O
        return await asyncio.to_thread(self._sync.handle_request, request)
