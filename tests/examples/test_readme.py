"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).parents[2] / "examples" / "plugin" / "README.md"


def test_the_readme_examples_run(flow_client_inprocess: Any) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert len(blocks) == 2, "the README's two Python examples"
    namespace: dict[str, Any] = {"client": flow_client_inprocess}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert flow_client_inprocess.notes.list().to_list() == []
    assert [c.name for c in flow_client_inprocess.evaluators.list()] == ["judge"]
