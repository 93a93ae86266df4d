"""The README's example runs as written and prints what its comments promise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flow_sdk import CLIClient

README = Path(__file__).parents[3] / "plugins" / "experiments" / "README.md"


def test_the_readme_example_runs_and_prints_what_it_says(flow_client: CLIClient) -> None:
    [example] = re.findall(r"## Example.*?```python\n(.*?)```", README.read_text(), re.S)
    printed: list[str] = []

    def record(*values: Any) -> None:
        printed.append(" ".join(str(v) for v in values))

    exec(compile(example, str(README), "exec"), {"client": flow_client, "print": record})
    promised = [
        line.rsplit("  # ", 1)[1].strip()
        for line in example.splitlines()
        if line.lstrip().startswith("print(")
    ]
    assert printed == promised
