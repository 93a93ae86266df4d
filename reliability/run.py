"""``make reliability``: every reliability scenario at full size, one table of figures.

Each row is a scenario; every figure named in "must be 0" must be 0. CI runs
the same scenarios at a bounded size in ``tests/reliability``.

Run: make reliability   (or: uv run python reliability/run.py)
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import scenarios
from flow_sdk.cli import CLISettings, main
from flow_sdk_local import LocalServer, forget_platform
from flow_sdk_local.pytest_plugin import FlowCLI, PlatformHandle, _new_platform

MUST_BE_ZERO = {
    "faults, 30 %": ("duplicates", "lost writes"),
    "processes writing at once": ("processes failed", "writes lost", "duplicates"),
    "hostile requests": ("5xx", "hangs", "crashes"),
    "secrets in captured output": ("secrets found",),
    "credentials to a foreign host": ("requests with a credential",),
    "cross-tenant reads (in-process)": ("cross-tenant reads",),
    "cross-tenant reads (socket)": ("cross-tenant reads",),
}
LIMITS = {
    ("faults, 30 %", "failed %"): 5.0,
    ("platform down", "attempts per call"): 1.2,
}


def _flow(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), settings=CLISettings(stdout=out, stderr=err, sleep=lambda s: None))
    return code, out.getvalue(), err.getvalue()


def _handle() -> PlatformHandle:
    platform = _new_platform()
    return PlatformHandle(platform, platform.url, "inprocess")


def run() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as home:
        os.environ["FLOW_CONFIG_DIR"] = str(Path(home) / "config")
        os.environ["FLOW_DATA_DIR"] = str(Path(home) / "data")
        handle = _handle()
        table["faults, 30 %"] = scenarios.faulted_calls(handle, calls=1000)
        table["platform down"] = scenarios.platform_down(handle, calls=1000)
        table["processes writing at once"] = scenarios.concurrent_writers(processes=8, writes=50)
        table["cross-tenant reads (in-process)"] = scenarios.cross_tenant_reads(_handle())
        table["secrets in captured output"] = scenarios.secrets_in_output(
            handle, FlowCLI(handle, Path(home) / "config")
        )
        table["credentials to a foreign host"] = scenarios.credentials_to_foreign_hosts(_flow)
        platform = _new_platform()
        with LocalServer(platform) as server:
            served = PlatformHandle(platform, server.url, "socket")
            table["cross-tenant reads (socket)"] = scenarios.cross_tenant_reads(served)
            table["hostile requests"] = scenarios.hostile_requests(server.url, served.token())
            served._close_clients()
        forget_platform(platform.url)
        handle._close_clients()
    return table


def main_() -> int:
    started = time.perf_counter()
    table = run()
    failed = []
    print(f"flow-sdk reliability — python {sys.version.split()[0]}")
    for name, figures in table.items():
        cells = "   ".join(f"{k} {v}" for k, v in figures.items())
        zero = MUST_BE_ZERO.get(name, ())
        bad = [k for k in zero if figures.get(k) != 0]
        bad += [k for (row, k), limit in LIMITS.items() if row == name and figures[k] > limit]
        failed += [f"{name}: {k}" for k in bad]
        print(f"{name:<34} {cells}{'   ← FAIL' if bad else ''}")
    print(f"({time.perf_counter() - started:.0f} s)")
    print("figures: " + json.dumps(table))
    if failed:
        print("must be 0 (or within its limit) but is not: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main_())
