"""Fixtures for flow-sdk-deployments' tests.

``flow_client`` (in-process and over the socket), ``flow_client_inprocess`` and
``local_platform`` come from flow-sdk-local's pytest plugin. ``flow`` runs the
``flow`` command in-process against the test's local platform.
"""

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
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return msgspec.json.decode(self.out.encode())


@pytest.fixture
def flow(local_platform: Any, tmp_path: Path) -> Callable[..., Result]:
    """``flow(*argv, stdin="")``: the ``flow`` command against ``local_platform``."""

    def run(*argv: str, stdin: str = "") -> Result:
        environ = {
            "FLOW_CONFIG_DIR": str(tmp_path / "flow-config"),
            "FLOW_DATA_DIR": str(tmp_path / "flow-data"),
            "FLOW_PLATFORM_URL": local_platform.url,
            "FLOW_API_KEY": local_platform.api_key,
            "FLOW_ORG_ID": local_platform.org_id,
            "FLOW_WORKSPACE_ID": local_platform.workspace_id,
        }
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(
            environ=environ,
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            sleep=lambda _s: None,
        )
        code = main(list(argv), settings=settings)
        return Result(code, out.getvalue(), err.getvalue())

    return run


@dataclass
class Rings:
    canary: Any
    beta: Any
    prod: Any

    @property
    def ids(self) -> list[str]:
        return [self.canary.id, self.beta.id, self.prod.id]


@pytest.fixture
def rings(flow_client: Any) -> Rings:
    """canary (5 %), beta (25 %) and prod (100 %), created out of order on purpose."""
    prod = flow_client.rings.create(name="prod", order=30, traffic_percent=100)
    canary = flow_client.rings.create(name="canary", order=10, traffic_percent=5)
    beta = flow_client.rings.create(name="beta", order=20, traffic_percent=25)
    return Rings(canary, beta, prod)


@pytest.fixture
def agent(flow_client: Any) -> Any:
    """An agent with two versions (v1: temperature 0.1, v2: temperature 0.2)."""
    created = flow_client.agents.create(name="support", spec={"temperature": 0.1})
    return flow_client.agents.update(created.id, spec={"temperature": 0.2})


@pytest.fixture
def slow_activation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deployments stay pending for a minute (the server runs in this process either way)."""
    from flow_sdk_deployments._local import deployments

    monkeypatch.setattr(deployments, "ACTIVATION_DELAY_S", 60.0)
