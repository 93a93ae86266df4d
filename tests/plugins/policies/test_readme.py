"""The README's example runs as written, against the local platform."""

from __future__ import annotations

import re
from pathlib import Path

from flow_sdk import CLIClient

README = Path(__file__).parents[3] / "plugins" / "policies" / "README.md"


def test_the_readme_example_runs(flow_client: CLIClient) -> None:
    [example] = re.findall(r"## Example.*?```python\n(.*?)```", README.read_text(), re.S)
    exec(compile(example, str(README), "exec"), {"client": flow_client, "print": lambda *a: None})
