"""Benchmark: appending 100,000 rows with client.datasets.append_rows, against raw httpx.

Two ways to the same local platform (flow-sdk-local, SQLite in a temporary file):

- in-process: the platform runs in this process behind its httpx transport;
- loopback: the platform runs in a separate process, served on 127.0.0.1, so
  the figures for the client are the client's alone.

For each, alternating rounds on fresh datasets with the same typed schema:

- SDK: ``client.datasets.append_rows(id, generator, batch_size=N)``: rows are
  encoded one at a time into JSON Lines batches, each batch one POST with its
  own Idempotency-Key, checked and stored all or nothing by the platform;
- raw: ``httpx.Client.post`` of the same rows in the same batch sizes, each
  batch built with ``json.dumps`` per row and sent with an Idempotency-Key.

Prints rows/s for both and their ratio (SDK / raw, 1.00 = as fast as raw), then
the peak memory of an SDK run: Python allocations traced by tracemalloc, and
the process's peak resident set (ru_maxrss) before and after (on loopback the
client process holds no platform, so that figure is the client's).

Run: uv run python bench/datasets_append.py [--rows 100000] [--batch-size 1000] [--rounds 3]
This is a benchmark, not a test: it asserts nothing it does not need to.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import httpx
from _common import announce_and_serve, served_platform
from flow_sdk import CLIClient, FlowConfig

SCHEMA = [
    {"name": "id", "type": "integer", "required": True},
    {"name": "name", "type": "string", "required": True},
    {"name": "score", "type": "number"},
    {"name": "active", "type": "boolean"},
    {"name": "tags", "type": "array"},
]


def rows(count: int) -> Iterator[dict[str, Any]]:
    """The benchmark's rows, made one at a time (a generator: nothing is held)."""
    for i in range(count):
        yield {
            "id": i,
            "name": f"customer-{i:07d}",
            "score": i * 0.25,
            "active": i % 3 != 0,
            "tags": ["retail", "eu"] if i % 2 else ["online"],
        }


def serve(path: str) -> None:
    """The server process: a platform on a database file, on loopback, until stdin closes."""
    from flow_sdk_local import LocalPlatform

    platform = LocalPlatform(f"local://bench-{uuid.uuid4().hex[:8]}", path=path)
    announce_and_serve(platform)
    platform.close()


def sdk_append(client: CLIClient, count: int, batch_size: int) -> int:
    dataset = client.datasets.create(name=f"sdk-{uuid.uuid4().hex[:6]}", schema=SCHEMA)
    result = client.datasets.append_rows(dataset.id, rows(count), batch_size=batch_size)
    return int(result.row_count)


def raw_append(http: httpx.Client, client: CLIClient, count: int, batch_size: int) -> int:
    dataset = client.datasets.create(name=f"raw-{uuid.uuid4().hex[:6]}", schema=SCHEMA)
    url = client._tenant_url(f"datasets/{dataset.id}/rows")
    batch: list[str] = []
    total = 0

    def send() -> int:
        body = ("\n".join(batch) + "\n").encode()
        response = http.post(
            url,
            content=body,
            headers={
                "Content-Type": "application/x-ndjson",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        response.raise_for_status()
        return int(json.loads(response.content)["row_count"])

    for row in rows(count):
        batch.append(json.dumps(row))
        if len(batch) >= batch_size:
            total = send()
            batch.clear()
    if batch:
        total = send()
    return total


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    stored = fn()
    return time.perf_counter() - start, stored


def max_rss_mb() -> float:
    """The process's peak resident set so far, in MB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)


def compare(
    label: str, client: CLIClient, http: httpx.Client, count: int, batch_size: int, rounds: int
) -> dict[str, float]:
    rss_start = max_rss_mb()
    sdk_append(client, 2000, batch_size)  # warm up: token exchange, connections, caches
    raw_append(http, client, 2000, batch_size)
    sdk_times, raw_times = [], []
    for _ in range(rounds):
        seconds, stored = timed(lambda: sdk_append(client, count, batch_size))
        assert stored == count, stored
        sdk_times.append(seconds)
        seconds, stored = timed(lambda: raw_append(http, client, count, batch_size))
        assert stored == count, stored
        raw_times.append(seconds)
    sdk_s, raw_s = statistics.median(sdk_times), statistics.median(raw_times)
    tracemalloc.start()
    sdk_append(client, count, batch_size)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = max_rss_mb()
    print(f"{label}: {count:,} rows, batch size {batch_size}, {rounds} round(s) each, alternating")
    print(f"  client.datasets.append_rows   {count / sdk_s:10,.0f} rows/s  ({sdk_s:.2f} s)")
    print(f"  raw httpx + json.dumps        {count / raw_s:10,.0f} rows/s  ({raw_s:.2f} s)")
    print(f"  ratio SDK / raw throughput: {raw_s / sdk_s:.2f} (1.00 = as fast as raw)")
    print(
        f"  peak memory of an SDK run: {traced_peak / 1e6:.1f} MB traced by tracemalloc; "
        f"process peak RSS (ru_maxrss) {rss_start:.0f} MB before these runs, "
        f"{rss_after:.0f} MB after\n"
    )
    return {"sdk_rows_per_s": count / sdk_s, "raw_rows_per_s": count / raw_s}


def in_process(count: int, batch_size: int, rounds: int, directory: Path) -> None:
    from flow_sdk_local import (
        DEV_ORG_ID,
        DEV_WORKSPACE_ID,
        LocalPlatform,
        LocalTransport,
        register_platform,
    )

    platform = LocalPlatform(
        f"local://bench-{uuid.uuid4().hex[:8]}", path=directory / "inprocess.sqlite3"
    )
    register_platform(platform)
    assert platform.dev_api_key is not None
    config = FlowConfig(
        platform_url=platform.url,
        api_key=platform.dev_api_key,
        org_id=DEV_ORG_ID,
        workspace_id=DEV_WORKSPACE_ID,
    )
    with CLIClient(config) as client:
        token = CLIClient.exchange_api_key(platform.url, platform.dev_api_key)
        with httpx.Client(
            base_url=platform.url,
            transport=LocalTransport(platform),
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ) as http:
            compare("in-process", client, http, count, batch_size, rounds)
    platform.close()


def over_loopback(count: int, batch_size: int, rounds: int, directory: Path) -> None:
    with served_platform(__file__, str(directory / "loopback.sqlite3")) as served:
        compare(f"loopback {served.url}", served.client, served.http, count, batch_size, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per append")
    parser.add_argument("--batch-size", type=int, default=1000, help="rows per request")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per side")
    parser.add_argument(
        "--only", choices=("inprocess", "loopback"), help="run one of the two ways only"
    )
    parser.add_argument("--serve", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory(prefix="flow-bench-datasets-") as tmp:
        if args.only in (None, "inprocess"):
            in_process(args.rows, args.batch_size, args.rounds, Path(tmp))
        if args.only in (None, "loopback"):
            over_loopback(args.rows, args.batch_size, args.rounds, Path(tmp))


if __name__ == "__main__":
    main()
