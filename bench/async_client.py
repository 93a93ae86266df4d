"""Async benchmark: AsyncCLIClient against raw clients, at 50 requests in flight.

Every figure is measured in this run, against a loopback server in its own
process. Prints requests per second and, as ratios (higher is better):
  1. AsyncCLIClient / raw httpx.AsyncClient on the same transport (target ≥ 0.85),
     for httpx's own AsyncHTTPTransport and for httpx-aiohttp's AiohttpTransport;
  2. AsyncCLIClient (default transport) / CLIClient sequential (target ≥ 1.6);
  3. the candidates for the default async transport, against raw aiohttp (the floor).

Run: make bench   (or: uv run python bench/async_client.py [--quick])
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import httpx
from _server import serve_async_forever, serve_bytes_in_process
from flow_sdk import AsyncCLIClient, CLIClient, ComponentTypeNamespace, FlowConfig

ORG, WS = "org_bench", "ws_bench"
PATH = f"/api/v1/orgs/{ORG}/workspaces/{WS}/components/agent/cmp_000001"
COMPONENT = {
    "id": "cmp_000001",
    "type": "agent",
    "name": "agent-1",
    "description": "A benchmark agent with a short description.",
    "spec": {"model": "gpt-x", "temperature": 0.2, "tools": ["search", "math"]},
    "version": 3,
    "created_at": "2026-11-29T12:00:00Z",
    "updated_at": "2026-11-29T12:30:00Z",
}
ROUTES = {PATH: json.dumps(COMPONENT).encode()}
CONCURRENCY = 50
HEADERS = {"Authorization": "Bearer bench-token"}


async def _rate(call: Callable[[], Awaitable[object]], total: int) -> float:
    """Requests per second for ``total`` calls, ``CONCURRENCY`` at a time."""
    per_task = total // CONCURRENCY

    async def worker() -> None:
        for _ in range(per_task):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return per_task * CONCURRENCY / (time.perf_counter() - start)


def _config(url: str) -> FlowConfig:
    return FlowConfig(platform_url=url, access_token="bench-token", org_id=ORG, workspace_id=WS)


def _aiohttp_transport() -> httpx.AsyncBaseTransport:
    from httpx_aiohttp import AiohttpTransport  # type: ignore[import-untyped, unused-ignore]

    return AiohttpTransport()  # type: ignore[no-any-return, unused-ignore]


async def _contenders(
    url: str, closers: list[Callable[[], Awaitable[object]]]
) -> dict[str, Callable[[], Awaitable[object]]]:
    import aiohttp

    session = aiohttp.ClientSession(
        base_url=url, headers=HEADERS, connector=aiohttp.TCPConnector(limit=100)
    )

    async def raw_aiohttp() -> object:
        async with session.get(PATH) as response:
            return await response.json()

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    raw_httpx = httpx.AsyncClient(base_url=url, headers=HEADERS, limits=limits)
    raw_httpx_aiohttp = httpx.AsyncClient(
        base_url=url, headers=HEADERS, transport=_aiohttp_transport()
    )
    sdk_default = AsyncCLIClient(_config(url), plugins=[])
    sdk_httpx = AsyncCLIClient(
        _config(url), plugins=[], transport=httpx.AsyncHTTPTransport(limits=limits)
    )
    sdk_aiohttp = AsyncCLIClient(_config(url), plugins=[], transport=_aiohttp_transport())

    closers += [
        session.close,
        raw_httpx.aclose,
        raw_httpx_aiohttp.aclose,
        sdk_default.aclose,
        sdk_httpx.aclose,
        sdk_aiohttp.aclose,
    ]

    async def raw(client: httpx.AsyncClient) -> object:
        return (await client.get(PATH)).json()

    def sdk(client: AsyncCLIClient) -> Callable[[], Awaitable[object]]:
        agents = ComponentTypeNamespace(client, "agent")
        return lambda: agents.get("cmp_000001")

    return {
        "raw aiohttp": raw_aiohttp,
        "raw httpx (AsyncHTTPTransport)": lambda: raw(raw_httpx),
        "sdk, AsyncHTTPTransport": sdk(sdk_httpx),
        "raw httpx (AiohttpTransport)": lambda: raw(raw_httpx_aiohttp),
        "sdk, AiohttpTransport": sdk(sdk_aiohttp),
        "sdk, default transport": sdk(sdk_default),
    }


def _sync_rate(url: str, total: int) -> float:
    with CLIClient(_config(url), plugins=[]) as client:
        agents = ComponentTypeNamespace(client, "agent")
        for _ in range(50):
            agents.get("cmp_000001")
        start = time.perf_counter()
        for _ in range(total):
            agents.get("cmp_000001")
        return total / (time.perf_counter() - start)


async def _measure(url: str, rounds: int, total: int) -> dict[str, float]:
    closers: list[Callable[[], Awaitable[object]]] = []
    contenders = await _contenders(url, closers)
    try:
        for call in contenders.values():  # warm up connections
            await _rate(call, CONCURRENCY * 4)
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):  # interleaved, so load drift hits all alike
            for name, call in contenders.items():
                samples[name].append(await _rate(call, total))
    finally:
        for close in closers:
            await close()
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (smoke run)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_async_forever(ROUTES)
        return 0
    rounds, total = (3, 1000) if args.quick else (7, 3000)
    print(
        f"flow-sdk async benchmark — python {sys.version.split()[0]}, httpx {httpx.__version__}, "
        f"{CONCURRENCY} requests in flight"
    )
    with serve_bytes_in_process(__file__) as url:
        rates = asyncio.run(_measure(url, rounds, total))
        sync_rates = [_sync_rate(url, total // 2) for _ in range(rounds)]
    sync_rate = statistics.median(sync_rates)
    for name, rate in rates.items():
        print(f"{name:<36} {rate:9.0f} req/s")
    print(f"{'sdk sync CLIClient, sequential':<36} {sync_rate:9.0f} req/s")
    figures = {
        "sdk_vs_raw_httpx_transport": rates["sdk, AsyncHTTPTransport"]
        / rates["raw httpx (AsyncHTTPTransport)"],
        "sdk_vs_raw_aiohttp_transport": rates["sdk, AiohttpTransport"]
        / rates["raw httpx (AiohttpTransport)"],
        "async_default_vs_sync_sequential": rates["sdk, default transport"] / sync_rate,
        "httpx_transport_vs_raw_aiohttp": rates["raw httpx (AsyncHTTPTransport)"]
        / rates["raw aiohttp"],
        "aiohttp_transport_vs_raw_aiohttp": rates["raw httpx (AiohttpTransport)"]
        / rates["raw aiohttp"],
        "httpx_transport_vs_sync_sequential": rates["sdk, AsyncHTTPTransport"] / sync_rate,
        "aiohttp_transport_vs_sync_sequential": rates["sdk, AiohttpTransport"] / sync_rate,
    }
    print(
        f"{'sdk / raw httpx, AsyncHTTPTransport':<44} ratio "
        f"{figures['sdk_vs_raw_httpx_transport']:5.2f}  (target ≥ 0.85)"
    )
    print(
        f"{'sdk / raw httpx, AiohttpTransport':<44} ratio "
        f"{figures['sdk_vs_raw_aiohttp_transport']:5.2f}  (target ≥ 0.85)"
    )
    print(
        f"{'async default transport / sync sequential':<44} ratio "
        f"{figures['async_default_vs_sync_sequential']:5.2f}  (target ≥ 1.6)"
    )
    print("figures: " + json.dumps({k: round(v, 3) for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
