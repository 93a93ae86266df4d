"""The README's examples run as written against the local platform."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _block(containing: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    return next(block for block in blocks if containing in block)


def _run(code: str, **names: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"pytest": pytest, **names}
    exec(compile(code, str(README), "exec"), namespace)
    return namespace


def test_the_fixture_example(flow_client: Any) -> None:
    _run(_block("def test_agents(flow_client)"))["test_agents"](flow_client)


@pytest.mark.anyio
async def test_the_async_fixture_example(async_flow_client: Any) -> None:
    await _run(_block("def test_agents(flow_client)"))["test_agents_async"](async_flow_client)


def test_the_async_client_example(local_platform: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The asyncio example, with its config pointed at the test's platform."""
    code = _block("async def main(config: FlowConfig)")
    code = code.replace(
        'asyncio.run(main(FlowConfig(org_id="org_dev", workspace_id="ws_dev")))',
        "asyncio.run(main(CONFIG))",
    )
    assert "asyncio.run(main(CONFIG))" in code
    _run(code, CONFIG=local_platform.config(), asyncio=asyncio)
    printed = capsys.readouterr().out.split()
    assert printed[:2] == ["async-bot", "['async-bot']"]
    assert printed[2] == "200"
    assert printed[3].startswith("req_")
