"""A local platform served on loopback by a separate process, for the benchmarks.

The server runs in its own process (its own core, its own GIL), so the
figures measure the client alone. Both sides are here: ``announce_and_serve``
runs in the server process (the benchmark script started with ``--serve``),
``served_platform`` starts that process and connects an SDK client and a raw
httpx client to it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import httpx
from flow_sdk import CLIClient, FlowConfig

__all__ = ["Served", "add_agents", "announce_and_serve", "served_platform"]


class Served(NamedTuple):
    """The two clients of one served platform, and its URL."""

    url: str
    client: CLIClient
    http: httpx.Client
    preamble: tuple[str, ...] = ()
    """Lines the server printed before saying where it is (``preamble=N``)."""


def add_agents(platform: Any, count: int) -> None:
    """Store ``count`` agents in the dev workspace of ``platform`` directly (ids
    ``cmp_<index as 16 hex digits>``), the quick way to a big workspace."""
    from flow_sdk_local import (  # type: ignore[import-untyped, unused-ignore]
        DEV_ORG_ID,
        DEV_WORKSPACE_ID,
    )

    scope = f"{DEV_ORG_ID}/{DEV_WORKSPACE_ID}/agent"
    with platform.store.transaction() as tx:
        for index in range(count):
            data = {
                "type": "agent",
                "name": f"agent-{index:05d}",
                "description": "A benchmark agent with a short description.",
                "spec": {"model": "gpt-x", "temperature": 0.2, "tools": ["search", "math"]},
            }
            tx.insert("component", scope, f"cmp_{index:016x}", data, history=True)


def announce_and_serve(platform: Any) -> None:
    """Serve ``platform`` on loopback, print how to reach it, and stop when stdin closes."""
    from flow_sdk_local import (  # type: ignore[import-untyped, unused-ignore]
        DEV_ORG_ID,
        DEV_WORKSPACE_ID,
        LocalServer,
    )

    server = LocalServer(platform).start()
    info = {
        "url": server.url,
        "api_key": platform.dev_api_key,
        "org_id": DEV_ORG_ID,
        "workspace_id": DEV_WORKSPACE_ID,
    }
    print(json.dumps(info), flush=True)
    sys.stdin.read()
    server.stop()


@contextmanager
def served_platform(
    script: str, *serve_args: str, timeout_s: float = 60, preamble: int = 0
) -> Iterator[Served]:
    """Run ``script --serve *serve_args`` and connect to the platform it serves (after
    reading ``preamble`` lines the server prints first: what it made, say).

    The raw client sends the same bearer token the SDK gets, so both sides
    pay for the same requests; the server stops when this block ends.
    """
    server = subprocess.Popen(
        [sys.executable, script, "--serve", *serve_args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        before = tuple(server.stdout.readline() for _ in range(preamble))
        info = json.loads(server.stdout.readline())
        config = FlowConfig(
            platform_url=info["url"],
            api_key=info["api_key"],
            org_id=info["org_id"],
            workspace_id=info["workspace_id"],
        )
        with CLIClient(config) as client:
            token = CLIClient.exchange_api_key(info["url"], info["api_key"])
            with httpx.Client(
                base_url=info["url"],
                headers={"Authorization": f"Bearer {token}"},
                timeout=timeout_s,
            ) as http:
                yield Served(info["url"], client, http, before)
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=timeout_s)
