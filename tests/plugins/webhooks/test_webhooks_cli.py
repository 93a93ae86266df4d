"""``flow webhooks …`` through the CLI's main(), against the local platform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flow_sdk_webhooks import verify_signature

from .conftest import Receiver


def test_create_prints_the_secret_once_and_the_rest_never(
    run_flow: Callable[..., Any], receiver: Receiver
) -> None:
    created = run_flow(
        "webhooks", "create", "--url", receiver.url, "--event", "ping.*", "--event", "policy.*"
    )
    assert created.code == 0, created.err
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    assert hook["events"] == ["ping.*", "policy.*"]
    assert "shown only this once" in created.err
    got = run_flow("webhooks", "get", hook["id"])
    assert hook["secret"] not in got.out
    listed = run_flow("webhooks", "list")
    assert hook["secret"] not in listed.out
    assert [w["id"] for w in listed.json()] == [hook["id"]]
    updated = run_flow("webhooks", "update", hook["id"], "--set", "active=false")
    assert updated.json()["active"] is False
    assert run_flow("webhooks", "delete", hook["id"], "--yes").code == 0
    assert run_flow("webhooks", "get", hook["id"]).code == 1


def test_create_from_a_body_on_stdin(run_flow: Callable[..., Any], receiver: Receiver) -> None:
    created = run_flow(
        "webhooks", "create", "--file", "-", stdin=f'{{"url": "{receiver.url}", "events": ["*"]}}'
    )
    assert created.code == 0, created.err
    assert created.json()["events"] == ["*"]


def test_create_without_a_body_says_what_to_pass(run_flow: Callable[..., Any]) -> None:
    result = run_flow("webhooks", "create")
    assert result.code == 1
    assert "--file" in result.err


def test_a_refused_url_names_the_rule(run_flow: Callable[..., Any]) -> None:
    result = run_flow("webhooks", "create", "--url", "http://example.com/", "--event", "*")
    assert result.code == 1
    assert "loopback" in result.err


def test_test_waits_and_deliveries_lists_the_attempts(
    run_flow: Callable[..., Any], receiver: Receiver
) -> None:
    hook = run_flow("webhooks", "create", "--url", receiver.url, "--event", "ping.*").json()
    sent = run_flow("webhooks", "test", hook["id"], "--wait", "--timeout", "10")
    assert sent.code == 0, sent.err
    assert sent.json()["status"] == "succeeded"
    [got] = receiver.wait_for(1)
    verify_signature(got.body, got.headers, hook["secret"])
    run_flow("webhooks", "test", hook["id"])
    deliveries = run_flow("webhooks", "deliveries", hook["id"])
    assert deliveries.code == 0, deliveries.err
    rows = deliveries.json()
    assert len(rows) == 2
    assert rows[1]["id"] == sent.json()["id"]
    assert rows[1]["history"][0]["response_code"] == 200
    limited = run_flow("webhooks", "deliveries", hook["id"], "--limit", "1")
    assert len(limited.json()) == 1
    assert "--all" in limited.err
    table = run_flow("webhooks", "deliveries", hook["id"], FLOW_OUTPUT="table")
    assert "EVENT TYPE" in table.out
    assert "ping" in table.out


def test_a_failed_ping_exits_1(
    run_flow: Callable[..., Any], closed_port_url: str, fast_retries: Any
) -> None:
    hook = run_flow("webhooks", "create", "--url", closed_port_url, "--event", "ping.*").json()
    result = run_flow("webhooks", "test", hook["id"], "--wait")
    assert result.code == 1
    assert "could not connect" in result.err
    assert result.json()["status"] == "failed"


def test_unknown_webhook_is_not_found(run_flow: Callable[..., Any]) -> None:
    for argv in (("test", "wh_nope"), ("deliveries", "wh_nope"), ("get", "wh_nope")):
        result = run_flow("webhooks", *argv)
        assert result.code == 1
        assert "not found" in result.err
