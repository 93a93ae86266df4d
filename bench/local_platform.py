"""Benchmark: requests per second of the local platform, in-process and over the socket.

Three ways in, the same requests:

- handle: ``LocalPlatform.handle`` called directly (the platform alone: routing,
  auth, tenant checks, SQLite, JSON; no httpx);
- in-process: a ``CLIClient`` on ``local://memory-…`` (the httpx transport of
  flow-sdk-local, no socket): what tests and the embedded default use;
- socket: a ``CLIClient`` on ``http://127.0.0.1:PORT``, the platform served by
  uvicorn in a separate process (so server and client each have a core).

Requests: ``GET /api/v1/auth/me`` (auth + one read) and ``POST`` of a component
(auth, tenant check, validation, idempotency key, a write with history).
Also prints raw httpx on ``httpx.MockTransport`` as the floor an in-process
httpx client cannot beat.

Run: uv run python bench/local_platform.py [--seconds 2]
This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
import msgspec
from flow_sdk import CLIClient, FlowConfig


def serve() -> None:
    """The server process: a fresh in-memory platform on loopback until stdin closes."""
    from flow_sdk_local import LocalPlatform, LocalServer

    platform = LocalPlatform("local://memory-bench-socket")
    server = LocalServer(platform).start()
    print(json.dumps({"url": server.url, "api_key": platform.dev_api_key}), flush=True)
    sys.stdin.read()
    server.stop()


def rate(call: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``call`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        call()
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(20):
            call()
        count += 20
    return count / (time.perf_counter() - started)


def component_type(client: CLIClient) -> str | None:
    types = sorted(client.component_types)
    return "agent" if "agent" in types else (types[0] if types else None)


def client_rates(client: CLIClient, seconds: float) -> dict[str, float]:
    results = {"GET /auth/me": rate(client.get_current_user, seconds)}
    ctype = component_type(client)
    if ctype is not None:
        results[f"POST component ({ctype})"] = rate(
            lambda: client.create_component(ctype, {"name": "bench", "spec": {"n": 1}}), seconds
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0

    from flow_sdk_local import DEV_ORG_ID, DEV_WORKSPACE_ID, LocalPlatform, register_platform

    rows: list[tuple[str, str, float]] = []

    platform = LocalPlatform("local://memory-bench")
    register_platform(platform)
    key = platform.dev_api_key
    token = msgspec.json.decode(
        platform.handle(
            "POST", "/api/v1/auth/token", "", {}, msgspec.json.encode({"api_key": key})
        ).body
    )["access_token"]
    headers = {"authorization": f"Bearer {token}"}
    rows.append(
        (
            "handle",
            "GET /auth/me",
            rate(lambda: platform.handle("GET", "/api/v1/auth/me", "", headers, b""), args.seconds),
        )
    )

    def config(url: str, api_key: str | None) -> FlowConfig:
        return FlowConfig(
            platform_url=url, api_key=api_key, org_id=DEV_ORG_ID, workspace_id=DEV_WORKSPACE_ID
        )

    with CLIClient(config(platform.url, key)) as client:
        for name, value in client_rates(client, args.seconds).items():
            rows.append(("in-process", name, value))

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        with CLIClient(config(info["url"], info["api_key"])) as client:
            for name, value in client_rates(client, args.seconds).items():
                rows.append(("socket", name, value))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)

    mock = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json={"id": "x"})),
        base_url="http://bench",
    )
    rows.append(
        ("floor", "httpx MockTransport GET", rate(lambda: mock.get("/").json(), args.seconds))
    )

    print("local platform, requests per second (higher is better)")
    for way, request, value in rows:
        print(f"  {way:<11} {request:<28} {value:>9,.0f} req/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
