"""Fixtures for flow-sdk-deployments' tests.

``flow_client`` (in-process and over the socket), ``flow_client_inprocess`` and
``local_platform`` come from flow-sdk-local's pytest plugin. ``flow`` is its
``flow_cli`` (the ``flow`` command in-process against the test's local platform)
with its one setting for these tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flow_sdk_local.pytest_plugin import FlowCLI


@pytest.fixture
def flow(flow_cli: FlowCLI) -> FlowCLI:
    """``flow_cli`` whose waits return at once (the platform runs in this process)."""
    flow_cli.sleep = lambda _s: None
    return flow_cli


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
