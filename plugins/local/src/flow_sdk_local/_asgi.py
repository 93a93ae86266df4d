"""The same platform over a loopback socket: an ASGI adapter served by uvicorn.

``serve(port, url=...)`` blocks (``flow local serve``); :class:`LocalServer`
runs a server in a background thread (the pytest fixtures, benchmarks).
Handlers are synchronous, so each request runs in a worker thread and a slow
one never stalls the event loop. Only loopback addresses are allowed.

A served platform answers only requests addressed to it, and bounds what a
request may cost before anything else runs:

- the ``Host`` header must be its own loopback address and port
  (``127.0.0.1:PORT``, ``localhost:PORT``, ``[::1]:PORT``), else 403, so a
  web page cannot reach it through DNS rebinding;
- a browser's ``Origin`` must be one of those for a state-changing method
  and for the control plane, else 403 (cross-site requests);
- the control plane needs the local admin secret in ``X-Flow-Local-Admin``
  (see ``_control.py``);
- a body larger than ``max_body_bytes`` is a 413, decided from
  ``Content-Length`` before reading, or while reading a body without one;
  before authentication (no valid bearer token or admin secret, or an
  unknown route) the limit is ``anonymous_max_body_bytes`` (64 KiB);
- a body must arrive within ``body_timeout`` seconds: else 408 and the
  connection closes;
- uvicorn itself (h11) bounds a request head to 16 KiB
  (``h11_max_incomplete_event_size``) and closes idle keep-alive connections
  (``timeout_keep_alive``); what it cannot do, this module's protocol class
  adds: a request head must arrive within ``head_timeout`` seconds (408,
  closed), and the unread rest of a refused body is discarded for at most
  ``body_timeout`` seconds before the connection closes.
"""

from __future__ import annotations

import asyncio
import hmac
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote

import msgspec

from ._app import ADMIN_HEADER, WireResponse, error_wire, new_request_id, too_large
from ._faults import DroppedConnection
from ._http import HTTPError
from ._jwt import TokenError, read_token
from ._platform import LocalPlatform, data_dir, platform_for, read_admin_secret

__all__ = [
    "ANONYMOUS_MAX_BODY_BYTES",
    "BODY_TIMEOUT",
    "HEAD_TIMEOUT",
    "ASGIApp",
    "LocalServer",
    "serve",
]

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
ANONYMOUS_MAX_BODY_BYTES = 64 * 1024
"""The body limit before authentication: a token exchange or login request is < 1 KiB."""
BODY_TIMEOUT = 10.0
"""Seconds a request body may take to arrive (a loopback client sends megabytes in ms)."""
HEAD_TIMEOUT = 10.0
"""Seconds a request head may take to arrive once it has begun."""
MAX_HEAD_BYTES = 16 * 1024
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_HOST_NAMES = ("127.0.0.1", "localhost", "[::1]")
_ADMIN = ADMIN_HEADER.lower()


class InjectedDrop(Exception):
    """Raised after the response started, so the server closes the connection mid-answer."""


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


def _is_control(raw_path: str) -> bool:
    """Whether a raw path is under ``/_local`` as the router sees it (segments percent-decoded)."""
    first = raw_path.strip("/").split("/", 1)[0]
    return (unquote(first) if "%" in first else first) == "_local"


class ASGIApp:
    """An ASGI 3 application serving one :class:`LocalPlatform`.

    ``max_body_bytes`` (default: the platform's) bounds a request body, and
    ``anonymous_max_body_bytes`` one sent before authentication;
    ``body_timeout`` is how long a body may take to arrive; ``admin_secret``
    (default: the platform's) is what ``X-Flow-Local-Admin`` must carry.
    """

    def __init__(
        self,
        platform: LocalPlatform,
        *,
        workers: int = 16,
        max_body_bytes: int | None = None,
        anonymous_max_body_bytes: int = ANONYMOUS_MAX_BODY_BYTES,
        body_timeout: float = BODY_TIMEOUT,
        admin_secret: str | None = None,
    ) -> None:
        self.platform = platform
        self.max_body_bytes = platform.max_body_bytes if max_body_bytes is None else max_body_bytes
        self.anonymous_max_body_bytes = min(anonymous_max_body_bytes, self.max_body_bytes)
        self.body_timeout = body_timeout
        self.admin_secret = admin_secret or platform.admin_secret
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
        method: str = scope["method"]
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        headers: dict[str, str] = {}
        hosts: list[str] = []
        for key, value in scope["headers"]:
            name = key.decode("latin-1").lower()
            headers[name] = value.decode("latin-1")
            if name == "host":
                hosts.append(headers[name])
        server = scope.get("server")
        addresses = _own_addresses(server[1] if server else None)
        refusal = _refusal(method, raw_path, hosts, headers.get("origin"), addresses)
        if refusal is not None:
            await _reply(send, refusal, close=True)
            return
        admin = hmac.compare_digest(
            headers.get(_ADMIN, "").encode("latin-1"), self.admin_secret.encode()
        )
        limit = (
            self.max_body_bytes
            if self._trusted(method, raw_path, headers, admin)
            else self.anonymous_max_body_bytes
        )
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            # Answered before reading: the rest is discarded (for at most body_timeout).
            await _reply(send, too_large(limit, int(declared)))
            return
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await _read_body(receive, limit)
        except TimeoutError:
            timeout = HTTPError(
                408,
                f"the request body did not arrive within {self.body_timeout:g} seconds; "
                f"the connection is closed",
                "request_timeout",
            )
            await _reply(send, timeout, close=True)
            return
        except _TooLarge:
            await _reply(send, too_large(limit))
            return
        except _Disconnected:
            return
        host = hosts[0]
        loop = asyncio.get_running_loop()
        try:
            wire = await loop.run_in_executor(
                self._executor,
                lambda: self.platform.handle(
                    method,
                    raw_path,
                    scope.get("query_string", b"").decode("latin-1"),
                    headers,
                    body,
                    base_url=f"{scope.get('scheme', 'http')}://{host}",
                    admin=admin,
                    max_body_bytes=self.max_body_bytes,
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

    def _trusted(self, method: str, raw_path: str, headers: dict[str, str], admin: bool) -> bool:
        """A known route, and the admin secret or a valid bearer token: the full body limit.

        Checked without the database: the token's signature and expiry only.
        """
        match = self.platform.app.router.match(method, raw_path or "/")
        if match is None or match.route is None:
            return False
        if admin:
            return True
        scheme, _, token = headers.get("authorization", "").partition(" ")
        secret = self.platform.cached_token_secret()
        if scheme.lower() != "bearer" or not token.strip() or secret is None:
            return False
        try:
            read_token(secret, token.strip(), now=self.platform.clock.now())
        except TokenError:
            return False
        return True

    def close(self) -> None:
        """Stop the worker threads (requests in flight are abandoned)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _own_addresses(port: int | None) -> tuple[frozenset[str], frozenset[str]]:
    """The Host values and Origins that name this server."""
    if port is None:
        hosts = frozenset(_HOST_NAMES)
    else:
        hosts = frozenset(f"{name}:{port}" for name in _HOST_NAMES)
        if port == 80:
            hosts |= frozenset(_HOST_NAMES)
    return hosts, frozenset(f"http://{host}" for host in hosts)


def _refusal(
    method: str,
    raw_path: str,
    hosts: list[str],
    origin: str | None,
    addresses: tuple[frozenset[str], frozenset[str]],
) -> HTTPError | None:
    own_hosts, own_origins = addresses
    if len(hosts) != 1 or hosts[0].lower() not in own_hosts:
        shown = hosts[0] if len(hosts) == 1 else f"{len(hosts)} Host headers"
        return HTTPError(
            403,
            f"this local platform answers only requests addressed to it "
            f"({', '.join(sorted(own_hosts))}), not {shown!r}",
            "host_not_allowed",
        )
    if (
        origin is not None
        and (method not in _SAFE_METHODS or _is_control(raw_path))
        and origin.lower() not in own_origins
    ):
        return HTTPError(
            403,
            f"requests from the web origin {origin!r} are refused: this local platform "
            f"accepts changes only from its own pages and from programs (no Origin header)",
            "origin_not_allowed",
        )
    return None


async def _read_body(receive: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _reply(send: Any, error: HTTPError, *, close: bool = False) -> None:
    """An error answer from the server itself (before the platform saw the request)."""
    wire: WireResponse = error_wire(error)
    headers = [
        *wire.headers,
        ("x-request-id", new_request_id()),
        ("content-length", str(len(wire.body))),
    ]
    if close:
        headers.append(("connection", "close"))
    await send(
        {
            "type": "http.response.start",
            "status": wire.status,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        }
    )
    await send({"type": "http.response.body", "body": wire.body})


def _protocol(head_timeout: float, drain_timeout: float) -> type[Any]:
    """uvicorn's h11 protocol with the two deadlines it lacks.

    A request head that has begun must be complete within ``head_timeout``
    (else a 408 and the connection closes: a client trickling a head byte by
    byte never holds it); after an answer that left part of the request body
    unread (a 413), uvicorn discards the rest, for at most ``drain_timeout``.
    Idle connections stay uvicorn's (``timeout_keep_alive``).
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    timeout_body = msgspec.json.encode(
        {
            "detail": f"the request head did not arrive within {head_timeout:g} seconds; "
            f"the connection is closed",
            "code": "request_timeout",
        }
    )
    timeout_reply = (
        b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(timeout_body), timeout_body)
    )

    class Protocol(H11Protocol):
        _flow_timer: asyncio.TimerHandle | None = None
        _flow_waiting = ""
        _flow_cycle: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._flow_arm("head", head_timeout)  # nothing at all by then: closed quietly

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._flow_watch()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._flow_watch()

        def connection_lost(self, exc: Exception | None) -> None:
            self._flow_cancel()
            super().connection_lost(exc)

        def _flow_watch(self) -> None:
            if self.transport is None or self.transport.is_closing():
                self._flow_cancel()
                return
            state = self.conn.their_state
            if self._flow_waiting == "drain" and state is not h11.SEND_BODY:
                self._flow_cancel()
            elif self._flow_waiting == "head" and self.cycle is not self._flow_cycle:
                self._flow_cancel()  # the head arrived: the body has the app's deadline
            if self._flow_waiting:
                return
            if state is h11.IDLE and self.conn.trailing_data[0]:
                self._flow_arm("head", head_timeout)
            elif state is h11.SEND_BODY and self.cycle is not None and self.cycle.response_complete:
                self._flow_arm("drain", drain_timeout)

        def _flow_arm(self, waiting: str, seconds: float) -> None:
            self._flow_waiting = waiting
            self._flow_cycle = self.cycle
            self._flow_timer = self.loop.call_later(seconds, self._flow_expired)

        def _flow_cancel(self) -> None:
            if self._flow_timer is not None:
                self._flow_timer.cancel()
            self._flow_timer = None
            self._flow_waiting = ""

        def _flow_expired(self) -> None:
            waiting = self._flow_waiting
            self._flow_timer = None
            self._flow_waiting = ""
            if self.transport.is_closing():
                return
            if waiting == "head" and self.conn.trailing_data[0]:
                self.transport.write(timeout_reply)
            self.transport.close()

    return Protocol


def _check_host(host: str) -> None:
    if host not in LOOPBACK:
        raise ValueError(
            f"the local platform serves loopback addresses only, not {host!r}: use 127.0.0.1"
        )


def _config(app: ASGIApp, log_level: str | None, head_timeout: float = HEAD_TIMEOUT) -> Any:
    """uvicorn's settings; ``log_level=None`` leaves the process's logging untouched."""
    import uvicorn

    options: dict[str, Any] = {
        "access_log": False,
        "lifespan": "off",
        "timeout_keep_alive": 30,
        "http": _protocol(head_timeout, app.body_timeout),
        "ws": "none",
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }
    if log_level is None:
        return uvicorn.Config(app, log_config=None, **options)
    return uvicorn.Config(app, log_level=log_level, **options)


class LocalServer:
    """A uvicorn server for a platform in a background thread: ``.url``, ``.stop()``.

    Use as a context manager, or call ``start()`` and ``stop()``. It configures
    no logging unless given a ``log_level`` (uvicorn's loggers then propagate as usual).
    ``max_body_bytes``, ``body_timeout`` and ``head_timeout`` are the limits
    described in this module; ``admin_secret`` (default: the platform's) is
    what the control plane asks for.
    """

    def __init__(
        self,
        platform: LocalPlatform,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str | None = None,
        max_body_bytes: int | None = None,
        anonymous_max_body_bytes: int = ANONYMOUS_MAX_BODY_BYTES,
        body_timeout: float = BODY_TIMEOUT,
        head_timeout: float = HEAD_TIMEOUT,
        admin_secret: str | None = None,
    ) -> None:
        import uvicorn

        _check_host(host)
        self.platform = platform
        self.app = ASGIApp(
            platform,
            max_body_bytes=max_body_bytes,
            anonymous_max_body_bytes=anonymous_max_body_bytes,
            body_timeout=body_timeout,
            admin_secret=admin_secret,
        )
        self._socket = _bound(host, port)
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._server = uvicorn.Server(_config(self.app, log_level, head_timeout))
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"LocalServer({self.url!r}, platform={self.platform.url!r})"

    @property
    def admin_secret(self) -> str:
        """What the control plane's ``X-Flow-Local-Admin`` header must carry."""
        return self.app.admin_secret

    def start(self, timeout: float = 10.0) -> LocalServer:
        """Start serving in a background thread; returns once the socket answers."""
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
        """Stop serving and close the socket (waits up to 10 s for the thread)."""
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
    max_body_bytes: int | None = None,
    body_timeout: float = BODY_TIMEOUT,
    head_timeout: float = HEAD_TIMEOUT,
) -> None:
    """Serve the platform of ``url`` on ``host:port`` until interrupted (``flow local serve``).

    The control plane's admin secret is the file ``admin-secret`` of the data
    directory (made on first use, mode 0600), for in-memory platforms too, so
    ``flow local`` in another terminal can read it.
    """
    import uvicorn

    _check_host(host)
    platform = platform_for(url)
    secret = read_admin_secret(data_dir()) if platform.path is None else None
    app = ASGIApp(
        platform, max_body_bytes=max_body_bytes, body_timeout=body_timeout, admin_secret=secret
    )
    try:
        uvicorn.Server(_config(app, log_level, head_timeout)).run(sockets=[_bound(host, port)])
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
