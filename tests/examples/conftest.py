"""Fixtures for the example plugin's tests: ``flow`` runs against the local platform."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from flow_sdk.cli import CLISettings, main


@dataclass
class FlowRun:
    """One ``flow`` run: exit code and both streams."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return msgspec.json.decode(self.out.encode())


@pytest.fixture
def run_flow(local_platform: Any, flow_config_dir: Path) -> Callable[..., FlowRun]:
    """``run_flow(*argv, stdin="")``: ``flow`` in-process, logged in to the local platform."""

    def run(*argv: str, stdin: str = "") -> FlowRun:
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(
            config_dir=flow_config_dir,
            environ={
                "FLOW_PLATFORM_URL": local_platform.url,
                "FLOW_API_KEY": local_platform.api_key,
                "FLOW_ORG_ID": local_platform.org_id,
                "FLOW_WORKSPACE_ID": local_platform.workspace_id,
            },
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
        )
        code = main(list(argv), settings=settings)
        return FlowRun(code, out.getvalue(), err.getvalue())

    return run
