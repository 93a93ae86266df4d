"""The core over a real socket: a tiny HTTP server on 127.0.0.1 started by the test."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flow_sdk import CLIClient, CLIConnectionError, CLITimeoutError, FlowConfig

from .conftest import TOKEN


class Handler(BaseHTTPRequestHandler):
    """Answers by path: /api/v1/tenants/orgs (JSON), /flaky (503 once), /slow (sleeps)."""

    seen: list[dict[str, Any]] = []
    flaky_calls = 0

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-ID", "req_loop")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout tests): nothing to answer

    def do_GET(self) -> None:
        Handler.seen.append({"path": self.path, "headers": dict(self.headers)})
        if self.path == "/api/v1/tenants/orgs":
            self._reply(200, [{"id": "org_1", "name": "Loop"}])
        elif self.path == "/api/v1/tenants/orgs/flaky/workspaces":
            Handler.flaky_calls += 1
            if Handler.flaky_calls == 1:
                self._reply(503, {"detail": "warming up"}, {"Retry-After": "0"})
            else:
                self._reply(200, [])
        elif self.path == "/api/v1/tenants/orgs/slow/workspaces":
            time.sleep(1.0)
            self._reply(200, [])
        else:
            self._reply(404, {"detail": f"no route {self.path}"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"null")
        Handler.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        self._reply(201, {"id": "cmp_1", **body})


@pytest.fixture
def server() -> Iterator[str]:
    Handler.seen = []
    Handler.flaky_calls = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def loop_client(url: str, **config: Any) -> CLIClient:
    values: dict[str, Any] = {"access_token": TOKEN, "org_id": "o", "workspace_id": "w"}
    values.update(config)
    return CLIClient(FlowConfig(platform_url=url, **values), plugins=[], sleep=lambda s: None)


def test_calls_over_a_real_socket(server: str) -> None:
    with loop_client(server) as client:
        assert client.list_orgs() == [{"id": "org_1", "name": "Loop"}]
        created = client.create_component("agent", {"name": "a"})
    assert created == {"id": "cmp_1", "name": "a"}
    get, post = Handler.seen
    assert get["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert get["headers"]["User-Agent"].startswith("flow-sdk/")
    assert post["path"] == "/api/v1/orgs/o/workspaces/w/components/agent"
    assert post["headers"]["Idempotency-Key"]
    assert post["body"] == {"name": "a"}


def test_a_503_with_retry_after_is_retried(server: str) -> None:
    with loop_client(server) as client:
        assert client.list_workspaces("flaky") == []
    assert Handler.flaky_calls == 2


def test_a_slow_platform_times_out(server: str) -> None:
    with loop_client(server, timeout=0.2, max_retries=0) as client:
        started = time.perf_counter()
        with pytest.raises(CLITimeoutError) as info:
            client.list_workspaces("slow")
    assert time.perf_counter() - started < 0.9
    assert "timed out" in info.value.message


def test_a_closed_port_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = loop_client(f"http://127.0.0.1:{port}", max_retries=1)
    with client, pytest.raises(CLIConnectionError) as info:
        client.list_orgs()
    assert not isinstance(info.value, CLITimeoutError)
    assert f"127.0.0.1:{port}" in info.value.message
