"""No network call, file write or process at import or construction time.

Each phase runs in a fresh interpreter under ``sys.addaudithook``
(tests/embedding/audit_probe.py), so the hook sees everything the SDK does,
including imports of every installed plugin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROBE = str(Path(__file__).with_name("audit_probe.py"))
RunPython = Any


def probe(run_python: RunPython, phase: str) -> list[list[str]]:
    result = run_python(PROBE, phase)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # nothing printed or warned either
    events: list[list[str]] = json.loads(result.stdout)["events"]
    return events


def test_the_probe_sees_writes_connections_and_processes(run_python: RunPython) -> None:
    seen = {event for event, _ in probe(run_python, "self-check")}
    assert {"open", "socket.connect", "subprocess.Popen"} <= seen


def test_import_does_no_io(run_python: RunPython) -> None:
    assert probe(run_python, "import") == []


def test_construction_with_every_plugin_and_a_remote_url_does_no_io(
    run_python: RunPython,
) -> None:
    assert probe(run_python, "construct") == []


def test_construction_on_the_default_local_platform_writes_no_file(
    run_python: RunPython, tmp_path: Path
) -> None:
    assert probe(run_python, "construct-local") == []
    assert not (tmp_path / "data").exists()
