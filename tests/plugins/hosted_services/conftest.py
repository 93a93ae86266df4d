"""Fixtures for flow-sdk-hosted-services' tests.

``flow_client`` (in-process and over the socket), ``flow_client_inprocess`` and
``local_platform`` come from flow-sdk-local's pytest plugin. ``flow`` runs the
``flow`` command in-process against the test's local platform.
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

from hosted_services_support import ECHO, GREET


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
            "FLOW_MAX_RETRIES": "0",
        }
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(environ=environ, stdin=io.StringIO(stdin), stdout=out, stderr=err)
        code = main(list(argv), settings=settings)
        return Result(code, out.getvalue(), err.getvalue())

    return run


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
