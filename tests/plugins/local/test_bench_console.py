"""bench/console.py runs end to end (small sizes) and reports every page against raw httpx."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[3] / "bench" / "console.py"
PAGES = (
    "overview",
    "agents, first page",
    "agents, page 50",
    "an agent's detail",
    "agents, a name searched",
    "dataset rows, first page",
    "dataset rows, page 50",
    "dataset rows, the last page",
)


def test_the_console_bench_reports_each_page(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    environ = {**os.environ, "HOME": str(home), "FLOW_DATA_DIR": str(home / "data")}
    run = subprocess.run(
        [sys.executable, str(BENCH), "--components", "1100", "--rows", "1100", "--rounds", "2"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    for page in PAGES:
        row = next((line for line in lines if line.strip().startswith(page)), None)
        assert row is not None, run.stdout
        median, p95, ratio, verdict = row.split()[-4:]
        assert float(median) > 0
        assert float(p95) >= float(median)
        assert ratio.endswith("x")
        assert verdict in ("yes", "NO")
    assert list(home.rglob("*")) == []  # the platform stays in memory
