"""client.webhooks on AsyncCLIClient: the same namespace code, awaited, in-process and over
the socket, with a real receiver on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError, CLITimeoutError, CLIValidationError
from flow_sdk.plugin import poll
from flow_sdk_webhooks import Delivery, Webhook, WebhookWithSecret, verify_signature

from .conftest import Receiver

pytestmark = pytest.mark.anyio


@pytest.fixture
def slow_retries(local_platform: Any) -> Iterator[None]:
    """A failed delivery waits an hour before its next attempt: it stays unfinished."""
    from flow_sdk_webhooks.local._engine import RetrySchedule
    from flow_sdk_webhooks.local._routes import engine_of

    engine = engine_of(local_platform.platform)
    saved, engine.schedule = engine.schedule, RetrySchedule(max_attempts=5, base_s=3600)
    yield
    engine.schedule = saved


async def test_crud_async(async_flow_client: Any, receiver: Receiver) -> None:
    webhooks = async_flow_client.webhooks
    created = await webhooks.create(url=receiver.url, events=["policy.*"], description="d")
    assert isinstance(created, WebhookWithSecret)
    assert created.secret.startswith("whsec_")
    assert (created.active, created.version, created.description) == (True, 1, "d")
    fetched = await webhooks.get(created.id)
    assert type(fetched) is Webhook
    other = await webhooks.create({"url": receiver.url + "/2", "events": ["*"]}, active=False)
    assert [w.id async for w in webhooks.list()] == [created.id, other.id]
    assert [w.id async for w in webhooks.list(page_size=1)] == [created.id, other.id]
    assert [w.id async for w in webhooks.list(url=receiver.url + "/2")] == [other.id]
    assert [w.id for w in await webhooks.list(limit=1).to_list()] == [created.id]
    updated = await webhooks.update(created.id, events=["policy.created"], if_match=1)
    assert (updated.events, updated.version) == (["policy.created"], 2)
    await webhooks.delete(created.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        await webhooks.get(created.id)
    await webhooks.delete(other.id)
    assert await webhooks.list().first() is None


async def test_errors_async(async_flow_client: Any, receiver: Receiver) -> None:
    webhooks = async_flow_client.webhooks
    for call in (
        lambda: webhooks.get("whk_missing"),
        lambda: webhooks.update("whk_missing", active=False),
        lambda: webhooks.delete("whk_missing"),
        lambda: webhooks.test("whk_missing"),
        lambda: webhooks.get_delivery("whk_missing", "dlv_x"),
        lambda: webhooks.deliveries("whk_missing").to_list(),
    ):
        with pytest.raises(CLINotFoundError):
            await call()
    hook = await webhooks.create(url=receiver.url, events=["*"])
    await webhooks.update(hook.id, description="v2", if_match=1)
    with pytest.raises(CLIConflictError, match="version"):
        await webhooks.update(hook.id, description="lost", if_match=1)
    with pytest.raises(CLIConflictError):
        await webhooks.delete(hook.id, if_match=1)
    with pytest.raises(CLIValidationError, match="url") as info:
        await webhooks.create(url="http://example.com/hook", events=["*"])
    assert info.value.status_code == 422
    with pytest.raises(CLIValidationError, match="events"):
        await webhooks.create(url=receiver.url, events=["Dataset.Created"])
    with pytest.raises(CLIValidationError, match="secret"):
        await webhooks.update(hook.id, {"secret": "whsec_mine"})
    with pytest.raises(CLINotFoundError, match="delivery"):
        await webhooks.get_delivery(hook.id, "dlv_nope")
    with pytest.raises(ValueError, match="page_size"):
        webhooks.deliveries(hook.id, page_size=0)
    with pytest.raises(ValueError, match="timeout_s"):
        await webhooks.wait_for_delivery(hook.id, "dlv_x", timeout_s=0)
    assert (await webhooks.get(hook.id)).description == "v2"


async def test_a_test_delivery_is_signed_and_waited_for(
    async_flow_client: Any, receiver: Receiver
) -> None:
    webhooks = async_flow_client.webhooks
    hook = await webhooks.create(url=receiver.url, events=["ping.*"])
    receiver.secret = hook.secret
    seen: list[str] = []
    delivery = await webhooks.test(
        hook.id, wait=True, timeout_s=10, on_progress=lambda d: seen.append(d.status)
    )
    assert isinstance(delivery, Delivery)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    assert seen[-1] == "succeeded"
    [got] = receiver.wait_for(1)
    assert got.verified is True, got.problem
    verify_signature(got.body, got.headers, hook.secret)
    assert got.event["type"] == "ping"
    assert got.headers["Flow-Delivery"] == delivery.id


async def test_deliveries_are_listed_fetched_and_waited_for(
    async_flow_client: Any, receiver: Receiver
) -> None:
    webhooks = async_flow_client.webhooks
    hook = await webhooks.create(url=receiver.url, events=["ping.*"])
    sent = [(await webhooks.test(hook.id)).id for _ in range(3)]
    assert [d.id async for d in webhooks.deliveries(hook.id, page_size=1)] == sent[::-1]
    assert [d.id async for d in webhooks.deliveries(hook.id, limit=2)] == sent[:0:-1]
    pages = [len(page.items) async for page in webhooks.deliveries(hook.id, page_size=2).pages()]
    assert pages == [2, 1]
    done = await asyncio.gather(
        *(webhooks.wait_for_delivery(hook.id, delivery_id, timeout_s=10) for delivery_id in sent)
    )
    assert [d.status for d in done] == ["succeeded"] * 3
    one = await webhooks.get_delivery(hook.id, sent[0])
    assert (one.id, one.event_type, one.status) == (sent[0], "ping", "succeeded")


async def test_two_waits_run_at_once_without_blocking_the_loop(
    async_flow_client: Any, receiver: Receiver, fast_retries: Any
) -> None:
    webhooks = async_flow_client.webhooks
    first = await webhooks.create(url=receiver.url + "/a", events=["ping.*"])
    second = await webhooks.create(url=receiver.url + "/b", events=["ping.*"])
    receiver.statuses = [500, 503]  # two attempts fail, whichever delivery they belong to
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    ticking = asyncio.create_task(ticker())
    try:
        done = await asyncio.gather(
            webhooks.test(first.id, wait=True, timeout_s=10),
            webhooks.test(second.id, wait=True, timeout_s=10),
        )
    finally:
        stop.set()
        await ticking
    assert [d.status for d in done] == ["succeeded", "succeeded"]
    assert sum(d.attempts for d in done) == 4
    assert ticks > 5  # the loop ran other tasks while both waits polled


async def test_a_wait_times_out_with_a_clear_error(
    async_flow_client: Any, closed_port_url: str, slow_retries: None
) -> None:
    webhooks = async_flow_client.webhooks
    hook = await webhooks.create(url=closed_port_url, events=["ping.*"])
    delivery = await webhooks.test(hook.id)
    waits = await asyncio.gather(
        webhooks.wait_for_delivery(hook.id, delivery.id, timeout_s=0.3),
        webhooks.wait_for_delivery(hook.id, delivery.id, timeout_s=0.3),
        return_exceptions=True,
    )
    for error in waits:
        assert isinstance(error, CLITimeoutError)
        assert "gave up waiting after 0.3 s" in str(error)
        assert f"flow webhooks deliveries {hook.id}" in (error.hint or "")


async def test_the_client_sleep_paces_the_polls(
    flow_transport_mode: str,
    local_platform: Any,
    closed_port_url: str,
    slow_retries: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [0.0]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    # The client sleeps with the fake; the poll loop reads the fake clock (its default).
    monkeypatch.setitem(poll.__kwdefaults__, "clock", lambda: now[0])
    async with local_platform.async_client(sleep=sleep) as client:
        hook = await client.webhooks.create(url=closed_port_url, events=["ping.*"])
        seen: list[Delivery] = []
        with pytest.raises(CLITimeoutError, match="after 1 s"):
            await client.webhooks.test(hook.id, wait=True, timeout_s=1, on_progress=seen.append)
    assert sleeps[:4] == [0.05, 0.1, 0.2, 0.4]
    assert sum(sleeps) == pytest.approx(1.0)
    assert seen
    assert seen[-1].status in ("pending", "retrying")
