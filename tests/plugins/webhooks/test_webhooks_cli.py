"""``flow webhooks …`` through the CLI's main(), against the local platform."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flow_sdk_webhooks import verify_signature

from .conftest import Receiver


def test_create_prints_the_secret_once_and_the_rest_never(
    flow_cli: Callable[..., Any], receiver: Receiver
) -> None:
    created = flow_cli(
        "webhooks", "create", "--url", receiver.url, "--event", "ping.*", "--event", "policy.*"
    )
    assert created.code == 0, created.err
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    assert hook["events"] == ["ping.*", "policy.*"]
    assert "shown only this once" in created.err
    got = flow_cli("webhooks", "get", hook["id"])
    assert hook["secret"] not in got.out
    listed = flow_cli("webhooks", "list")
    assert hook["secret"] not in listed.out
    assert [w["id"] for w in listed.json()] == [hook["id"]]
    updated = flow_cli("webhooks", "update", hook["id"], "--set", "active=false")
    assert updated.json()["active"] is False
    assert flow_cli("webhooks", "delete", hook["id"], "--yes").code == 0
    assert flow_cli("webhooks", "get", hook["id"]).code == 1


def test_create_from_a_body_on_stdin(flow_cli: Callable[..., Any], receiver: Receiver) -> None:
    created = flow_cli(
        "webhooks", "create", "--file", "-", stdin=f'{{"url": "{receiver.url}", "events": ["*"]}}'
    )
    assert created.code == 0, created.err
    assert created.json()["events"] == ["*"]


def test_create_without_a_body_says_what_to_pass(flow_cli: Callable[..., Any]) -> None:
    result = flow_cli("webhooks", "create")
    assert result.code == 2  # a usage error
    assert "--file" in result.err


def test_a_refused_url_names_the_rule(flow_cli: Callable[..., Any]) -> None:
    result = flow_cli("webhooks", "create", "--url", "http://example.com/", "--event", "*")
    assert result.code == 1
    assert "loopback" in result.err


def test_test_waits_and_deliveries_lists_the_attempts(
    flow_cli: Callable[..., Any], receiver: Receiver
) -> None:
    hook = flow_cli("webhooks", "create", "--url", receiver.url, "--event", "ping.*").json()
    sent = flow_cli("webhooks", "test", hook["id"], "--wait", "--timeout", "10")
    assert sent.code == 0, sent.err
    assert sent.json()["status"] == "succeeded"
    [got] = receiver.wait_for(1)
    verify_signature(got.body, got.headers, hook["secret"])
    flow_cli("webhooks", "test", hook["id"])
    deliveries = flow_cli("webhooks", "deliveries", hook["id"])
    assert deliveries.code == 0, deliveries.err
    rows = deliveries.json()
    assert len(rows) == 2
    assert rows[1]["id"] == sent.json()["id"]
    assert rows[1]["history"][0]["response_code"] == 200
    limited = flow_cli("webhooks", "deliveries", hook["id"], "--limit", "1")
    assert len(limited.json()) == 1
    assert "--all" in limited.err
    table = flow_cli("webhooks", "deliveries", hook["id"], FLOW_OUTPUT="table")
    assert "EVENT TYPE" in table.out
    assert "ping" in table.out
    lines = flow_cli("webhooks", "deliveries", hook["id"], "--jsonl")
    assert [json.loads(line)["id"] for line in lines.out.splitlines()] == [r["id"] for r in rows]
    one = flow_cli("webhooks", "deliveries", hook["id"], "--jsonl", "--limit", "1")
    assert len(one.out.splitlines()) == 1
    assert "--all" in one.err
    assert sent.err == ""  # the delivery's state while waiting is for terminals only


def test_a_failed_ping_exits_1(
    flow_cli: Callable[..., Any], closed_port_url: str, fast_retries: Any
) -> None:
    hook = flow_cli("webhooks", "create", "--url", closed_port_url, "--event", "ping.*").json()
    result = flow_cli("webhooks", "test", hook["id"], "--wait")
    assert result.code == 1
    assert "could not connect" in result.err
    assert result.json()["status"] == "failed"


def test_unknown_webhook_is_not_found(flow_cli: Callable[..., Any]) -> None:
    for argv in (("test", "wh_nope"), ("deliveries", "wh_nope"), ("get", "wh_nope")):
        result = flow_cli("webhooks", *argv)
        assert result.code == 1
        assert "not found" in result.err


def test_test_wait_shows_the_deliverys_state_on_a_terminal(
    flow_process: Any, receiver: Receiver, terminal_lines: Callable[[str], list[str]]
) -> None:
    client = flow_process.handle.client()
    hook = client.webhooks.create(url=receiver.url, events=["ping.*"])
    shown = flow_process("webhooks", "test", hook.id, "--wait", "--json", terminal=True)
    assert shown.code == 0, shown.err
    delivery = json.loads(shown.out)
    lines = terminal_lines(shown.err)
    assert f"sending a ping to webhook {hook.id}  0:00" in lines, lines
    assert any(line.startswith(f"delivery {delivery['id']}: ") for line in lines), lines
    piped = flow_process("webhooks", "test", hook.id, "--wait", "--json")
    assert piped.code == 0
    assert piped.err == ""
