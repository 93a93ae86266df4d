"""Redelivery (client.webhooks.redeliver, ``flow webhooks redeliver``) and what each attempt
records: the headers sent, the signature among them, and the start of the receiver's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flow_sdk import AsyncCLIClient, CLIClient, CLIConflictError, CLINotFoundError
from flow_sdk_webhooks import SIGNATURE_HEADER, verify_signature

from .conftest import Receiver


def _failed_ping(client: CLIClient, receiver: Receiver) -> tuple[Any, Any]:
    receiver.default = 503
    receiver.reply = b"down for maintenance <b>back soon</b>" + b"x" * 5000
    hook = client.webhooks.create(url=receiver.url, events=["ping.*"])
    delivery = client.webhooks.test(hook.id, wait=True, timeout_s=10)
    assert delivery.status == "failed"
    return hook, delivery


def test_a_failed_delivery_is_sent_again_once_the_receiver_is_back(
    flow_client: CLIClient, receiver: Receiver, fast_retries: Any
) -> None:
    hook, failed = _failed_ping(flow_client, receiver)
    receiver.default, receiver.reply = 200, b"ok"
    again = flow_client.webhooks.redeliver(hook.id, failed.id, wait=True, timeout_s=10)
    assert again.id != failed.id
    assert again.status == "succeeded"
    assert (again.event_id, again.event_type) == (failed.event_id, failed.event_type)
    first, last = receiver.received[0], receiver.received[-1]
    assert last.body == first.body  # the same bytes, so a receiver can drop a repeat by id
    verify_signature(last.body, last.headers, hook.secret)
    deliveries = flow_client.webhooks.deliveries(hook.id).to_list()
    assert [d.id for d in deliveries] == [again.id, failed.id]  # the failed one stays as it was
    assert flow_client.webhooks.get_delivery(hook.id, failed.id).status == "failed"


def test_each_attempt_records_the_headers_sent_and_the_answer(
    flow_client: CLIClient, receiver: Receiver, fast_retries: Any
) -> None:
    hook, failed = _failed_ping(flow_client, receiver)
    attempt = failed.history[-1]
    assert attempt.response_code == 503
    assert attempt.response_body is not None
    assert attempt.response_body.startswith("down for maintenance <b>back soon</b>")
    assert len(attempt.response_body) == 1024  # an excerpt, not the whole answer
    sent = attempt.request_headers
    assert sent is not None
    assert sent["Flow-Delivery"] == failed.id
    got = receiver.received[-1]
    assert sent[SIGNATURE_HEADER] == got.headers[SIGNATURE_HEADER]
    verify_signature(got.body, {SIGNATURE_HEADER: sent[SIGNATURE_HEADER]}, hook.secret)
    assert hook.secret not in str(sent)


def test_what_cannot_be_redelivered_says_why(
    flow_client: CLIClient, local_platform: Any, receiver: Receiver
) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["ping.*"])
    delivery = flow_client.webhooks.test(hook.id, wait=True, timeout_s=10)
    with pytest.raises(CLINotFoundError, match="dlv_nope"):
        flow_client.webhooks.redeliver(hook.id, "dlv_nope")
    flow_client.webhooks.update(hook.id, active=False)
    with pytest.raises(CLIConflictError, match="inactive"):
        flow_client.webhooks.redeliver(hook.id, delivery.id)
    flow_client.webhooks.update(hook.id, active=True)
    tenant = local_platform.create_tenant()
    stranger = local_platform.client(
        api_key=tenant["api_key"], org_id=tenant["org_id"], workspace_id=tenant["workspace_id"]
    )
    with pytest.raises(CLINotFoundError):
        stranger.webhooks.redeliver(hook.id, delivery.id)
    assert len(flow_client.webhooks.deliveries(hook.id).to_list()) == 1


@pytest.mark.anyio
async def test_redeliver_async(async_flow_client: AsyncCLIClient, receiver: Receiver) -> None:
    hook = await async_flow_client.webhooks.create(url=receiver.url, events=["ping.*"])
    delivery = await async_flow_client.webhooks.test(hook.id, wait=True, timeout_s=10)
    again = await async_flow_client.webhooks.redeliver(
        hook.id, delivery.id, wait=True, timeout_s=10
    )
    assert again.status == "succeeded"
    assert again.event_id == delivery.event_id
    assert len(receiver.received) == 2


def test_flow_webhooks_redeliver(flow_cli: Callable[..., Any], receiver: Receiver) -> None:
    hook = flow_cli("webhooks", "create", "--url", receiver.url, "--event", "ping.*").json()
    ping = flow_cli("webhooks", "test", hook["id"], "--wait").json()
    again = flow_cli("webhooks", "redeliver", hook["id"], ping["id"], "--wait")
    assert again.code == 0, again.err
    shown = again.json()
    assert shown["event_id"] == ping["event_id"]
    assert shown["status"] == "succeeded"
    missing = flow_cli("webhooks", "redeliver", hook["id"], "dlv_nope")
    assert missing.code == 1
    assert "dlv_nope" in missing.err
