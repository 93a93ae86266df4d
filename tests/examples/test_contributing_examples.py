"""The test examples in CONTRIBUTING.md ("Testing a plugin") run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

CONTRIBUTING = Path(__file__).resolve().parents[2] / "CONTRIBUTING.md"


def _examples() -> dict[str, Any]:
    text = CONTRIBUTING.read_text()
    section = text[text.index("### Testing a plugin") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "the section lost its example"
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(CONTRIBUTING), "exec"), namespace)
    return namespace


def test_the_client_example(flow_client: Any) -> None:
    _examples()["test_notes_round_trip"](flow_client)


def test_the_cli_example(flow_cli: Any) -> None:
    _examples()["test_notes_cli"](flow_cli)
