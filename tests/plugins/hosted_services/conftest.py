"""Fixtures for flow-sdk-hosted-services' tests.

``flow_client`` (in-process and over the socket), ``flow_client_inprocess`` and
``local_platform`` come from flow-sdk-local's pytest plugin. ``flow`` is its
``flow_cli`` (the ``flow`` command in-process against the test's local platform)
with its one setting for these tests.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from flow_sdk_local.pytest_plugin import FlowCLI

sys.path.insert(0, str(Path(__file__).parent))

from hosted_services_support import ECHO, GREET


@pytest.fixture
def flow(flow_cli: FlowCLI) -> FlowCLI:
    """``flow_cli`` that does not retry a 5xx answer."""
    flow_cli.environ["FLOW_MAX_RETRIES"] = "0"
    return flow_cli


@pytest.fixture
def greeter(flow_client: Any) -> Any:
    """A published service (v1) with ``GET /greet/{name}`` and ``POST /echo``."""
    service = flow_client.hosted_services.create(
        name="greeter",
        endpoints=[
            {"method": "GET", "path": "/greet/{name}", "handler": GREET},
            {"method": "POST", "path": "/echo", "handler": ECHO},
        ],
    )
    flow_client.hosted_services.publish(service.id)
    return flow_client.hosted_services.get(service.id)


@pytest.fixture
def no_retry_client(local_platform: Any, flow_client: Any) -> Any:
    """A client on the same platform that does not retry 5xx answers."""
    return local_platform.client(max_retries=0)
