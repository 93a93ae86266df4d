"""Fixtures for flow-sdk-solutions: the namespace on the local platform."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def solutions(flow_client: Any) -> Any:
    """``client.solutions`` on a fresh local platform, in-process and over the socket."""
    return flow_client.solutions
