"""AsyncCLIClient's own machinery, and the reference edges both clients share."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from flow_sdk import (
    AsyncCLIClient,
    CLIAuthenticationError,
    CLIClient,
    CLIClientError,
    CLIServerError,
    FlowConfig,
    NamespaceSpec,
    PluginError,
    hookimpl,
)
from flow_sdk.testing import RecordingTransport, SleepRecorder, plugin_host

from .conftest import PLATFORM, TENANT

pytestmark = pytest.mark.anyio

API_KEY = "fl_test_0123456789"


def token_reply(token: str = "jwt-1") -> httpx.Response:
    return httpx.Response(200, json={"access_token": token, "token_type": "bearer"})


def key_config(**changes: Any) -> FlowConfig:
    values: dict[str, Any] = {
        "platform_url": PLATFORM,
        "api_key": API_KEY,
        "org_id": "org_1",
        "workspace_id": "ws_1",
    }
    values.update(changes)
    return FlowConfig(**values)


@pytest.fixture
def no_blocking_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any ``time.sleep`` while a test runs is a failure: it would block the event loop."""

    def refuse(seconds: float) -> None:
        raise AssertionError(f"time.sleep({seconds}) called inside the async client")

    monkeypatch.setattr(time, "sleep", refuse)


async def test_concurrent_calls_share_one_key_exchange(no_blocking_sleep: None) -> None:
    exchanges = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal exchanges
        if request.url.path == "/api/v1/auth/token":
            exchanges += 1
            await asyncio.sleep(0.01)  # the others arrive while this exchange is running
            return token_reply()
        assert request.headers["authorization"] == "Bearer jwt-1"
        return httpx.Response(200, json=[])

    async with AsyncCLIClient(
        key_config(), transport=httpx.MockTransport(answer), plugins=[]
    ) as client:
        results = await asyncio.gather(*(client.list_orgs() for _ in range(20)))
    assert results == [[]] * 20
    assert exchanges == 1


async def test_a_401_refreshes_the_token_once_and_replays(no_blocking_sleep: None) -> None:
    tokens = iter(["jwt-old", "jwt-new"])
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/token":
            return token_reply(next(tokens))
        seen.append(request.headers["authorization"])
        if request.headers["authorization"] == "Bearer jwt-old":
            return httpx.Response(401, json={"detail": "expired"})
        return httpx.Response(200, json={"id": "u1"})

    async with AsyncCLIClient(
        key_config(), transport=httpx.MockTransport(answer), plugins=[]
    ) as client:
        assert await client.get_current_user() == {"id": "u1"}
    assert seen == ["Bearer jwt-old", "Bearer jwt-new"]


async def test_a_refused_key_is_the_references_error(no_blocking_sleep: None) -> None:
    transport = RecordingTransport(httpx.Response(401, json={"detail": "Invalid API key"}))
    async with AsyncCLIClient(key_config(), transport=transport, plugins=[]) as client:
        with pytest.raises(CLIAuthenticationError, match=r"API key exchange failed \(401\)"):
            await client.list_orgs()
    assert len(transport.requests) == 1  # a refusal is not retried


async def test_retries_back_off_with_the_async_sleep(no_blocking_sleep: None) -> None:
    sleeps = SleepRecorder()
    transport = RecordingTransport(
        httpx.Response(503), httpx.Response(429, headers={"Retry-After": "2"}), []
    )
    config = FlowConfig(platform_url=PLATFORM, access_token="t", org_id="o", workspace_id="w")
    async with AsyncCLIClient(
        config, transport=transport, plugins=[], sleep=sleeps.async_sleep
    ) as client:
        assert await client.list_orgs() == []
    assert len(transport.requests) == 3
    assert len(sleeps.calls) == 2
    assert sleeps.calls[1] == 2.0  # Retry-After honoured
    post_keys = {r.headers.get("idempotency-key") for r in transport.requests}
    assert post_keys == {None}  # a GET carries none


async def test_a_retried_post_keeps_its_idempotency_key_on_the_async_client() -> None:
    sleeps = SleepRecorder()
    transport = RecordingTransport(httpx.Response(502), {"id": "cmp_1"})
    config = FlowConfig(platform_url=PLATFORM, access_token="t", org_id="o", workspace_id="w")
    async with AsyncCLIClient(
        config, transport=transport, plugins=[], sleep=sleeps.async_sleep
    ) as client:
        assert await client.create_component("agent", {"name": "a"}) == {"id": "cmp_1"}
    first, second = transport.requests
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]


async def test_closed_async_client_says_what_to_do() -> None:
    config = FlowConfig(platform_url=PLATFORM, access_token="t", org_id="o", workspace_id="w")
    client = AsyncCLIClient(config, transport=RecordingTransport([]), plugins=[])
    await client.aclose()
    with pytest.raises(CLIClientError, match="the client is closed") as info:
        await client.list_orgs()
    assert "async with" in (info.value.hint or "")


# the reference's edges, on both clients


def both(transport: RecordingTransport, **changes: Any) -> tuple[CLIClient, AsyncCLIClient]:
    values: dict[str, Any] = {
        "platform_url": PLATFORM,
        "access_token": "t",
        "org_id": "org_1",
        "workspace_id": "ws_1",
    }
    values.update(changes)
    config = FlowConfig(**values)
    return (
        CLIClient(config, transport=transport, plugins=[]),
        AsyncCLIClient(config, transport=transport, plugins=[]),
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_naming_where_it_went(status: int) -> None:
    transport = RecordingTransport(
        httpx.Response(status, headers={"Location": "https://sso.example/login?next=/x"})
    )
    sync, asynchronous = both(transport)
    with pytest.raises(CLIClientError) as info:
        sync.verify_credentials()
    assert f"redirected ({status}) to https://sso.example/login" in info.value.message
    assert info.value.status_code == status
    with pytest.raises(CLIClientError, match=f"redirected \\({status}\\)"):
        sync.get_current_user()
    with pytest.raises(CLIClientError, match=f"redirected \\({status}\\)"):
        await asynchronous.verify_credentials()
    await asynchronous.aclose()


@pytest.mark.parametrize(
    ("scope_id", "reason", "sent_scope", "sent_reason"),
    [
        (None, None, "ws_1", None),
        ("", "", "ws_1", None),  # empty scope_id means the workspace; empty reason is not sent
        ("ws_9", "cleanup", "ws_9", "cleanup"),
    ],
)
async def test_execute_ddl_follows_the_reference_to_the_letter(
    scope_id: str | None, reason: str | None, sent_scope: str, sent_reason: str | None
) -> None:
    transport = RecordingTransport({"executed": False})
    sync, asynchronous = both(transport)
    sync.execute_ddl("ci_1", "CREATE TABLE t (a int)", scope_id=scope_id, reason=reason)
    await asynchronous.execute_ddl(
        "ci_1", "CREATE TABLE t (a int)", scope_id=scope_id, reason=reason
    )
    await asynchronous.aclose()
    for index in (0, 1):
        body = transport.json(index)
        assert body["scope_id"] == sent_scope
        assert body.get("reason") == sent_reason
        assert ("reason" in body) is (sent_reason is not None)
        assert transport.requests[index].url.path == "/api/v1/connectors/instances/ci_1/execute-ddl"


async def test_the_same_condition_reads_the_same_from_every_call() -> None:
    """An empty 500 body is "no detail" from an instance call and a static one alike."""
    transport = RecordingTransport(httpx.Response(500, content=b""))
    sync, asynchronous = both(transport, max_retries=0)
    with pytest.raises(CLIServerError) as instance:
        sync.list_orgs()
    with pytest.raises(CLIServerError) as awaited:
        await asynchronous.list_orgs()
    await asynchronous.aclose()
    assert instance.value.message == "GET /api/v1/tenants/orgs failed (500): no detail"
    assert awaited.value.message == instance.value.message
    from flow_sdk.testing import installed_plugins, transport_plugin

    with (
        installed_plugins({"double": transport_plugin(transport)}),
        pytest.raises(CLIServerError) as static,
    ):
        CLIClient.create_cli_login_request(PLATFORM)
    assert static.value.message == "CLI login request failed (500): no detail"


# hooks go through pluggy


def test_a_hook_implemented_under_another_name_with_specname_is_used() -> None:
    class Renamed:
        __name__ = "renamed"

        @hookimpl(specname="flow_sdk_namespaces")
        def my_namespaces(self) -> list[NamespaceSpec]:
            return [NamespaceSpec("gadgets", lambda client: "gadgets!")]

    host = plugin_host(Renamed())
    assert "gadgets" in host.namespaces


def test_hook_wrappers_see_the_plugins_own_answer() -> None:
    class Wrapped:
        __name__ = "wrapped"

        @hookimpl
        def flow_sdk_namespaces(self) -> list[NamespaceSpec]:
            return [NamespaceSpec("gizmos", lambda client: "gizmos")]

        @hookimpl(wrapper=True)
        def flow_sdk_component_types(self) -> Any:
            answers = yield
            return answers

    assert "gizmos" in plugin_host(Wrapped()).namespaces


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("gadgets", "returned str, not a list of NamespaceSpec"),
        (["gadgets"], "returned 'gadgets', not a NamespaceSpec"),
        ([{"name": "gadgets"}], "not a NamespaceSpec"),
    ],
)
def test_a_hook_answer_of_the_wrong_shape_is_a_plugin_error(answer: Any, said: str) -> None:
    class Wrong:
        __name__ = "wrong"

        @hookimpl
        def flow_sdk_namespaces(self) -> Any:
            return answer

    with pytest.raises(PluginError) as info:
        plugin_host(Wrong())
    assert "flow_sdk_namespaces" in info.value.message
    assert "'wrong'" in info.value.message
    assert said in info.value.message
    quiet = plugin_host(Wrong(), strict=False)
    assert [i.status for i in quiet.infos] == ["failed"]
    assert "flow_sdk_namespaces" in (quiet.infos[0].error or "")


def test_every_namespace_of_every_plugin_answers_on_the_tenant_url() -> None:
    """A smoke check of the plain component namespace on both clients' URL building."""
    transport = RecordingTransport({"items": [], "next_cursor": None})
    sync, _ = both(transport)
    from flow_sdk import ComponentTypeNamespace

    assert list(ComponentTypeNamespace(sync, "agent").list()) == []
    assert transport.last.url.path == f"{TENANT}/components/agent"


def test_per_plugin_calls_each_plugin_alone_through_pluggy() -> None:
    from flow_sdk.plugin import per_plugin

    class First:
        __name__ = "first"

        @hookimpl(specname="flow_sdk_cli_commands")
        def add_mine(self, commands: list[str]) -> None:
            commands.append("first")

    class Broken:
        __name__ = "broken"

        @hookimpl
        def flow_sdk_cli_commands(self, commands: list[str]) -> None:
            raise RuntimeError("boom")

    class Last:
        __name__ = "last"

        @hookimpl
        def flow_sdk_cli_commands(self, commands: list[str]) -> None:
            commands.append("last")

    host = plugin_host(First(), Broken(), Last())
    seen: list[str] = []
    outcomes: dict[str, str] = {}
    for name, call in per_plugin(host.pm, "flow_sdk_cli_commands"):
        before = list(seen)
        try:
            call(commands=seen)
        except RuntimeError as exc:
            outcomes[name] = str(exc)
        else:
            outcomes[name] = ",".join(seen[len(before) :])
    assert outcomes == {"first": "first", "broken": "boom", "last": "last"}
    assert list(outcomes) == ["first", "broken", "last"]  # registration order
