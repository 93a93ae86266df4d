"""The `flow` command's start-up, against `python -c "import httpx"`, in the same run.

Prints, as ratios of CPU time (user + system) of whole fresh processes, against
`python -c "import httpx"` (lower is better):
  1. `flow --version` (must not get slower);
  2. `flow orgs list --json` against `local://` (target: at most 2.0), the
     second command after `flow local init`, so its access token is reused;
and what the second is made of: the local platform's own start-up (its
imports and routes) and the rest (flow-sdk, the plugins'
hooks, the command), each measured as a process of its own.

Run: make bench   (or: uv run python bench/cli.py [--quick])
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_ORGS = 2.0


def _cpu(argv: list[str], env: dict[str, str]) -> float:
    """CPU seconds a fresh process spends running ``argv`` (it must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (smoke run)")
    args = parser.parse_args()
    rounds = 5 if args.quick else 25

    with tempfile.TemporaryDirectory(prefix="flow-bench-cli-") as tmp:
        # Bytecode caches are written and used, as on a user's machine, even when the
        # shell that runs the benchmark sets PYTHONDONTWRITEBYTECODE.
        env = {
            k: v
            for k, v in os.environ.items()
            if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("FLOW_")
        }
        env.update(
            FLOW_CONFIG_DIR=str(Path(tmp) / "config"),
            FLOW_DATA_DIR=str(Path(tmp) / "data"),
            NO_COLOR="1",
        )
        flow = [sys.executable, "-m", "flow_sdk.cli"]
        subprocess.run([*flow, "local", "init"], check=True, env=env, capture_output=True)
        commands = {
            "httpx": [sys.executable, "-c", "import httpx"],
            "version": [*flow, "--version"],
            "orgs": [*flow, "orgs", "list", "--json"],
            # the parts of `orgs`: the local platform's start-up, and everything else
            "platform": [
                sys.executable,
                "-c",
                "from flow_sdk_local._platform import platform_for; "
                "platform_for('local://default')",
            ],
            "sdk": [sys.executable, "-c", "import flow_sdk"],
        }
        for argv in commands.values():
            _cpu(argv, env)  # compile bytecode, exchange the key once
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):  # interleaved, so load drift hits all alike
            for name, argv in commands.items():
                times[name].append(_cpu(argv, env))
    med = {name: statistics.median(values) for name, values in times.items()}
    raw = med["httpx"]

    def line(label: str, name: str, note: str) -> None:
        print(
            f"{label:<46} {med[name] * 1e3:8.1f} ms   httpx {raw * 1e3:7.1f} ms   "
            f"ratio {med[name] / raw:5.2f}  ({note})"
        )

    print(f"flow command start-up, CPU time of a whole process, median of {rounds}")
    line("flow --version", "version", "must not get slower")
    line("flow orgs list --json (local://, token reused)", "orgs", f"target ≤ {TARGET_ORGS:.2f}")
    platform_share = med["platform"] - med["sdk"]
    print(
        f"{'  of which the local platform start-up':<46} {platform_share * 1e3:8.1f} ms"
        f"   ({platform_share / raw:4.2f} x httpx: its imports and routes)"
    )
    rest = med["orgs"] - platform_share
    print(
        f"{'  and everything else':<46} {rest * 1e3:8.1f} ms"
        f"   ({rest / raw:4.2f} x httpx: flow-sdk, plugin hooks, the command)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
