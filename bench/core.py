"""Core benchmark: CLIClient against raw httpx, measured in the same run.

Prints, as ratios (SDK time / raw httpx time, lower is better):
  1. per-call time for a small JSON object (target: within 1.10);
  2. a list of 1,000 objects decoded into typed records, against raw
     httpx + json.loads (target: at most 0.60);
  3. start-up: `import flow_sdk` + a client with every installed plugin,
     against `import httpx; httpx.Client()`, each in fresh processes
     (target: within 1.15);
and checks that `import flow_sdk` imports no plugin.

Run: make bench   (or: uv run python bench/core.py [--quick])
"""

from __future__ import annotations

import argparse
import json
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


STARTUP_SDK = (
    "import flow_sdk\n"
    "c = flow_sdk.CLIClient(flow_sdk.FlowConfig(platform_url='https://flow.example', "
    "access_token='t'))\n"
    "c.plugins()\n"
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
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def startup(rounds: int) -> tuple[float, float]:
    for code in (STARTUP_SDK, STARTUP_RAW, STARTUP_DEPS):
        _process_time(code)  # compile bytecode once
    baseline = _process_time("pass")
    sdk, raw, deps = [], [], []
    for _ in range(rounds):  # interleaved, so load drift hits all three alike
        sdk.append(_process_time(STARTUP_SDK))
        raw.append(_process_time(STARTUP_RAW))
        deps.append(_process_time(STARTUP_DEPS))
    sdk_med, raw_med = statistics.median(sdk), statistics.median(raw)
    deps_med = statistics.median(deps)
    ratio, floor = sdk_med / raw_med, deps_med / raw_med
    print(
        f"{'start-up: import + client, all plugins':<44} sdk {sdk_med * 1e3:9.1f} ms   "
        f"raw {raw_med * 1e3:9.1f} ms   ratio {ratio:5.2f}  (target ≤ 1.15; "
        f"bare interpreter {baseline * 1e3:.1f} ms)"
    )
    print(
        f"{'  of which the dependencies (msgspec, pluggy)':<44} deps {deps_med * 1e3:8.1f} ms   "
        f"raw {raw_med * 1e3:9.1f} ms   ratio {floor:5.2f}  (the floor for any code of ours)"
    )
    return ratio, floor


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
    results["startup"], results["startup_dependency_floor"] = startup(rounds)
    leaked = subprocess.run(
        [sys.executable, "-c", NO_PLUGIN_CHECK], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"`import flow_sdk` imports no plugin: {'yes' if not leaked else 'NO: ' + leaked}")
    print("figures: " + json.dumps({k: round(v, 3) for k, v in results.items()}))
    return 0 if not leaked else 1


if __name__ == "__main__":
    raise SystemExit(main())
