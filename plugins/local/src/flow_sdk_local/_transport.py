"""The in-process httpx transport: requests reach the platform with no socket."""

from __future__ import annotations

import httpx

from ._faults import DroppedConnection
from ._platform import LocalPlatform

__all__ = ["LocalTransport"]


class LocalTransport(httpx.BaseTransport):
    """An ``httpx.BaseTransport`` that hands each request to a :class:`LocalPlatform`.

    Thread-safe (the platform is). An injected "drop" fault raises
    ``httpx.RemoteProtocolError``, as a connection closed by a server would.
    """

    def __init__(self, platform: LocalPlatform) -> None:
        self.platform = platform

    def __repr__(self) -> str:
        return f"LocalTransport({self.platform.url!r})"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        raw = request.url.raw_path.decode("ascii")
        path, _, query = raw.partition("?")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw}
        url = request.url
        try:
            wire = self.platform.handle(
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
        return httpx.Response(wire.status, headers=wire.headers, content=wire.body, request=request)
