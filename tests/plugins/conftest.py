"""Fixtures shared by the plugins' tests."""

from __future__ import annotations

import ast
import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PLUGINS = Path(__file__).parents[2] / "plugins"

#: Runs a plugin's README example; returns (what it printed, what it says it prints).
ReadmeRunner = Callable[[str], tuple[list[str], list[str]]]


def _python_blocks(readme: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), re.DOTALL)


def _promised_output(example: str) -> list[str]:
    """The comment at the end of each ``print(...)``: what the example says it prints."""
    lines = example.splitlines()
    calls = [
        node
        for node in ast.walk(ast.parse(example))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
    ]
    ends = sorted(call.end_lineno or call.lineno for call in calls)
    return [lines[end - 1].split("  # ", 1)[1] for end in ends]


@pytest.fixture
def run_readme_example(
    flow_transport_mode: str,
    local_platform: Any,
    flow_config_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> ReadmeRunner:
    """Run the one Python example of ``plugins/<directory>/README.md`` as written.

    The example builds its own client from the ``FLOW_*`` environment, which
    points at this test's local platform (in-process and over the socket).
    """
    monkeypatch.setenv("FLOW_PLATFORM_URL", local_platform.url)
    monkeypatch.setenv("FLOW_API_KEY", local_platform.api_key)
    monkeypatch.setenv("FLOW_ORG_ID", local_platform.org_id)
    monkeypatch.setenv("FLOW_WORKSPACE_ID", local_platform.workspace_id)

    def run(directory: str) -> tuple[list[str], list[str]]:
        readme = PLUGINS / directory / "README.md"
        (example,) = _python_blocks(readme)
        printed = io.StringIO()
        namespace: dict[str, Any] = {}
        with contextlib.redirect_stdout(printed):
            exec(compile(example, str(readme), "exec"), namespace)
        namespace["client"].close()
        return printed.getvalue().splitlines(), _promised_output(example)

    return run
