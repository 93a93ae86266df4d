"""Fixtures for flow-sdk-experiments: two component versions to compare."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk.plugin import send


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


def raw_request(namespace: Any, method: str, url: str, **kwargs: Any) -> Any:
    """Send what the namespace's own methods would not (a bad body) through its client.

    Plain JSON back, or the error a method would raise (a coroutine of that on
    an ``AsyncCLIClient``): the tests' stand-in for the ``_request`` namespaces had.
    """
    return namespace._runner.run(send(method, url, **kwargs))
