"""The same platform over a loopback socket: an ASGI adapter served by uvicorn.

``serve(port, url=...)`` blocks (``flow local serve``); :class:`LocalServer`
runs a server in a background thread (the pytest fixtures, benchmarks).
Handlers are synchronous, so each request runs in a worker thread and a slow
one never stalls the event loop. Only loopback addresses are allowed.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._faults import DroppedConnection
from ._platform import LocalPlatform, platform_for

__all__ = ["ASGIApp", "LocalServer", "serve"]

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class InjectedDrop(Exception):
    """Raised after the response started, so the server closes the connection mid-answer."""


class ASGIApp:
    """An ASGI 3 application serving one :class:`LocalPlatform`."""

    def __init__(self, platform: LocalPlatform, *, workers: int = 16) -> None:
        self.platform = platform
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flow-local")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path") or scope["path"].encode()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host") or "127.0.0.1"
        loop = asyncio.get_running_loop()
        try:
            wire = await loop.run_in_executor(
                self._executor,
                lambda: self.platform.handle(
                    scope["method"],
                    raw_path.decode("latin-1"),
                    scope.get("query_string", b"").decode("latin-1"),
                    headers,
                    b"".join(chunks),
                    base_url=f"{scope.get('scheme', 'http')}://{host}",
                ),
            )
        except DroppedConnection:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"64")],
                }
            )
            raise InjectedDrop("injected fault: connection dropped") from None
        await send(
            {
                "type": "http.response.start",
                "status": wire.status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in wire.headers],
            }
        )
        await send({"type": "http.response.body", "body": wire.body})

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _check_host(host: str) -> None:
    if host not in LOOPBACK:
        raise ValueError(
            f"the local platform serves loopback addresses only, not {host!r}: use 127.0.0.1"
        )


def _config(app: ASGIApp, log_level: str | None) -> Any:
    """uvicorn's settings; ``log_level=None`` leaves the process's logging untouched."""
    import uvicorn

    if log_level is None:
        return uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off", timeout_keep_alive=30
        )
    return uvicorn.Config(
        app, log_level=log_level, access_log=False, lifespan="off", timeout_keep_alive=30
    )


class LocalServer:
    """A uvicorn server for a platform in a background thread: ``.url``, ``.stop()``.

    Use as a context manager, or call ``start()`` and ``stop()``. It configures
    no logging unless given a ``log_level`` (uvicorn's loggers then propagate as usual).
    """

    def __init__(
        self,
        platform: LocalPlatform,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str | None = None,
    ) -> None:
        import uvicorn

        _check_host(host)
        self.platform = platform
        self.app = ASGIApp(platform)
        self._socket = _bound(host, port)
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._server = uvicorn.Server(_config(self.app, log_level))
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"LocalServer({self.url!r}, platform={self.platform.url!r})"

    def start(self, timeout: float = 10.0) -> LocalServer:
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"flow-local-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the local platform server on {self.url} did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.app.close()
        self._socket.close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve(
    port: int = 8765,
    *,
    url: str = "local://default",
    host: str = "127.0.0.1",
    log_level: str = "info",
) -> None:
    """Serve the platform of ``url`` on ``host:port`` until interrupted (``flow local serve``)."""
    import uvicorn

    _check_host(host)
    app = ASGIApp(platform_for(url))
    try:
        uvicorn.Server(_config(app, log_level)).run(sockets=[_bound(host, port)])
    finally:
        app.close()


def _bound(host: str, port: int) -> socket.socket:
    """A bound TCP socket. ``IPPROTO_TCP`` explicitly: asyncio sets TCP_NODELAY only on
    sockets whose proto says TCP, and without it Nagle's algorithm plus delayed ACKs
    cost ~40 ms per response (the status line and the body are separate writes)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock
