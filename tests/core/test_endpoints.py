"""One namespace source, two clients: endpoints, per-call options, raw responses, with_options."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from flow_sdk import (
    AsyncCLIClient,
    AsyncPaginator,
    CLIClient,
    CLIClientError,
    CLINotFoundError,
    FlowConfig,
    Model,
    Paginator,
    RawResponse,
)
from flow_sdk.plugin import (
    Listing,
    ModeT,
    Namespace,
    Page,
    ResourceNamespace,
    Steps,
    cursor_pages,
    endpoint,
    paginated,
    poll,
    send,
)
from flow_sdk.testing import RecordingTransport, SleepRecorder

from .conftest import PLATFORM, TENANT, TOKEN

pytestmark = pytest.mark.anyio


class Thing(Model):
    id: str
    name: str
    state: str = "new"


class Things(ResourceNamespace[ModeT, Thing]):
    path = "things"
    model = Thing

    @endpoint
    def rename(self, thing_id: str, name: str) -> Steps[Thing]:
        """Rename, then read back: two requests."""
        yield from send("POST", self._item(thing_id, "rename"), json={"name": name})
        return (yield from type(self).get.steps(self, thing_id))

    @endpoint
    def wait_ready(self, thing_id: str) -> Steps[Thing]:
        """Poll until ``state == "ready"``."""
        return (
            yield from poll(
                lambda: type(self).get.steps(self, thing_id),
                lambda thing: thing.state == "ready",
                timeout_s=60,
                what=f"thing {thing_id}",
            )
        )

    @endpoint
    def get_or_none(self, thing_id: str) -> Steps[Thing | None]:
        """A 404 thrown into the body is caught there."""
        try:
            return (yield from type(self).get.steps(self, thing_id))
        except CLINotFoundError:
            return None

    @endpoint
    def slow(self, thing_id: str) -> Steps[Thing]:
        """A request that names its own (longer) timeout."""
        return (yield from send("POST", self._item(thing_id, "slow"), timeout=70.0, type=Thing))

    @paginated
    def tagged(self, tag: str, *, page_size: int = 50) -> Listing[Thing]:
        """Things with ``tag``."""
        return cursor_pages(
            self._item("tagged"), Page[Thing], params={"tag": tag}, page_size=page_size
        )


def thing(**fields: Any) -> dict[str, Any]:
    return {"id": "t1", "name": "one", **fields}


def config() -> FlowConfig:
    return FlowConfig(
        platform_url=PLATFORM, access_token=TOKEN, org_id="org_1", workspace_id="ws_1"
    )


def sync_client(transport: RecordingTransport, **options: Any) -> CLIClient:
    return CLIClient(config(), transport=transport, plugins=[], **options)


def async_client(transport: RecordingTransport, **options: Any) -> AsyncCLIClient:
    return AsyncCLIClient(config(), transport=transport, plugins=[], **options)


# the same method on both clients


def test_a_method_written_once_runs_on_the_sync_client() -> None:
    transport = RecordingTransport({}, thing(name="two"))
    things = Things(sync_client(transport))
    renamed = things.rename("t1", "two")
    assert renamed == Thing(id="t1", name="two")
    assert [(r.method, r.url.path) for r in transport.requests] == [
        ("POST", f"{TENANT}/things/t1/rename"),
        ("GET", f"{TENANT}/things/t1"),
    ]


async def test_the_same_method_is_awaited_on_the_async_client() -> None:
    transport = RecordingTransport({}, thing(name="two"))
    async with async_client(transport) as client:
        things = Things(client)
        call = things.rename("t1", "two")
        assert asyncio.iscoroutine(call)
        assert await call == Thing(id="t1", name="two")
    assert [(r.method, r.url.path) for r in transport.requests] == [
        ("POST", f"{TENANT}/things/t1/rename"),
        ("GET", f"{TENANT}/things/t1"),
    ]


async def test_errors_are_thrown_into_the_method_on_both_clients() -> None:
    missing = httpx.Response(404, json={"detail": "no such thing", "code": "not_found"})
    assert Things(sync_client(RecordingTransport(missing))).get_or_none("t9") is None
    async with async_client(RecordingTransport(missing)) as client:
        assert await Things(client).get_or_none("t9") is None
        with pytest.raises(CLINotFoundError, match="no such thing"):
            await Things(client).get("t9")


async def test_polling_sleeps_through_the_clients_own_sleep(monkeypatch: Any) -> None:
    def no_blocking_sleep(seconds: float) -> None:
        raise AssertionError("time.sleep called inside the async client")

    replies = [thing(state="new"), thing(state="new"), thing(state="ready")]
    sleeps = SleepRecorder()
    things = Things(sync_client(RecordingTransport(*replies), sleep=sleeps))
    assert things.wait_ready("t1").state == "ready"
    assert len(sleeps.calls) == 2

    monkeypatch.setattr(time, "sleep", no_blocking_sleep)
    async_sleeps = SleepRecorder()
    async with async_client(RecordingTransport(*replies), sleep=async_sleeps.async_sleep) as c:
        assert (await Things(c).wait_ready("t1")).state == "ready"
    assert len(async_sleeps.calls) == 2


async def test_waits_of_the_async_client_run_concurrently() -> None:
    """Two waits on one loop overlap: neither blocks the other while it sleeps."""
    states = {"a": iter(["new", "new", "ready"]), "b": iter(["new", "ready"])}

    def answer(request: httpx.Request) -> httpx.Response:
        thing_id = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json=thing(id=thing_id, state=next(states[thing_id])))

    order: list[str] = []

    async def sleep(seconds: float) -> None:
        order.append("sleep")
        await asyncio.sleep(0)

    async with async_client(RecordingTransport(answer), sleep=sleep) as client:
        things = Things(client)
        a, b = await asyncio.gather(things.wait_ready("a"), things.wait_ready("b"))
    assert (a.id, a.state, b.id, b.state) == ("a", "ready", "b", "ready")
    assert order.count("sleep") == 3


async def test_paginated_methods_give_a_paginator_or_an_async_paginator() -> None:
    pages = [
        {"items": [thing(id="a"), thing(id="b")], "next_cursor": "c2"},
        {"items": [thing(id="c")], "next_cursor": None},
    ]
    transport = RecordingTransport(*pages)
    listing = Things(sync_client(transport)).tagged("red", page_size=2)
    assert isinstance(listing, Paginator)
    assert transport.requests == []  # lazy
    assert [t.id for t in listing] == ["a", "b", "c"]

    transport = RecordingTransport(*pages)
    async with async_client(transport) as client:
        alisting = Things(client).tagged("red", page_size=2)
        assert isinstance(alisting, AsyncPaginator)
        assert [t.id async for t in alisting] == ["a", "b", "c"]
    assert [dict(r.url.params) for r in transport.requests] == [
        {"tag": "red", "limit": "2"},
        {"tag": "red", "limit": "2", "cursor": "c2"},
    ]


async def test_async_paginator_limit_first_and_to_list() -> None:
    pages = [
        {"items": [thing(id="a"), thing(id="b")], "next_cursor": "c2"},
        {"items": [thing(id="c")], "next_cursor": None},
    ]
    async with async_client(RecordingTransport(*pages)) as client:
        assert [t.id for t in await Things(client).list(page_size=2, limit=3).to_list()] == [
            "a",
            "b",
            "c",
        ]
    transport = RecordingTransport(*pages)
    async with async_client(transport) as client:
        first = await Things(client).list(page_size=2).first()
        assert first is not None
        assert first.id == "a"
    assert len(transport.requests) == 1


# per-call options


async def test_every_method_takes_per_call_options_on_both_clients() -> None:
    options: dict[str, Any] = {
        "timeout": 2.5,
        "extra_headers": {"X-Trace": "t-1"},
        "extra_query": {"debug": "1"},
        "extra_body": {"dry_run": True},
    }
    transport = RecordingTransport({}, thing())
    Things(sync_client(transport)).rename("t1", "two", **options)
    transport_a = RecordingTransport({}, thing())
    async with async_client(transport_a) as client:
        await Things(client).rename("t1", "two", **options)
    for recorded in (transport, transport_a):
        post, get = recorded.requests
        for request in (post, get):
            assert request.headers["x-trace"] == "t-1"
            assert request.url.params["debug"] == "1"
            assert request.extensions["timeout"]["read"] == 2.5
        assert recorded.json(0) == {"name": "two", "dry_run": True}


def test_a_per_call_timeout_beats_the_requests_own_and_a_client_default_does_not() -> None:
    transport = RecordingTransport(thing())
    client = sync_client(transport)
    Things(client).slow("t1")
    assert transport.last.extensions["timeout"]["read"] == 70.0
    Things(client).slow("t1", timeout=5)
    assert transport.last.extensions["timeout"]["read"] == 5
    Things(client.with_options(timeout=3)).slow("t1")
    assert transport.last.extensions["timeout"]["read"] == 70.0
    Things(client.with_options(timeout=3)).get("t1")
    assert transport.last.extensions["timeout"]["read"] == 3


def test_per_call_options_reach_paginated_methods_and_are_checked() -> None:
    transport = RecordingTransport({"items": [], "next_cursor": None})
    things = Things(sync_client(transport))
    list(things.list(extra_query={"q": "x"}))
    assert transport.last.url.params["q"] == "x"
    with pytest.raises(CLIClientError, match="timeout must be a positive number"):
        things.get("t1", timeout=-1)


def test_a_method_may_not_take_a_per_call_option_name() -> None:
    with pytest.raises(TypeError, match="per-call option"):

        class Bad(Namespace[ModeT]):
            @endpoint
            def run(self, thing_id: str, timeout: float = 1) -> Steps[None]:
                yield from send("POST", thing_id)


# raw responses


async def test_raw_responses_on_both_clients() -> None:
    reply = httpx.Response(
        200, json=thing(), headers={"X-Request-ID": "req_1", "X-RateLimit-Remaining": "9"}
    )
    things = Things(sync_client(RecordingTransport(reply)))
    for raw in (things.get.with_raw_response("t1"), things.with_raw_response.get("t1")):
        assert isinstance(raw, RawResponse)
        assert raw.status_code == 200
        assert raw.request_id == "req_1"
        assert raw.headers["x-ratelimit-remaining"] == "9"
        assert raw.parse() == Thing(id="t1", name="one")
    assert things.get("t1") == Thing(id="t1", name="one")  # the namespace itself is unchanged
    async with async_client(RecordingTransport(reply)) as client:
        athings = Things(client)
        for raw in (
            await athings.get.with_raw_response("t1"),
            await athings.with_raw_response.get("t1"),
        ):
            assert raw.request_id == "req_1"
            assert raw.parse() == Thing(id="t1", name="one")


def test_a_raw_response_of_several_requests_is_the_last_ones() -> None:
    transport = RecordingTransport(
        httpx.Response(200, json={}, headers={"X-Request-ID": "first"}),
        httpx.Response(200, json=thing(name="two"), headers={"X-Request-ID": "second"}),
    )
    raw = Things(sync_client(transport)).rename.with_raw_response("t1", "two")
    assert (raw.request_id, raw.parse().name) == ("second", "two")


# with_options


async def test_with_options_shares_the_pool_and_changes_only_the_copy() -> None:
    transport = RecordingTransport(httpx.Response(503), thing())
    sleeps = SleepRecorder()
    client = sync_client(transport, sleep=sleeps)
    quick = client.with_options(timeout=1.5, max_retries=0, headers={"X-Team": "a"})
    assert type(quick) is CLIClient
    assert quick._http is client._http  # one connection pool
    assert (quick.config.timeout, quick.config.max_retries) == (1.5, 0)
    assert (client.config.timeout, client.config.max_retries) == (30.0, 2)
    with pytest.raises(CLIClientError):
        Things(quick).get("t1")  # 503, not retried
    assert transport.last.headers["x-team"] == "a"
    assert transport.last.extensions["timeout"]["read"] == 1.5
    assert Things(client).get("t1").id == "t1"  # the original retries and has no header
    assert "x-team" not in transport.last.headers
    with pytest.raises(CLIClientError, match="timeout must be a positive number"):
        client.with_options(timeout=0)

    atransport = RecordingTransport(thing())
    async with async_client(atransport) as aclient:
        aquick = aclient.with_options(headers={"X-Team": "b"})
        assert type(aquick) is AsyncCLIClient
        assert (await Things(aquick).get("t1")).id == "t1"
    assert atransport.last.headers["x-team"] == "b"


# the typed way to a namespace


def test_namespace_by_class_is_cached_and_typed() -> None:
    client = sync_client(RecordingTransport(thing()))
    things = client.namespace(Things)
    assert isinstance(things, Things)
    assert client.namespace(Things) is things
    assert things.get("t1").id == "t1"


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


async def test_polling_reads_the_clients_clock_so_a_timeout_needs_no_real_time() -> None:
    from flow_sdk import CLITimeoutError

    never_ready = RecordingTransport(thing(state="new"))
    fake = FakeTime()
    things = Things(sync_client(never_ready, sleep=fake.sleep, clock=fake.clock))
    started = time.monotonic()
    with pytest.raises(CLITimeoutError, match="gave up waiting after 60 s for thing t1"):
        things.wait_ready("t1")
    assert time.monotonic() - started < 5
    assert sum(fake.slept) == pytest.approx(60)  # the last pause ends exactly at the deadline

    fake = FakeTime()
    async with async_client(
        RecordingTransport(thing(state="new")), sleep=fake.async_sleep, clock=fake.clock
    ) as client:
        with pytest.raises(CLITimeoutError):
            await Things(client).wait_ready("t1")
    assert sum(fake.slept) == pytest.approx(60)


def test_the_async_default_transport_for_http_is_aiohttps_built_on_first_use() -> None:
    from flow_sdk._async_transport import LazyAiohttpTransport, default_async_transport
    from httpx_aiohttp import AiohttpTransport

    lazy = default_async_transport("https://flow.example")
    assert isinstance(lazy, LazyAiohttpTransport)
    assert lazy._transport is None  # nothing built (nor imported) until a request
    assert isinstance(lazy.transport, AiohttpTransport)
    assert default_async_transport("local://x") is None  # a plugin's, or httpx's own error
    client = AsyncCLIClient(config(), plugins=[])
    assert isinstance(client._http._transport, LazyAiohttpTransport)
