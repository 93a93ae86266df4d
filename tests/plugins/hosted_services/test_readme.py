"""The README's example runs as written against the local platform."""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).parents[3] / "plugins" / "hosted-services" / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def promised_output(example: str) -> list[str]:
    """The comment at the end of each ``print(...)``: what the example says it prints."""
    lines = example.splitlines()
    calls = [
        node
        for node in ast.walk(ast.parse(example))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
    ]
    ends = sorted(call.end_lineno or call.lineno for call in calls)
    return [lines[end - 1].split("  # ", 1)[1] for end in ends]


def test_the_readme_example_prints_what_it_says(
    flow_transport_mode: str,
    local_platform: Any,
    flow_config_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLOW_PLATFORM_URL", local_platform.url)
    monkeypatch.setenv("FLOW_API_KEY", local_platform.api_key)
    monkeypatch.setenv("FLOW_ORG_ID", local_platform.org_id)
    monkeypatch.setenv("FLOW_WORKSPACE_ID", local_platform.workspace_id)
    (example,) = python_blocks()
    promised = promised_output(example)
    assert promised
    printed = io.StringIO()
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(example, str(README), "exec"), namespace)
    namespace["client"].close()
    assert printed.getvalue().splitlines() == promised
