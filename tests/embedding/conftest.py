"""Helpers for the embedding guarantees: run Python in a fresh interpreter.

This folder is put on ``sys.path`` so tests import the shared session
(``quiet_session``) by name, as tests/cli does with its fakes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

RunPython = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """The process environment minus FLOW_*, with config and data in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOW_")}
    env["FLOW_CONFIG_DIR"] = str(tmp_path / "config")
    env["FLOW_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture
def run_python(clean_env: dict[str, str], tmp_path: Path) -> RunPython:
    """``run_python(*args, env=..., stdin=...)``: this venv's Python in a fresh process."""

    def run(
        *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            capture_output=True,
            text=True,
            env={**clean_env, **(env or {})},
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    return run
