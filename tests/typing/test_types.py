"""Types are part of the interface: what a user's ``mypy --strict`` sees.

``user_script.py`` uses every namespace of both clients and asserts the exact
type of each namespace and of typical results; ``mistakes.py`` holds mistakes
that must each be an error. mypy checks the scripts only (installed packages
are followed silently, as they are for a user).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def _mypy(script: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--no-error-summary",
            "--show-error-codes",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(script),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_a_script_over_every_namespace_passes_mypy_strict() -> None:
    result = _mypy(HERE / "user_script.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_mistakes_are_type_errors() -> None:
    script = HERE / "mistakes.py"
    expected = {
        number: line.rsplit("# E:", 1)[1].strip()
        for number, line in enumerate(script.read_text().splitlines(), 1)
        if "# E:" in line
    }
    assert len(expected) == 9
    result = _mypy(script)
    found: dict[int, set[str]] = {}
    for match in re.finditer(r"mistakes\.py:(\d+): error: .*\[([\w-]+)\]", result.stdout):
        found.setdefault(int(match.group(1)), set()).add(match.group(2))
    missing = {n: code for n, code in expected.items() if code not in found.get(n, set())}
    assert missing == {}, result.stdout
    unexpected = sorted(set(found) - set(expected))
    assert unexpected == [], result.stdout
