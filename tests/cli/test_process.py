"""``flow`` as a real process: exit codes reach the shell, importing it stays cheap."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from flow_sdk.cli._output import Progress


def _flow(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flow_sdk.cli", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_exit_codes_reach_the_shell(tmp_path: Path) -> None:
    env = {**os.environ, "FLOW_CONFIG_DIR": str(tmp_path), "FLOW_PLUGINS": ""}
    version = _flow("--version", env=env)
    assert version.returncode == 0
    assert version.stdout.startswith("flow ")
    assert _flow("no-such-command", env=env).returncode == 2
    not_logged_in = _flow("--platform-url", "https://flow.invalid", "orgs", "list", env=env)
    assert not_logged_in.returncode == 4
    assert "flow login" in not_logged_in.stderr


def test_importing_the_cli_loads_no_plugin() -> None:
    code = (
        "import sys, flow_sdk.cli\n"
        "loaded = [m for m in sys.modules if m.startswith('flow_sdk_')]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def test_progress_rewrites_one_line_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=True)
    progress("step 1")
    progress("step 2")
    progress.done("finished")
    assert stream.getvalue() == "\r\x1b[Kstep 1\r\x1b[Kstep 2\r\x1b[Kfinished\n"
    plain = io.StringIO()
    lines = Progress(plain, tty=False)
    lines("step 1")
    lines.done()
    assert plain.getvalue() == "step 1\n"


def test_every_public_name_is_documented_in_cli_plugins_md() -> None:
    import flow_sdk.cli

    guide = (Path(__file__).parents[2] / "core" / "CLI-PLUGINS.md").read_text()
    missing = [name for name in flow_sdk.cli.__all__ if name not in guide]
    assert not missing, f"document these in core/CLI-PLUGINS.md: {missing}"
