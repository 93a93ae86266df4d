"""Fixtures for flow-sdk-components' tests.

``flow_client`` and ``local_platform`` come from flow-sdk-local's pytest
plugin. ``flow`` runs the ``flow`` command in-process against the test's
local platform and returns the exit code and both streams.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from flow_sdk.cli import CLISettings, main

sys.path.insert(0, str(Path(__file__).parent))

from components_support import DOUBLE_CODE


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return msgspec.json.decode(self.out.encode())


@pytest.fixture
def flow(local_platform: Any, tmp_path: Path) -> Callable[..., Result]:
    """``flow(*argv, stdin="", table=False)``: the ``flow`` command against ``local_platform``.

    Output is JSON (stdout is not a terminal) unless ``table=True``.
    """

    def run(*argv: str, stdin: str = "", table: bool = False) -> Result:
        environ = {
            "FLOW_CONFIG_DIR": str(tmp_path / "flow-config"),
            "FLOW_DATA_DIR": str(tmp_path / "flow-data"),
            "FLOW_PLATFORM_URL": local_platform.url,
            "FLOW_API_KEY": local_platform.api_key,
            "FLOW_ORG_ID": local_platform.org_id,
            "FLOW_WORKSPACE_ID": local_platform.workspace_id,
            "FLOW_OUTPUT": "table" if table else "json",
        }
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(environ=environ, stdin=io.StringIO(stdin), stdout=out, stderr=err)
        code = main(list(argv), settings=settings)
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def double_block(flow_client: Any) -> Any:
    """A code block that doubles ``n`` and prints a line."""
    return flow_client.code_blocks.create(name="double", spec={"code": DOUBLE_CODE})
