"""Fault injection driving the core client's retries, in both modes."""

from __future__ import annotations

import time

import pytest
from flow_sdk import (
    CLIConnectionError,
    CLIRateLimitError,
    CLIServerError,
    ComponentTypeNamespace,
    RetryPolicy,
)

from .conftest import with_widgets

pytestmark = [with_widgets, pytest.mark.usefixtures("flow_transport_mode")]


def _client(local_platform, sleeps, retries=3):
    return local_platform.client(retry=RetryPolicy(max_retries=retries), sleep=sleeps)


def test_429_is_retried_after_retry_after(local_platform, sleeps):
    client = _client(local_platform, sleeps)
    client.list_orgs()  # token exchange done before the faults start
    local_platform.inject_faults("429", count=2, retry_after=1.5)
    assert client.list_orgs()[0]["id"] == "org_dev"
    assert sleeps.calls == [1.5, 1.5]
    assert local_platform.faults()[0].injected == 2


def test_429_beyond_the_retries_is_a_rate_limit_error(local_platform, sleeps):
    client = _client(local_platform, sleeps, retries=1)
    client.list_orgs()
    local_platform.inject_faults("429", retry_after=2)
    with pytest.raises(CLIRateLimitError) as err:
        client.list_orgs()
    assert err.value.retry_after == 2
    assert "tried 2 time(s)" in str(err.value)
    assert local_platform.faults()[0].injected == 2
    assert err.value.request_id.startswith("req_fault_")


def test_503_is_retried_with_backoff(local_platform, sleeps):
    client = _client(local_platform, sleeps)
    client.list_orgs()
    local_platform.inject_faults("503", count=3, retry_after=0)
    assert client.verify_credentials() is True
    assert len(sleeps.calls) == 3


def test_503_on_every_attempt_is_a_server_error(local_platform, sleeps):
    client = _client(local_platform, sleeps, retries=2)
    client.list_orgs()
    local_platform.inject_faults("503", retry_after=0)
    with pytest.raises(CLIServerError, match=r"\(503\)"):
        client.list_orgs()
    assert local_platform.faults()[0].injected == 3


def test_dropped_connection_is_retried_for_reads(local_platform, sleeps):
    client = _client(local_platform, sleeps)
    client.list_orgs()
    local_platform.inject_faults("drop", count=2)
    assert client.list_orgs()[0]["id"] == "org_dev"
    assert len(sleeps.calls) == 2


def test_dropped_connection_every_time_is_a_connection_error(local_platform, sleeps):
    client = _client(local_platform, sleeps, retries=1)
    client.list_orgs()
    local_platform.inject_faults("drop")
    with pytest.raises(CLIConnectionError):
        client.list_orgs()


def test_lost_answer_to_a_create_is_retried_without_a_duplicate(local_platform, sleeps):
    client = _client(local_platform, sleeps)
    widgets = ComponentTypeNamespace(client, "widget")
    widgets.list().first()
    local_platform.inject_faults("drop_after", count=1, methods=["POST"])
    created = widgets.create(name="exactly-once")
    assert local_platform.faults()[0].injected == 1
    assert len(sleeps.calls) == 1
    assert [w.id for w in widgets.list()] == [created.id]


def test_a_share_of_requests_fails(local_platform, sleeps):
    client = _client(local_platform, sleeps, retries=10)
    client.list_orgs()
    local_platform.inject_faults("503", share=0.3, retry_after=0, seed=7)
    for _ in range(10):  # few enough that the client's retry budget (10) lasts
        client.list_orgs()
    injected = local_platform.faults()[0].injected
    assert 0 < injected < 10
    assert len(sleeps.calls) == injected


def test_delay_slows_the_answer(local_platform):
    client = local_platform.client()
    client.list_orgs()
    local_platform.inject_faults("delay", delay_s=0.2, count=1)
    started = time.perf_counter()
    client.list_orgs()
    assert time.perf_counter() - started >= 0.2


def test_control_plane_is_never_faulted(local_platform):
    local_platform.inject_faults("503")
    assert local_platform.http(authenticated=False).get("/_local/health").status_code == 200


def test_faults_are_configured_over_http_too(local_platform):
    http = local_platform.http()
    rules = {"rules": [{"kind": "429", "count": 1, "retry_after": 3}], "seed": 1}
    assert http.post("/_local/faults", json=rules).status_code == 200
    limited = http.get("/api/v1/auth/me")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "3"
    assert limited.json()["code"] == "rate_limited"
    assert http.get("/_local/faults").json()["rules"][0]["injected"] == 1
    assert http.delete("/_local/faults").status_code == 204
    assert http.get("/_local/faults").json()["rules"] == []
    bad = http.post("/_local/faults", json={"rules": [{"kind": "503", "share": 2}]})
    assert bad.status_code == 422
    unknown = http.post("/_local/faults", json={"rules": [{"kind": "fire"}]})
    assert unknown.status_code == 422
