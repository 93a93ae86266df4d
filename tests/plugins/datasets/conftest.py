"""Fixtures for flow-sdk-datasets: the namespace on the local platform."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def datasets(flow_client: Any) -> Any:
    """``client.datasets`` on a fresh local platform, in-process and over the socket."""
    return flow_client.datasets
