"""Fixtures for flow-sdk-experiments: two component versions to compare, and ``flow`` runs."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flow_sdk.cli import CLISettings, main


@pytest.fixture
def experiments(flow_client: Any) -> Any:
    """``client.experiments`` on a fresh local platform, in-process and over the socket."""
    return flow_client.experiments


@pytest.fixture
def agents(flow_client: Any) -> tuple[Any, Any]:
    """Two agents (the second at version 2) whose versions the experiments compare."""
    first = flow_client.agents.create(name="support-bot", spec={"prompt": "be brief"})
    second = flow_client.agents.create(name="support-bot-2", spec={"prompt": "be kind"})
    second = flow_client.agents.update(second.id, spec={"prompt": "be kind and brief"})
    return first, second


@pytest.fixture
def variants(agents: tuple[Any, Any]) -> list[dict[str, Any]]:
    """A 50/50 split: agent one at version 1 (the control), agent two at version 2."""
    first, second = agents
    return [
        {"component_id": first.id, "version": 1, "weight": 50},
        {"component_id": second.id, "version": 2, "weight": 50},
    ]


@dataclass
class FlowRun:
    """One ``flow`` run: exit code and both streams."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def run_flow(local_platform: Any, flow_config_dir: Path) -> Callable[..., FlowRun]:
    """``run_flow(*argv, stdin="", **environ)``: ``flow`` in-process, signed in locally."""

    def run(*argv: str, stdin: str = "", **environ: str) -> FlowRun:
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(
            config_dir=flow_config_dir,
            environ={
                "FLOW_PLATFORM_URL": local_platform.url,
                "FLOW_API_KEY": local_platform.api_key,
                "FLOW_ORG_ID": local_platform.org_id,
                "FLOW_WORKSPACE_ID": local_platform.workspace_id,
                **environ,
            },
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
        )
        code = main(list(argv), settings=settings)
        return FlowRun(code, out.getvalue(), err.getvalue())

    return run
