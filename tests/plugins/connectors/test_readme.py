"""The README's example runs as written against the local platform."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

README = Path(__file__).parents[3] / "plugins" / "connectors" / "README.md"


def test_readme_example_runs(flow_client_inprocess: Any) -> None:
    [example] = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, str(README), "exec"), {"client": flow_client_inprocess})
    lines = printed.getvalue().splitlines()
    assert lines[0] == "[('create', False), ('create', False), ('drop', True)]"
    assert lines[1].startswith("audit_")
    assert lines[2] == "['count(*)'] [[0]]"
