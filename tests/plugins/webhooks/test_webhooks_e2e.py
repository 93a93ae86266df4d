"""client.webhooks end to end through the local platform, with a real receiver on loopback."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from flow_sdk import (
    CLIClient,
    CLIConflictError,
    CLINotFoundError,
    CLITimeoutError,
    CLIValidationError,
)
from flow_sdk.plugin import poll
from flow_sdk_webhooks import (
    Delivery,
    Webhook,
    WebhookWithSecret,
    verify_signature,
)

from .conftest import Receiver


def wait_done(client: CLIClient, webhook_id: str, count: int) -> list[Delivery]:
    """Wait for the newest ``count`` deliveries of a webhook to finish; oldest first."""
    items = client.webhooks.deliveries(webhook_id, limit=count).to_list()
    assert len(items) == count, items
    return [client.webhooks.wait_for_delivery(webhook_id, d.id, timeout_s=10) for d in items][::-1]


def test_create_shows_the_secret_once(flow_client: CLIClient, receiver: Receiver) -> None:
    created = flow_client.webhooks.create(url=receiver.url, events=["policy.*"])
    assert isinstance(created, WebhookWithSecret)
    assert created.secret.startswith("whsec_")
    assert len(created.secret) > 30
    assert created.secret not in repr(created)
    assert created.secret not in str(created)
    assert created.active is True
    assert created.version == 1
    fetched = flow_client.webhooks.get(created.id)
    assert type(fetched) is Webhook
    raw = flow_client._client.request("GET", flow_client._tenant_url(f"webhooks/{created.id}"))
    assert created.secret not in raw.text
    assert "secret" not in raw.json()
    listed = flow_client._client.request("GET", flow_client._tenant_url("webhooks")).text
    assert created.secret not in listed
    assert [w.id for w in flow_client.webhooks.list()] == [created.id]


def test_crud_and_filters(flow_client: CLIClient, receiver: Receiver) -> None:
    first = flow_client.webhooks.create(
        {"url": receiver.url, "events": ["*"]}, description="all of it"
    )
    other = flow_client.webhooks.create(url=receiver.url + "/2", events=["webhook.deleted"])
    assert first.description == "all of it"
    assert [w.id for w in flow_client.webhooks.list(url=receiver.url + "/2")] == [other.id]
    updated = flow_client.webhooks.update(first.id, events=["policy.created"], active=False)
    assert updated.events == ["policy.created"]
    assert updated.active is False
    assert updated.version == 2
    assert flow_client.webhooks.get(first.id).active is False
    paged = flow_client.webhooks.list(page_size=1)
    assert [w.id for w in paged] == [first.id, other.id]
    flow_client.webhooks.delete(first.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        flow_client.webhooks.get(first.id)
    with pytest.raises(CLINotFoundError):
        flow_client.webhooks.deliveries(first.id).to_list()


def test_stale_if_match_is_a_conflict(flow_client: CLIClient, receiver: Receiver) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["*"])
    flow_client.webhooks.update(hook.id, description="v2", if_match=1)
    with pytest.raises(CLIConflictError, match="version"):
        flow_client.webhooks.update(hook.id, description="lost", if_match=1)
    with pytest.raises(CLIConflictError):
        flow_client.webhooks.delete(hook.id, if_match=1)
    assert flow_client.webhooks.get(hook.id).description == "v2"


def test_idempotent_create_makes_one_webhook(flow_client: CLIClient, receiver: Receiver) -> None:
    a = flow_client.webhooks.create(url=receiver.url, events=["*"], idempotency_key="k-1")
    b = flow_client.webhooks.create(url=receiver.url, events=["*"], idempotency_key="k-1")
    assert a.id == b.id
    assert a.secret == b.secret
    assert len(flow_client.webhooks.list().to_list()) == 1
    with pytest.raises(CLIConflictError):
        flow_client.webhooks.create(url=receiver.url, events=["x.y"], idempotency_key="k-1")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://example.com/hook", "events": ["*"]}, "url"),
        ({"url": "http://10.0.0.1/hook", "events": ["*"]}, "url"),
        ({"url": "ftp://127.0.0.1/hook", "events": ["*"]}, "url"),
        ({"url": "http://user:pw@127.0.0.1/hook", "events": ["*"]}, "url"),
        ({"url": "not a url", "events": ["*"]}, "url"),
        ({"url": "http://127.0.0.1/hook", "events": []}, "events"),
        ({"url": "http://127.0.0.1/hook", "events": ["Dataset.Created"]}, "events"),
        ({"url": "http://127.0.0.1/hook", "events": ["dataset"]}, "events"),
        ({"url": "http://127.0.0.1/hook", "events": ["*"], "secret": "mine"}, "secret"),
        ({"events": ["*"]}, "url"),
        ({"url": "http://127.0.0.1/hook", "events": ["*"], "active": "yes"}, "active"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(
    flow_client: CLIClient, body: dict[str, Any], field: str
) -> None:
    with pytest.raises(CLIValidationError) as info:
        flow_client.webhooks.create(body)
    assert info.value.status_code == 422
    assert field in str(info.value)
    assert flow_client.webhooks.list().to_list() == []


def test_update_is_validated_too(flow_client: CLIClient, receiver: Receiver) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["*"])
    with pytest.raises(CLIValidationError, match="loopback"):
        flow_client.webhooks.update(hook.id, url="https://example.org/hook")
    with pytest.raises(CLIValidationError, match="secret"):
        flow_client.webhooks.update(hook.id, {"secret": "whsec_mine"})
    assert flow_client.webhooks.get(hook.id).url == receiver.url


@pytest.mark.parametrize("url", ["http://localhost:9/x", "http://[::1]:9/x", "https://127.0.0.2/x"])
def test_loopback_urls_are_accepted(flow_client: CLIClient, url: str) -> None:
    assert flow_client.webhooks.create(url=url, events=["ping.*"]).url == url


def test_other_tenants_webhooks_are_not_found(
    flow_client: CLIClient, local_platform: Any, receiver: Receiver
) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["*"])
    tenant = local_platform.create_tenant()
    other = local_platform.client(
        api_key=tenant["api_key"], org_id=tenant["org_id"], workspace_id=tenant["workspace_id"]
    )
    assert other.webhooks.list().to_list() == []
    for call in (
        lambda: other.webhooks.get(hook.id),
        lambda: other.webhooks.update(hook.id, active=False),
        lambda: other.webhooks.delete(hook.id),
        lambda: other.webhooks.test(hook.id),
        lambda: other.webhooks.deliveries(hook.id).to_list(),
    ):
        with pytest.raises(CLINotFoundError):
            call()
    assert flow_client.webhooks.get(hook.id).active is True


def test_ping_is_delivered_signed_and_verified(flow_client: CLIClient, receiver: Receiver) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["dataset.created"])
    receiver.secret = hook.secret
    seen: list[str] = []
    delivery = flow_client.webhooks.test(
        hook.id, wait=True, timeout_s=10, on_progress=lambda d: seen.append(d.status)
    )
    assert delivery.status == "succeeded"
    assert delivery.attempts == 1
    assert delivery.response_code == 200
    assert delivery.error is None
    assert seen[-1] == "succeeded"
    [got] = receiver.wait_for(1)
    assert got.verified is True, got.problem
    assert got.path == "/hooks/flow"
    event = got.event
    assert event["type"] == "ping"
    assert got.headers["Flow-Event"] == "ping"
    assert got.headers["Flow-Delivery"] == delivery.id
    assert event["id"] == delivery.event_id
    assert event["org_id"] == flow_client.config.org_id
    assert event["workspace_id"] == flow_client.config.workspace_id
    assert event["data"]["webhook_id"] == hook.id
    assert got.headers["Content-Type"] == "application/json"


def test_writes_emit_the_events_each_webhook_subscribes_to(
    flow_client: CLIClient, receiver: Receiver
) -> None:
    everything = flow_client.webhooks.create(url=receiver.url + "/all", events=["*"])
    only_deletes = flow_client.webhooks.create(
        url=receiver.url + "/deletes", events=["webhook.deleted"]
    )
    inactive = flow_client.webhooks.create(url=receiver.url + "/off", events=["*"], active=False)
    temp = flow_client.webhooks.create(url=receiver.url + "/temp", events=["policy.*"])
    flow_client.webhooks.update(temp.id, description="changed")
    flow_client.webhooks.delete(temp.id)
    # everything: created itself, only_deletes, inactive, temp; updated and deleted temp.
    # only_deletes: deleted temp.
    received = receiver.wait_for(7)
    by_path: dict[str, list[str]] = {}
    for item in received:
        by_path.setdefault(item.path.rsplit("/", 1)[1], []).append(item.event["type"])
    assert sorted(by_path["all"]) == sorted(
        ["webhook.created"] * 4 + ["webhook.updated", "webhook.deleted"]
    )
    assert by_path["deletes"] == ["webhook.deleted"]
    assert "off" not in by_path
    assert "temp" not in by_path
    for item in received:
        secret = everything.secret if item.path.endswith("/all") else only_deletes.secret
        verify_signature(item.body, item.headers, secret)
    deleted = next(r.event for r in received if r.event["type"] == "webhook.deleted")
    assert deleted["data"] == {"id": temp.id}
    created = [r.event for r in received if r.event["type"] == "webhook.created"]
    assert all("secret" not in e["data"] for e in created)
    assert {e["data"]["id"] for e in created} == {
        everything.id,
        only_deletes.id,
        inactive.id,
        temp.id,
    }
    assert flow_client.webhooks.deliveries(inactive.id).to_list() == []


def test_event_bodies_never_carry_the_secret(flow_client: CLIClient, receiver: Receiver) -> None:
    watcher = flow_client.webhooks.create(url=receiver.url, events=["webhook.created"])
    second = flow_client.webhooks.create(url=receiver.url, events=["ping.*"])
    got = receiver.wait_for(2)  # the watcher hears of its own creation too
    for item in got:
        assert second.secret.encode() not in item.body
        assert watcher.secret.encode() not in item.body
    assert {item.event["data"]["id"] for item in got} == {watcher.id, second.id}


def test_failed_deliveries_are_retried_with_every_attempt_recorded(
    flow_client: CLIClient, receiver: Receiver, fast_retries: Any
) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["ping.*"])
    receiver.secret = hook.secret
    receiver.statuses = [500, 503]
    delivery = flow_client.webhooks.test(hook.id, wait=True, timeout_s=10)
    assert delivery.status == "succeeded"
    assert delivery.attempts == 3
    assert [a.response_code for a in delivery.history] == [500, 503, 200]
    assert [a.number for a in delivery.history] == [1, 2, 3]
    assert delivery.history[0].error
    assert "500" in delivery.history[0].error
    started = [a.started_at for a in delivery.history]
    assert started == sorted(started)
    assert started[1] > started[0]
    got = receiver.wait_for(3)
    assert len({r.event["id"] for r in got}) == 1
    assert all(r.verified for r in got)


def test_a_delivery_gives_up_after_the_last_attempt(
    flow_client: CLIClient, receiver: Receiver, fast_retries: Any
) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["ping.*"])
    receiver.default = 500
    delivery = flow_client.webhooks.test(hook.id, wait=True, timeout_s=10)
    assert delivery.status == "failed"
    assert delivery.done
    assert delivery.attempts == 3
    assert delivery.response_code == 500
    assert delivery.error == "receiver answered 500 Internal Server Error"
    assert delivery.next_attempt_at is None
    assert len(receiver.wait_for(3)) == 3


def test_an_unreachable_receiver_is_recorded(
    flow_client: CLIClient, closed_port_url: str, fast_retries: Any
) -> None:
    hook = flow_client.webhooks.create(url=closed_port_url, events=["ping.*"])
    delivery = flow_client.webhooks.test(hook.id, wait=True, timeout_s=10)
    assert delivery.status == "failed"
    assert delivery.attempts == 3
    assert delivery.response_code is None
    assert delivery.error is not None
    assert "could not connect" in delivery.error
    assert all(a.error for a in delivery.history)


def test_deliveries_are_listed_newest_first_and_paged(
    flow_client: CLIClient, receiver: Receiver
) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["ping.*"])
    sent = [flow_client.webhooks.test(hook.id).id for _ in range(3)]
    listed = flow_client.webhooks.deliveries(hook.id, page_size=1).to_list()
    assert [d.id for d in listed] == sent[::-1]
    assert [d.id for d in flow_client.webhooks.deliveries(hook.id, limit=2)] == sent[:0:-1]
    done = wait_done(flow_client, hook.id, 3)
    assert all(d.status == "succeeded" for d in done)
    one = flow_client.webhooks.get_delivery(hook.id, sent[0])
    assert one.id == sent[0]
    assert one.event_type == "ping"
    with pytest.raises(CLINotFoundError, match="delivery"):
        flow_client.webhooks.get_delivery(hook.id, "dlv_nope")
    with pytest.raises(ValueError, match="page_size"):
        flow_client.webhooks.deliveries(hook.id, page_size=0)


def test_deleting_a_webhook_drops_its_deliveries(
    flow_client: CLIClient, receiver: Receiver
) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["ping.*"])
    flow_client.webhooks.test(hook.id, wait=True)
    flow_client.webhooks.delete(hook.id)
    again = flow_client.webhooks.create(url=receiver.url, events=["ping.*"])
    assert flow_client.webhooks.deliveries(again.id).to_list() == []
    with pytest.raises(CLINotFoundError):
        flow_client.webhooks.get_delivery(hook.id, "anything")


def test_wait_for_delivery_times_out_with_a_clear_error(
    flow_client: CLIClient,
    closed_port_url: str,
    local_platform: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flow_sdk_webhooks.local._engine import RetrySchedule
    from flow_sdk_webhooks.local._routes import engine_of

    engine = engine_of(local_platform.platform)
    saved, engine.schedule = engine.schedule, RetrySchedule(max_attempts=5, base_s=3600)
    try:
        hook = flow_client.webhooks.create(url=closed_port_url, events=["ping.*"])
        now = [0.0]
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            now[0] += seconds

        # The client sleeps with the fake; the poll loop reads the fake clock (its default).
        webhooks = local_platform.client(sleep=sleep).webhooks
        monkeypatch.setitem(poll.__kwdefaults__, "clock", lambda: now[0])
        seen: list[Delivery] = []
        with pytest.raises(CLITimeoutError, match="after 1 s") as info:
            webhooks.test(hook.id, wait=True, timeout_s=1, on_progress=seen.append)
        assert f"flow webhooks deliveries {hook.id}" in (info.value.hint or "")
        assert sleeps[:4] == [0.05, 0.1, 0.2, 0.4]
        assert sum(sleeps) == pytest.approx(1.0)
        assert seen
        assert seen[-1].status in ("pending", "retrying")
        with pytest.raises(ValueError, match="timeout_s"):
            webhooks.wait_for_delivery(hook.id, "dlv_x", timeout_s=0)
    finally:
        engine.schedule = saved


def test_a_deactivated_webhook_stops_retrying(
    flow_client: CLIClient, receiver: Receiver, local_platform: Any
) -> None:
    from flow_sdk_webhooks.local._engine import RetrySchedule
    from flow_sdk_webhooks.local._routes import engine_of

    engine = engine_of(local_platform.platform)
    saved, engine.schedule = engine.schedule, RetrySchedule(max_attempts=3, base_s=0.3)
    try:
        hook = flow_client.webhooks.create(url=receiver.url, events=["webhook.updated"])
        receiver.default = 500
        flow_client.webhooks.update(hook.id, description="an update event, to ourselves")
        receiver.wait_for(1)
        flow_client.webhooks.update(hook.id, active=False)
        [delivery] = flow_client.webhooks.deliveries(hook.id).to_list()
        final = flow_client.webhooks.wait_for_delivery(hook.id, delivery.id, timeout_s=10)
        assert final.status == "failed"
        assert final.error == "the webhook is inactive"
        assert final.history[-1].error == "the webhook is inactive"
        assert len(receiver.received) == 1
    finally:
        engine.schedule = saved


def test_the_openapi_document_describes_the_routes(flow_client: CLIClient) -> None:
    doc = flow_client._client.request("GET", "/openapi.json").json()
    paths = doc["paths"]
    base = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}/webhooks"
    assert {"get", "post"} <= set(paths[base])
    assert {"get", "patch", "delete"} <= set(paths[base + "/{id}"])
    assert "post" in paths[base + "/{id}/test"]
    assert "get" in paths[base + "/{id}/deliveries"]
    text = json.dumps(doc)
    assert "WebhookWithSecret" in text
    assert "Delivery" in text


def test_models_roundtrip_what_the_platform_sends(flow_client: CLIClient) -> None:
    hook = flow_client.webhooks.create(url="http://127.0.0.1:9/x", events=["ping.*"])
    raw = flow_client._client.request("GET", flow_client._tenant_url(f"webhooks/{hook.id}")).content
    assert msgspec.json.decode(raw, type=Webhook).to_dict()["id"] == hook.id
