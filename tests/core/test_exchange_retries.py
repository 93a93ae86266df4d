"""The API key exchange behind a client is retried like any idempotent call."""

from __future__ import annotations

import httpx
import pytest
from flow_sdk import CLIAuthenticationError, FlowConfig
from flow_sdk.testing import RecordingTransport, SleepRecorder, client_with_plugins

TOKEN = {"access_token": "tok-1", "token_type": "bearer"}
ORGS: list[dict[str, str]] = [{"id": "org_1", "name": "One", "slug": "one"}]


def _client(transport: RecordingTransport, sleep: SleepRecorder, retries: int = 2):
    config = FlowConfig(
        platform_url="https://flow.example", api_key="fl_test_key_1234", max_retries=retries
    )
    return client_with_plugins(config=config, transport=transport, sleep=sleep)


def _paths(transport: RecordingTransport) -> list[str]:
    return [request.url.path for request in transport.requests]


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_transient_failure_of_the_exchange_is_retried(status: int) -> None:
    transport = RecordingTransport(httpx.Response(status, json={"detail": "busy"}), TOKEN, ORGS)
    sleep = SleepRecorder()
    assert _client(transport, sleep).list_orgs() == ORGS
    assert _paths(transport) == ["/api/v1/auth/token"] * 2 + ["/api/v1/tenants/orgs"]
    assert len(sleep.calls) == 1


def test_a_refused_key_is_not_retried() -> None:
    transport = RecordingTransport(httpx.Response(401, json={"detail": "unknown key"}))
    sleep = SleepRecorder()
    with pytest.raises(CLIAuthenticationError, match=r"API key exchange failed \(401\)"):
        _client(transport, sleep).list_orgs()
    assert _paths(transport) == ["/api/v1/auth/token"]
    assert sleep.calls == []


def test_max_retries_zero_gives_up_at_once() -> None:
    transport = RecordingTransport(httpx.Response(503, json={"detail": "down"}))
    sleep = SleepRecorder()
    with pytest.raises(CLIAuthenticationError, match=r"\(503\)"):
        _client(transport, sleep, retries=0).list_orgs()
    assert _paths(transport) == ["/api/v1/auth/token"]


def test_retries_stop_after_max_retries() -> None:
    transport = RecordingTransport(httpx.Response(503, json={"detail": "down"}))
    sleep = SleepRecorder()
    with pytest.raises(CLIAuthenticationError):
        _client(transport, sleep, retries=2).list_orgs()
    assert _paths(transport) == ["/api/v1/auth/token"] * 3
    assert len(sleep.calls) == 2
