"""The local platform's webhook parts on their own: URL rules, event names, schedule, sender."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk_webhooks.local._engine import RetrySchedule, make_event, new_secret
from flow_sdk_webhooks.local._events import event_data, event_type, matches_any, singular
from flow_sdk_webhooks.local._sender import post
from flow_sdk_webhooks.local._targets import allowed_extra_hosts, target_problem
from hypothesis import given
from hypothesis import strategies as st

from .conftest import Receiver


@given(st.ip_addresses())
def test_only_loopback_addresses_are_allowed(address: Any) -> None:
    host = f"[{address}]" if address.version == 6 else str(address)
    problem = target_problem(f"http://{host}:8000/hook")
    assert (problem is None) is address.is_loopback
    if problem is not None:
        assert "loopback" in problem


@given(st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(com|org|net|internal)", fullmatch=True))
def test_names_other_than_localhost_are_refused_unless_allowed(host: str) -> None:
    assert target_problem(f"https://{host}/x") is not None
    assert target_problem(f"https://{host}/x", frozenset({host})) is None


@pytest.mark.parametrize(
    "url",
    ["http://localhost/x", "http://LOCALHOST:1/x", "http://api.localhost/x", "http://[::1]/"],
)
def test_loopback_names(url: str) -> None:
    assert target_problem(url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://127.0.0.1/x", "http"),
        ("http:///x", "host"),
        ("http://u:p@127.0.0.1/x", "credentials"),
        ("http://127.0.0.1/x#frag", "fragment"),
        ("http://127.0.0.1:0/x", "port 0"),
        ("http://127.0.0.1:99999/x", "valid URL"),
        ("http://[::1/x", "valid URL"),
    ],
)
def test_malformed_targets_say_why(url: str, why: str) -> None:
    problem = target_problem(url)
    assert problem is not None
    assert why in problem


def test_extra_hosts_come_from_the_environment() -> None:
    assert allowed_extra_hosts({}) == frozenset()
    env = {"FLOW_LOCAL_WEBHOOK_HOSTS": " Hooks.Internal , ,other "}
    assert allowed_extra_hosts(env) == {"hooks.internal", "other"}


@pytest.mark.parametrize(
    ("collection", "kind"),
    [
        ("datasets", "dataset"),
        ("policies", "policy"),
        ("mcp-servers", "mcp_server"),
        ("component-deployments", "component_deployment"),
        ("components", "component"),
        ("observability", "observability"),
        ("access", "access"),
    ],
)
def test_event_kinds_are_singular(collection: str, kind: str) -> None:
    assert singular(collection) == kind


def test_event_types_and_matching() -> None:
    assert event_type("datasets", "post") == "dataset.created"
    assert event_type("datasets", "PATCH") == "dataset.updated"
    assert event_type("datasets", "PUT") == "dataset.updated"
    assert event_type("datasets", "DELETE") == "dataset.deleted"
    assert event_type("datasets", "GET") is None
    assert matches_any(["*"], "dataset.created")
    assert matches_any(["dataset.*"], "dataset.deleted")
    assert not matches_any(["dataset.*"], "datasets.deleted")
    assert matches_any(["x.y", "dataset.created"], "dataset.created")
    assert not matches_any(["dataset.created"], "dataset.updated")
    assert not matches_any([], "dataset.created")


@given(st.dictionaries(st.text(max_size=12), st.integers(), max_size=8))
def test_event_data_drops_anything_named_like_a_secret(body: dict[str, int]) -> None:
    data = event_data({**body, "secret": 1, "api_key": 2, "Password": 3, "access_token": 4})
    words = ("secret", "password", "token", "api_key")
    assert all(not any(w in key.lower() for w in words) for key in data)
    assert {k for k in body if not any(w in k.lower() for w in words)} <= set(data)


def test_event_data_of_odd_bodies() -> None:
    assert event_data(None) == {}
    assert event_data([1, 2]) == {"value": [1, 2]}


def test_events_are_json_with_a_fresh_id() -> None:
    import json

    first_id, body = make_event("2026-01-01T00:00:00Z", "org", "ws", "ping", {"a": 1})
    second_id, _ = make_event("2026-01-01T00:00:00Z", "org", "ws", "ping", {"a": 1})
    assert first_id != second_id
    assert json.loads(body) == {
        "id": first_id,
        "type": "ping",
        "created_at": "2026-01-01T00:00:00Z",
        "org_id": "org",
        "workspace_id": "ws",
        "data": {"a": 1},
    }


def test_secrets_are_long_and_fresh() -> None:
    secrets = {new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(s.startswith("whsec_") and len(s) >= 48 for s in secrets)


def test_the_schedule_backs_off_exponentially_up_to_a_cap() -> None:
    schedule = RetrySchedule(max_attempts=6, base_s=1.0, cap_s=5.0)
    assert [schedule.delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 5.0, 5.0, None]
    assert RetrySchedule(max_attempts=1).delay(1) is None


def test_the_schedule_comes_from_the_environment() -> None:
    schedule = RetrySchedule.from_env(
        {"FLOW_LOCAL_WEBHOOK_ATTEMPTS": "2", "FLOW_LOCAL_WEBHOOK_BACKOFF_S": "0.5"}
    )
    assert (schedule.max_attempts, schedule.base_s, schedule.timeout_s) == (2, 0.5, 10.0)
    assert RetrySchedule.from_env({}) == RetrySchedule()
    with pytest.raises(ValueError, match="FLOW_LOCAL_WEBHOOK_BACKOFF_S must be a number"):
        RetrySchedule.from_env({"FLOW_LOCAL_WEBHOOK_BACKOFF_S": "soon"})
    with pytest.raises(ValueError, match="more than 0"):
        RetrySchedule.from_env({"FLOW_LOCAL_WEBHOOK_ATTEMPTS": "0"})


def test_the_sender_reports_status_and_failures(receiver: Receiver, closed_port_url: str) -> None:
    ok = post(receiver.url + "?q=1", b"{}", {"X-Test": "1"}, 2.0)
    assert ok.ok
    assert ok.status == 200
    assert ok.error is None
    [got] = receiver.wait_for(1)
    assert got.path == "/hooks/flow?q=1"
    assert got.headers["X-Test"] == "1"
    receiver.default = 404
    missing = post(receiver.url, b"{}", {}, 2.0)
    assert not missing.ok
    assert missing.error == "receiver answered 404 Not Found"
    refused = post(closed_port_url, b"{}", {}, 2.0)
    assert refused.status is None
    assert refused.error is not None
    assert refused.error.startswith("could not connect")


def test_the_sender_times_out(closed_port_url: str) -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the connection, never answers
        port = listener.getsockname()[1]
        result = post(f"http://127.0.0.1:{port}/slow", b"{}", {}, 0.2)
    assert result.status is None
    assert result.error == "timed out after 0.2s"


def test_the_sender_thread_starts_on_demand_and_stops_on_close(receiver: Receiver) -> None:
    from flow_sdk_local import Store
    from flow_sdk_webhooks.local._engine import MIGRATIONS, DeliveryEngine

    store = Store()
    store.migrate(MIGRATIONS)
    engine = DeliveryEngine(store)
    assert engine._thread is None  # nothing runs until there is something to send
    with store.transaction() as tx:
        hook = tx.insert("webhooks", "o/w", "wh_1", {"url": receiver.url, "secret": "s"})
        event_id, payload = make_event(tx.now(), "o", "w", "ping", {})
        engine.enqueue(tx, hook, event_id=event_id, event_type="ping", payload=payload)
    engine.wake()
    receiver.wait_for(1)
    thread = engine._thread
    assert thread is not None
    engine.close()
    assert not thread.is_alive()
    engine.wake()  # after close: a no-op
    assert engine._thread is thread
    store.close()


def test_the_sender_thread_ends_when_the_store_closes() -> None:
    from flow_sdk_local import Store
    from flow_sdk_webhooks.local._engine import MIGRATIONS, DeliveryEngine

    store = Store()
    store.migrate(MIGRATIONS)
    engine = DeliveryEngine(store, idle_poll_s=0.05)
    engine.wake()
    thread = engine._thread
    assert thread is not None
    store.close()
    thread.join(2.0)
    assert not thread.is_alive()
