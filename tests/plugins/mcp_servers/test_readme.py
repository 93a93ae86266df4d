"""The README's example runs as written, against a real MCP server and the local platform."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flow_sdk import CLIClient
from mcp_servers_support import McpTestServer

README = Path(__file__).parents[3] / "plugins" / "mcp-servers" / "README.md"


def test_the_readme_example_runs_and_prints_what_it_says(
    flow_client: CLIClient, mcp_server: McpTestServer
) -> None:
    [example] = re.findall(r"## Example.*?```python\n(.*?)```", README.read_text(), re.S)
    printed: list[str] = []

    def record(*values: Any) -> None:
        printed.append(" ".join(str(v) for v in values))

    namespace = {"client": flow_client, "mcp_url": mcp_server.http_url, "print": record}
    exec(compile(example, str(README), "exec"), namespace)
    promised = [
        line.split("# ", 1)[1].strip()
        for line in example.splitlines()
        if line.startswith("print(") or line.lstrip().startswith("print(")
    ]
    assert printed == promised
