"""Shared fixtures for the core's tests: an isolated environment and mock platforms.

These tests exercise the core alone, so every client here is built with
``plugins=[]`` (or exactly the plugins a test hands over) and an
``httpx.MockTransport``: whatever plugins are installed in the workspace,
the results are the same.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flow_sdk import CLIClient, FlowConfig, RetryPolicy
from flow_sdk.testing import RecordingTransport, SleepRecorder

PLATFORM = "http://flow.test"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"
TENANT = "/api/v1/orgs/org_1/workspaces/ws_1"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No FLOW_* variable from the developer's shell; a private config directory."""
    for name in list(os.environ):
        if name.startswith("FLOW_"):
            monkeypatch.delenv(name)
    config_dir = tmp_path / "flow-config"
    monkeypatch.setenv("FLOW_CONFIG_DIR", str(config_dir))
    return config_dir


@pytest.fixture
def config() -> FlowConfig:
    """A config with a token and a tenant, pointing at a mock platform."""
    return FlowConfig(
        platform_url=PLATFORM, access_token=TOKEN, org_id="org_1", workspace_id="ws_1"
    )


@pytest.fixture
def sleeps() -> SleepRecorder:
    """A sleep that records its delays, so retry tests never wait."""
    return SleepRecorder()


MakeClient = Callable[..., tuple[CLIClient, RecordingTransport]]


@pytest.fixture
def make_client(config: FlowConfig, sleeps: SleepRecorder) -> Iterator[MakeClient]:
    """``make_client(*replies, **config_changes)`` → (client, transport), no plugins."""
    clients: list[CLIClient] = []

    def make(*replies: Any, retry: RetryPolicy | None = None, **changes: Any) -> Any:
        transport = RecordingTransport(*replies)
        cfg = config
        if changes:
            import msgspec

            cfg = msgspec.structs.replace(config, **changes)
        client = CLIClient(
            cfg,
            transport=transport,
            plugins=[],
            sleep=sleeps,
            rng=random.Random(7),
            retry=retry,
        )
        clients.append(client)
        return client, transport

    yield make
    for client in clients:
        client.close()
