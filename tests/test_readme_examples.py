"""The README's test example runs as written against the local platform."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_fixture_example(flow_client: Any) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    example = next(block for block in blocks if "def test_agents(flow_client)" in block)
    namespace: dict[str, Any] = {}
    exec(compile(example, str(README), "exec"), namespace)
    namespace["test_agents"](flow_client)
