"""A real webhook receiver on 127.0.0.1, and a fast retry schedule for the local platform."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flow_sdk_webhooks import WebhookSignatureError, verify_signature


@dataclass
class Received:
    """One POST the receiver got: its headers, raw body, and the signature check's outcome."""

    headers: dict[str, str]
    body: bytes
    path: str
    verified: bool | None = None
    problem: str | None = None

    @property
    def event(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result


@dataclass
class Receiver:
    """Answers each POST with the next queued status (then ``default``) and ``reply`` as its
    body, and records it.

    With ``secret`` set it checks every delivery with ``verify_signature``,
    as a real receiver would, and answers 400 to one that fails.
    """

    url: str = ""
    secret: str | None = None
    statuses: list[int] = field(default_factory=list)
    default: int = 200
    reply: bytes = b""
    received: list[Received] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def answer(self, headers: dict[str, str], body: bytes, path: str) -> int:
        item = Received(headers, body, path)
        if self.secret is not None:
            try:
                verify_signature(body, headers, self.secret)
                item.verified = True
            except WebhookSignatureError as exc:
                item.verified, item.problem = False, str(exc)
        with self._cond:
            status = self.statuses.pop(0) if self.statuses else self.default
            if item.verified is False:
                status = 400
            self.received.append(item)
            self._cond.notify_all()
        return status

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until ``count`` POSTs arrived; the first ``count``."""
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.received) >= count, timeout)
            assert ok, f"expected {count} deliveries, got {len(self.received)}"
            return list(self.received[:count])

    def events(self) -> list[str]:
        with self._cond:
            return [r.event["type"] for r in self.received]


def _serve(receiver: Receiver) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            status = receiver.answer(dict(self.headers.items()), body, self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(receiver.reply)))
            self.end_headers()
            self.wfile.write(receiver.reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hooks/flow"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver on a free loopback port; ``receiver.url`` is where to point a webhook."""
    rec = Receiver()
    server, rec.url = _serve(rec)
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody"


@pytest.fixture
def fast_retries(local_platform: Any) -> Iterator[Any]:
    """Retry after 0.05 s, 0.1 s, … (at most 3 attempts) on this test's platform."""
    from flow_sdk_webhooks.local._engine import RetrySchedule
    from flow_sdk_webhooks.local._routes import engine_of

    engine = engine_of(local_platform.platform)
    saved = engine.schedule
    engine.schedule = RetrySchedule(max_attempts=3, base_s=0.05, cap_s=0.2, timeout_s=2.0)
    yield engine
    engine.schedule = saved
