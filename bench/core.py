"""Core benchmark: CLIClient against raw httpx, measured in the same run.

Prints, as ratios (SDK time / raw httpx time, lower is better):
  1. per-call time for a small JSON object (target: within 1.10);
  2. a list of 1,000 objects decoded into typed records, against raw
     httpx + json.loads (target: at most 0.60);
  3. start-up: `import flow_sdk`, a client with every installed plugin and
     first access to all 24 namespaces, against `import httpx; httpx.Client()`,
     in CPU time of fresh processes (target: within 1.20), for CLIClient and
     for AsyncCLIClient;
and checks that `import flow_sdk` imports no plugin.

Run: make bench   (or: uv run python bench/core.py [--quick])
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import httpx
from _server import serve_bytes
from flow_sdk import CLIClient, ComponentTypeNamespace, FlowConfig
from flow_sdk._catalog import FIRST_PARTY_NAMESPACES

ORG, WS = "org_bench", "ws_bench"
BASE = f"/api/v1/orgs/{ORG}/workspaces/{WS}/components/agent"


def _component(i: int) -> dict[str, object]:
    return {
        "id": f"cmp_{i:06d}",
        "type": "agent",
        "name": f"agent-{i}",
        "description": "A benchmark agent with a short description.",
        "spec": {"model": "gpt-x", "temperature": 0.2, "tools": ["search", "math"]},
        "version": 3,
        "created_at": "2026-11-29T12:00:00Z",
        "updated_at": "2026-11-29T12:30:00Z",
    }


ROUTES = {
    f"{BASE}/cmp_000001": json.dumps(_component(1)).encode(),
    BASE: json.dumps({"items": [_component(i) for i in range(1000)], "next_cursor": None}).encode(),
}


def _median_us(fn: Callable[[], object], rounds: int, inner: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner * 1e6)
    return samples


def compare(
    label: str,
    sdk: Callable[[], object],
    raw: Callable[[], object],
    *,
    rounds: int,
    inner: int,
    target: str,
) -> float:
    for fn in (sdk, raw):  # warm up connections and caches
        for _ in range(inner):
            fn()
    sdk_samples: list[float] = []
    raw_samples: list[float] = []
    for _ in range(rounds):  # interleave so drift hits both alike
        sdk_samples += _median_us(sdk, 1, inner)
        raw_samples += _median_us(raw, 1, inner)
    sdk_med, raw_med = statistics.median(sdk_samples), statistics.median(raw_samples)
    ratio = sdk_med / raw_med
    print(
        f"{label:<44} sdk {sdk_med:9.1f} µs   raw {raw_med:9.1f} µs   "
        f"ratio {ratio:5.2f}  (target {target})"
    )
    return ratio


NAMESPACES = sorted(FIRST_PARTY_NAMESPACES)  # all 24
_TOUCH = f"for name in {NAMESPACES!r}:\n    getattr(c, name)\n"
STARTUP_SDK = (
    "import flow_sdk\n"
    "c = flow_sdk.CLIClient(flow_sdk.FlowConfig(platform_url='https://flow.example', "
    "access_token='t'))\n" + _TOUCH
)
STARTUP_ASYNC = (
    "import flow_sdk\n"
    "c = flow_sdk.AsyncCLIClient(flow_sdk.FlowConfig(platform_url='https://flow.example', "
    "access_token='t'))\n" + _TOUCH
)
STARTUP_RAW = "import httpx\nhttpx.Client()\n"
# The runtime dependencies the SDK must import anyway: how much of the gap is theirs.
STARTUP_DEPS = "import httpx, msgspec, pluggy\nhttpx.Client()\n"
NO_PLUGIN_CHECK = (
    "import sys, flow_sdk\n"
    "bad = sorted(m for m in sys.modules if m.startswith('flow_sdk_'))\n"
    "print(','.join(bad))\n"
)


def _process_time(code: str) -> float:
    """CPU seconds (user + system) a fresh interpreter spends running ``code``."""
    import resource

    # Bytecode caches are written and used, as on a user's machine, even when the
    # shell that runs the benchmark sets PYTHONDONTWRITEBYTECODE.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def startup(rounds: int) -> tuple[float, float, float]:
    codes = {"sdk": STARTUP_SDK, "async": STARTUP_ASYNC, "raw": STARTUP_RAW, "deps": STARTUP_DEPS}
    for code in codes.values():
        _process_time(code)  # compile bytecode once
    baseline = _process_time("pass")
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(rounds):  # interleaved, so load drift hits all alike
        for name, code in codes.items():
            times[name].append(_process_time(code))
    med = {name: statistics.median(values) for name, values in times.items()}
    ratio, async_ratio = med["sdk"] / med["raw"], med["async"] / med["raw"]
    floor = med["deps"] / med["raw"]
    for label, key, value in (
        ("start-up: CLIClient + all 24 namespaces", "sdk", ratio),
        ("start-up: AsyncCLIClient + all 24 namespaces", "async", async_ratio),
    ):
        print(
            f"{label:<44} sdk {med[key] * 1e3:9.1f} ms   raw {med['raw'] * 1e3:9.1f} ms   "
            f"ratio {value:5.2f}  (target ≤ 1.20, CPU time; "
            f"bare interpreter {baseline * 1e3:.1f} ms)"
        )
    print(
        f"{'  of which the dependencies (msgspec, pluggy)':<44} deps {med['deps'] * 1e3:8.1f} ms   "
        f"raw {med['raw'] * 1e3:9.1f} ms   ratio {floor:5.2f}  (the floor for any code of ours)"
    )
    return ratio, async_ratio, floor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (smoke run)")
    args = parser.parse_args()
    rounds = 5 if args.quick else 15
    print(f"flow-sdk core benchmark — python {sys.version.split()[0]}, httpx {httpx.__version__}")
    results: dict[str, float] = {}
    with serve_bytes(ROUTES) as url:
        config = FlowConfig(
            platform_url=url, access_token="bench-token", org_id=ORG, workspace_id=WS
        )
        client = CLIClient(config, plugins=[])
        agents = ComponentTypeNamespace(client, "agent")
        raw = httpx.Client(
            base_url=url, headers={"Authorization": "Bearer bench-token"}, timeout=30
        )
        results["small_object"] = compare(
            "small object: agents.get → typed record",
            lambda: agents.get("cmp_000001"),
            lambda: raw.get(f"{BASE}/cmp_000001").json(),
            rounds=rounds,
            inner=200,
            target="≤ 1.10",
        )
        results["small_object_dict"] = compare(
            "small object: reference _call → dict",
            lambda: client._call("GET", f"{BASE}/cmp_000001"),
            lambda: raw.get(f"{BASE}/cmp_000001").json(),
            rounds=rounds,
            inner=200,
            target="≤ 1.10",
        )
        results["list_1000"] = compare(
            "1,000 objects: agents.list → typed records",
            lambda: agents.list(page_size=500).to_list(),
            lambda: json.loads(raw.get(BASE, params={"limit": 500}).content),
            rounds=rounds,
            inner=10,
            target="≤ 0.60",
        )
        client.close()
        raw.close()
    (
        results["startup"],
        results["startup_async"],
        results["startup_dependency_floor"],
    ) = startup(rounds)
    leaked = subprocess.run(
        [sys.executable, "-c", NO_PLUGIN_CHECK], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"`import flow_sdk` imports no plugin: {'yes' if not leaked else 'NO: ' + leaked}")
    print("figures: " + json.dumps({k: round(v, 3) for k, v in results.items()}))
    return 0 if not leaked else 1


if __name__ == "__main__":
    raise SystemExit(main())
