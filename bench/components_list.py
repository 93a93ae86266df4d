"""Benchmark: listing 10,000 components through client.agents.list() against raw httpx.

A local platform (flow-sdk-local, in memory) is filled with 10,000 agents and
served on 127.0.0.1 by a separate process, so the server has its own core and
the figures measure the client side. In the same run, alternating rounds:

- SDK: ``client.agents.list(page_size=N)``: every page fetched through the
  SDK's transport and decoded into typed ``Component`` records;
- raw: ``httpx.Client.get`` on the same pages (same cursors) + ``json.loads``
  into dicts.

Prints pages/s and items/s for both and their ratio (SDK / raw, higher is
better, 1.00 = as fast as raw), for page sizes 50 (the default) and 500 (the
maximum), and the decoding alone on the very same page bytes.

Run: uv run python bench/components_list.py [--count 10000] [--rounds 5]
This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import json
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import httpx
import msgspec
from _common import add_agents, announce_and_serve, served_platform
from flow_sdk import CLIClient, Component, Page


def serve(count: int) -> None:
    """The server process: fill a platform, serve it, print where, wait for stdin to close."""
    from flow_sdk_local import LocalPlatform  # type: ignore[import-untyped, unused-ignore]

    # a memory URL: the benchmark never writes into the user's data directory
    platform = LocalPlatform(f"local://memory-bench-{secrets.token_hex(4)}")
    add_agents(platform, count)
    announce_and_serve(platform)


def sdk_list(client: CLIClient, page_size: int) -> tuple[int, int]:
    pages = items = 0
    for page in client.agents.list(page_size=page_size).pages():
        pages += 1
        items += len(page.items)
        assert not page.items or isinstance(page.items[0], Component)
    return pages, items


def raw_list(http: httpx.Client, path: str, page_size: int) -> tuple[int, int]:
    pages = items = 0
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": page_size}
        if cursor:
            params["cursor"] = cursor
        response = http.get(path, params=params)
        response.raise_for_status()
        body = json.loads(response.content)
        pages += 1
        items += len(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return pages, items


def timed(fn: Callable[[], tuple[int, int]]) -> tuple[float, int, int]:
    start = time.perf_counter()
    pages, items = fn()
    return time.perf_counter() - start, pages, items


def raw_pages(http: httpx.Client, path: str, page_size: int) -> list[bytes]:
    bodies = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": page_size}
        if cursor:
            params["cursor"] = cursor
        content = http.get(path, params=params).content
        bodies.append(content)
        cursor = json.loads(content)["next_cursor"]
        if not cursor:
            return bodies


def decode_ratio(bodies: list[bytes], rounds: int) -> tuple[float, float]:
    """Seconds to decode every page: msgspec into typed records, json.loads into dicts."""
    page_type = Page[Component]
    typed, plain = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        for body in bodies:
            msgspec.json.decode(body, type=page_type)
        typed.append(time.perf_counter() - start)
        start = time.perf_counter()
        for body in bodies:
            json.loads(body)
        plain.append(time.perf_counter() - start)
    return statistics.median(typed), statistics.median(plain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="components to list")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per side")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.count)
        return

    print(f"filling a local platform with {args.count:,} agents and serving it on loopback…")
    with served_platform(__file__, "--count", str(args.count), timeout_s=30) as served:
        client, http = served.client, served.http
        path = client._tenant_url("components/agent")
        print(f"server {served.url}, {args.rounds} rounds each side, alternating\n")
        for page_size in (50, 500):
            sdk_list(client, page_size)  # warm up both (token exchange, connections)
            raw_list(http, path, page_size)
            sdk_times, raw_times = [], []
            pages = items = 0
            for _ in range(args.rounds):
                seconds, pages, items = timed(functools.partial(sdk_list, client, page_size))
                sdk_times.append(seconds)
                seconds, raw_page_count, raw_items = timed(
                    functools.partial(raw_list, http, path, page_size)
                )
                raw_times.append(seconds)
                assert (raw_page_count, raw_items) == (pages, items)
            sdk_s, raw_s = statistics.median(sdk_times), statistics.median(raw_times)
            print(f"page size {page_size}: {items:,} items in {pages} pages")
            print(
                f"  client.agents.list() (typed)  {pages / sdk_s:8.1f} pages/s "
                f"{items / sdk_s:10,.0f} items/s  ({sdk_s * 1000:.0f} ms)"
            )
            print(
                f"  raw httpx + json.loads        {pages / raw_s:8.1f} pages/s "
                f"{items / raw_s:10,.0f} items/s  ({raw_s * 1000:.0f} ms)"
            )
            print(f"  ratio SDK / raw throughput: {raw_s / sdk_s:.2f} (1.00 = as fast as raw)")
            typed, plain = decode_ratio(raw_pages(http, path, page_size), args.rounds)
            print(
                f"  decoding alone, same bytes: msgspec typed {typed * 1000:.1f} ms, "
                f"json.loads {plain * 1000:.1f} ms, ratio {plain / typed:.2f}x\n"
            )


if __name__ == "__main__":
    main()
