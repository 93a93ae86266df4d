"""The README's main-job command runs end to end and says what it did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def test_quickstart_runs_against_the_embedded_platform(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOW_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["QUICKSTART_DIR"] = str(tmp_path / "state")
    result = subprocess.run(
        ["bash", str(ROOT / "examples/quickstart/run.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for command in (
        "flow local init",
        "flow auth status",
        "flow orgs list",
        "flow workspaces list",
        "flow api GET",
    ):
        assert f"$ {command}" in out
    assert "created agent cmp_" in out
    assert "succeeded, outputs {'count': 6}" in out
    assert "workflow deployed to prod: active" in out
    assert "v1 answered {'count': 6}" in out
    assert '"name": "support-bot"' in out
    assert "quickstart finished in" in out
    # The profile's API key is stored, never printed.
    assert "fl_" not in out
    assert (tmp_path / "state/config/credentials.json").stat().st_mode & 0o077 == 0
    assert "flow local serve --console" in out

    # what the quickstart made is in the console it points to
    ids = dict(
        line.removeprefix("export ").split("=", 1)
        for line in (tmp_path / "state/ids.env").read_text().splitlines()
        if "=" in line
    )
    env["FLOW_CONFIG_DIR"] = str(tmp_path / "state/config")
    env["FLOW_DATA_DIR"] = str(tmp_path / "state/data")
    server = subprocess.Popen(
        ["flow", "local", "serve", "--port", "0", "--console", "--no-open"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        link = ""
        while not link:
            line = server.stderr.readline()
            assert line, "flow local serve --console printed no link"
            link = next((word for word in line.split() if "/console/login?" in word), "")
        base = link.split("/console/", 1)[0]
        with httpx.Client(timeout=30) as browser:
            assert browser.get(link).status_code == 303
            page = browser.get(
                f"{base}/console/components",
                params={"org": ids["ORG_ID"], "ws": ids["WORKSPACE_ID"], "type": "agent"},
            )
        assert page.status_code == 200, page.text
        assert ">support-bot</a>" in page.text
    finally:
        server.terminate()
        server.wait(timeout=30)
