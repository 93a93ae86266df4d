"""Benchmark: how long a page of the local web console takes, at 10,000 components and a
million dataset rows, against raw httpx getting the same page of data as JSON.

A local platform (in memory) is filled in a separate process: 10,000 agents and a
dataset of 1,000,000 rows, then served on 127.0.0.1 so the figures are whole
requests (routing, the console's cookie check, the queries, the HTML) as a
browser sees them. In the same run, alternating rounds:

- console: ``GET /console/…`` with the console cookie, for the overview, the
  first and a later page of agents, an agent's detail, a search for one agent's
  name among all of them, the dataset's first page of rows, page 50, and its last
  page (reached with "Go to row");
- raw: ``httpx.Client.get`` of the API's JSON for a page of agents and of rows
  (the platform's fastest answer for the same data), the yardstick.

Prints each page's median and 95th percentile in milliseconds, its ratio to the
raw JSON page (console / raw: lower is better), and whether it is under the
100 ms budget.

Run: uv run python bench/console.py [--components 10000] [--rows 1000000] [--rounds 30]
This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import statistics
import sys
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import httpx
from _common import add_agents, announce_and_serve, served_platform

BUDGET_MS = 100.0
SCHEMA = [
    {"name": "id", "type": "integer", "required": True},
    {"name": "name", "type": "string", "required": True},
    {"name": "score", "type": "number"},
]


def _rows(count: int) -> Iterator[dict[str, Any]]:
    for index in range(count):
        yield {"id": index, "name": f"row {index}", "score": index / 7}


def serve(components: int, rows: int) -> None:
    """The server process: fill a platform in memory, serve it, print where and how to get
    into its console, and wait for stdin to close."""
    from flow_sdk import CLIClient, FlowConfig
    from flow_sdk_local import (  # type: ignore[import-untyped, unused-ignore]
        DEV_ORG_ID,
        DEV_WORKSPACE_ID,
        platform_for,
    )

    # a memory URL: the benchmark never writes into the user's data directory
    url = f"local://memory-bench-{secrets.token_hex(4)}"
    platform = platform_for(url)
    add_agents(platform, components)
    config = FlowConfig(
        platform_url=url,
        api_key=platform.dev_api_key,
        org_id=DEV_ORG_ID,
        workspace_id=DEV_WORKSPACE_ID,
    )
    with CLIClient(config) as client:
        dataset = client.datasets.create(name="a million rows", schema=SCHEMA)
        client.datasets.append_rows(dataset.id, _rows(rows), batch_size=10_000)
    print(json.dumps({"dataset": dataset.id, "secret": platform.admin_secret}), flush=True)
    announce_and_serve(platform)


def _timed(http: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    answer = http.get(path)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise SystemExit(f"GET {path}: {answer.status_code} {answer.text[:300]}")
    return elapsed * 1000


def _next_page(http: httpx.Client, path: str, hops: int) -> str:
    """The console path ``hops`` "Next page" links after ``path``."""
    for _ in range(hops):
        match = re.search(r'rel="next" href="([^"]+)"', http.get(path).text)
        if match is None:
            raise SystemExit(f"{path}: no next page")
        path = unescape(match.group(1))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--components", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.components, args.rows) < 1001:
        parser.error("--components and --rows need 1,001 or more (page 50 of 20 is timed)")
    if args.serve:
        serve(args.components, args.rows)
        return 0

    from flow_sdk_local.console import COOKIE, login_link

    print(
        f"filling a platform with {args.components:,} agents and {args.rows:,} dataset rows…",
        flush=True,
    )
    started = time.perf_counter()
    script = str(Path(__file__).resolve())
    with served_platform(
        script,
        "--components",
        str(args.components),
        "--rows",
        str(args.rows),
        timeout_s=600,
        preamble=1,
    ) as served:
        print(f"filled and served in {time.perf_counter() - started:.1f} s\n")
        extra = json.loads(served.preamble[0])
        console = httpx.Client(base_url=served.url, timeout=60)
        answer = console.get(login_link(served.url, extra["secret"]))
        console.cookies.set(COOKIE, answer.cookies[COOKIE], path="/console")
        ws = "org=org_dev&ws=ws_dev"
        api = "/api/v1/orgs/org_dev/workspaces/ws_dev"
        agents = f"/console/components?{ws}&type=agent"
        rows = f"/console/datasets?{ws}&id={extra['dataset']}"
        pages = {
            "overview": f"/console/overview?{ws}",
            "agents, first page": agents,
            "agents, page 50": _next_page(console, agents, 49),
            "an agent's detail": f"{agents}&id=cmp_{args.components // 2:016x}",
            "agents, a name searched": f"{agents}&q=AGENT-{args.components - 1:05d}",
            "dataset rows, first page": rows,
            "dataset rows, page 50": _next_page(console, rows, 49),
            "dataset rows, the last page": f"{rows}&row={args.rows - 19}",
        }
        raw = {
            "agents": f"{api}/components/agent?limit=20",
            "rows": f"{api}/datasets/{extra['dataset']}/rows?limit=20",
        }
        yardstick = {
            "overview": "agents",
            "agents, first page": "agents",
            "agents, page 50": "agents",
            "an agent's detail": "agents",
            "agents, a name searched": "agents",
            "dataset rows, first page": "rows",
            "dataset rows, page 50": "rows",
            "dataset rows, the last page": "rows",
        }
        times: dict[str, list[float]] = {name: [] for name in [*pages, *raw]}
        for _ in range(args.rounds):
            for name, path in raw.items():
                times[name].append(_timed(served.http, path))
            for name, path in pages.items():
                times[name].append(_timed(console, path))
        console.close()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]

    print(f"{'raw JSON page (httpx)':<30} {'median ms':>10} {'p95 ms':>8}")
    for name in raw:
        print(f"  {name:<28} {statistics.median(times[name]):>10.2f} {p95(times[name]):>8.2f}")
    print(
        f"\n{'console page':<30} {'median ms':>10} {'p95 ms':>8} {'vs raw':>7}  "
        f"under {BUDGET_MS:g} ms"
    )
    for name in pages:
        median = statistics.median(times[name])
        ratio = median / statistics.median(times[yardstick[name]])
        verdict = "yes" if p95(times[name]) < BUDGET_MS else "NO"
        print(f"  {name:<28} {median:>10.2f} {p95(times[name]):>8.2f} {ratio:>6.2f}x  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
