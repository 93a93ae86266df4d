"""The README's example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flow_sdk import CLIClient

README = Path(__file__).parents[3] / "plugins" / "solutions" / "README.md"


def test_the_readme_example_runs(
    flow_client_inprocess: CLIClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert blocks, "the README has no Python example"
    monkeypatch.chdir(tmp_path)
    namespace = {"client": flow_client_inprocess}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert flow_client_inprocess.solutions.list(name="helpdesk (copy)").first() is not None
