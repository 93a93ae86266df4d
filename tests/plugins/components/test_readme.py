"""The README's example runs as written against the local platform."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).parents[3] / "plugins" / "components" / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_example_prints_the_workflow_result(
    flow_transport_mode, local_platform, flow_config_dir, monkeypatch
):
    monkeypatch.setenv("FLOW_PLATFORM_URL", local_platform.url)
    monkeypatch.setenv("FLOW_API_KEY", local_platform.api_key)
    monkeypatch.setenv("FLOW_ORG_ID", local_platform.org_id)
    monkeypatch.setenv("FLOW_WORKSPACE_ID", local_platform.workspace_id)
    (example,) = python_blocks()
    printed = io.StringIO()
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(example, str(README), "exec"), namespace)
    assert printed.getvalue() == "succeeded {'count': 6}\n"
    namespace["client"].close()  # type: ignore[attr-defined]
