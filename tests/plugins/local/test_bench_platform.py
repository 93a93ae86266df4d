"""bench/components_list.py keeps its platform in memory, never in the user's data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[3] / "bench" / "components_list.py"


def test_the_bench_server_writes_no_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    environ = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "xdg"),
        "FLOW_DATA_DIR": str(home / "data"),
    }
    served = subprocess.run(
        [sys.executable, str(BENCH), "--serve", "--count", "3"],
        input="",  # the server stops when its standard input closes
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=True,
    )
    assert json.loads(served.stdout)["url"].startswith("http://127.0.0.1:")
    assert list(home.rglob("*")) == []
