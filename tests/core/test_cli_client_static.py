"""The three static methods of the reference interface (docs/interface.md):
URL, body, headers, timeout, result, errors.

They build their own httpx client, which asks the plugins for a transport: a
test plugin (``flow_sdk.testing.transport_plugin``) answers with a mock. Every
test runs twice: on ``CLIClient`` and on ``AsyncCLIClient`` (awaited), which
must send the same requests and raise the same errors.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flow_sdk import (
    AsyncCLIClient,
    CLIAuthenticationError,
    CLIClient,
    CLIClientError,
    CLIConnectionError,
    CLIServerError,
)
from flow_sdk._transport import USER_AGENT
from flow_sdk.testing import RecordingTransport, installed_plugins, transport_plugin

PLATFORM = "https://flow.example"
API_KEY = "fl_live_0123456789abcdef"


@pytest.fixture
def platform() -> Iterator[RecordingTransport]:
    """Install a plugin whose transport answers with the replies a test sets."""
    replies: list[Any] = []

    def answer(request: httpx.Request) -> httpx.Response:
        reply = replies.pop(0) if replies else httpx.Response(200, json={})
        if callable(reply):
            return reply(request)
        # A fresh copy: one parametrised response serves the sync and the async run.
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.read())

    transport = RecordingTransport(answer)
    transport.replies = replies  # type: ignore[attr-defined]
    with installed_plugins({"double": transport_plugin(transport)}):
        yield transport


class _Awaited:
    """``AsyncCLIClient``'s static methods, run to completion: the same contract."""

    def __getattr__(self, name: str) -> Any:
        method = getattr(AsyncCLIClient, name)
        return lambda *args, **kwargs: asyncio.run(method(*args, **kwargs))


@pytest.fixture(params=["sync", "async"])
def static(request: pytest.FixtureRequest) -> Any:
    """The static methods of ``CLIClient``, or ``AsyncCLIClient``'s awaited."""
    return CLIClient if request.param == "sync" else _Awaited()


def reply(transport: RecordingTransport, *responses: Any) -> None:
    transport.replies.extend(responses)  # type: ignore[attr-defined]


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


# exchange_api_key


def test_exchange_api_key_success(platform: RecordingTransport, static: Any) -> None:
    reply(platform, httpx.Response(200, json={"access_token": "jwt-abc", "token_type": "bearer"}))
    assert static.exchange_api_key(PLATFORM + "/", API_KEY) == "jwt-abc"
    request = platform.last
    assert request.method == "POST"
    assert str(request.url) == f"{PLATFORM}/api/v1/auth/token"
    assert json.loads(request.content) == {"api_key": API_KEY, "ttl_minutes": 60}
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == USER_AGENT
    assert "Authorization" not in request.headers
    assert request.extensions["timeout"] == dict.fromkeys(
        ("connect", "read", "write", "pool"), 15.0
    )


def test_exchange_api_key_ttl(platform: RecordingTransport, static: Any) -> None:
    reply(platform, httpx.Response(200, json={"access_token": "t"}))
    static.exchange_api_key(PLATFORM, API_KEY, ttl_minutes=5)
    assert json.loads(platform.last.content)["ttl_minutes"] == 5
    reply(platform, httpx.Response(200, json={"access_token": "t"}))
    static.exchange_api_key(PLATFORM, API_KEY, 7)
    assert json.loads(platform.last.content)["ttl_minutes"] == 7


def test_exchange_api_key_transport_failure(platform: RecordingTransport, static: Any) -> None:
    reply(platform, refuse)
    with pytest.raises(CLIAuthenticationError) as info:
        static.exchange_api_key(PLATFORM, API_KEY)
    assert info.value.message == "API key exchange failed: connection refused"
    assert len(platform.requests) == 1


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            httpx.Response(401, json={"detail": "Invalid API key"}),
            "API key exchange failed (401): Invalid API key",
        ),
        (
            httpx.Response(500, text="upstream exploded"),
            "API key exchange failed (500): upstream exploded",
        ),
        (
            httpx.Response(201, json={"access_token": "t"}),
            'API key exchange failed (201): {"access_token":"t"}',
        ),
        (httpx.Response(403, json={"detail": "key revoked", "code": "revoked"}), None),
    ],
)
def test_exchange_api_key_error_status(
    platform: RecordingTransport, response: httpx.Response, message: str | None, static: Any
) -> None:
    reply(platform, response)
    with pytest.raises(CLIAuthenticationError) as info:
        static.exchange_api_key(PLATFORM, API_KEY)
    if message is not None:
        assert info.value.message == message
    assert info.value.status_code == response.status_code
    assert info.value.method == "POST"
    assert API_KEY not in str(info.value)


def test_exchange_api_key_error_keeps_request_id(platform: RecordingTransport, static: Any) -> None:
    reply(platform, httpx.Response(401, json={"detail": "no"}, headers={"X-Request-ID": "r-1"}))
    with pytest.raises(CLIAuthenticationError) as info:
        static.exchange_api_key(PLATFORM, API_KEY)
    assert info.value.request_id == "r-1"
    assert info.value.code is None


def test_exchange_api_key_echoed_key_is_redacted(platform: RecordingTransport, static: Any) -> None:
    reply(platform, httpx.Response(401, json={"detail": f"unknown key {API_KEY}"}))
    with pytest.raises(CLIAuthenticationError) as info:
        static.exchange_api_key(PLATFORM, API_KEY)
    assert API_KEY not in str(info.value)
    assert API_KEY not in repr(info.value.detail)
    assert info.value.message.startswith("API key exchange failed (401): unknown key ")


# create_cli_login_request


def test_create_cli_login_request_success(platform: RecordingTransport, static: Any) -> None:
    body = {"id": "clr_1", "user_code": "ABCD-EFGH", "status": "pending"}
    reply(platform, httpx.Response(201, json=body))
    assert static.create_cli_login_request(PLATFORM) == body
    request = platform.last
    assert request.method == "POST"
    assert str(request.url) == f"{PLATFORM}/api/v1/auth/cli-login-requests"
    assert "Authorization" not in request.headers
    assert request.extensions["timeout"]["read"] == 15.0


def test_create_cli_login_request_transport_failure(
    platform: RecordingTransport, static: Any
) -> None:
    reply(platform, refuse)
    with pytest.raises(CLIClientError) as info:
        static.create_cli_login_request(PLATFORM)
    assert info.value.message == "CLI login request failed: connection refused"


@pytest.mark.parametrize(
    ("response", "message", "cls"),
    [
        (
            httpx.Response(503, json={"detail": "maintenance"}),
            "CLI login request failed (503): maintenance",
            CLIServerError,
        ),
        (
            httpx.Response(400, text="bad"),
            "CLI login request failed (400): bad",
            CLIClientError,
        ),
    ],
)
def test_create_cli_login_request_error_status(
    platform: RecordingTransport,
    response: httpx.Response,
    message: str,
    cls: type[CLIClientError],
    static: Any,
) -> None:
    reply(platform, response)
    with pytest.raises(cls) as info:
        static.create_cli_login_request(PLATFORM)
    assert info.value.message == message
    assert info.value.status_code == response.status_code
    assert len(platform.requests) == 1


# get_current_user_with_token


def test_get_current_user_with_token_success(platform: RecordingTransport, static: Any) -> None:
    me = {"id": "usr_1", "email": "dev@example.com", "orgs": []}
    reply(platform, httpx.Response(200, json=me))
    assert static.get_current_user_with_token(PLATFORM, "jwt-xyz") == me
    request = platform.last
    assert request.method == "GET"
    assert str(request.url) == f"{PLATFORM}/api/v1/auth/me"
    assert request.headers["Authorization"] == "Bearer jwt-xyz"
    assert request.extensions["timeout"]["read"] == 15.0


def test_get_current_user_with_token_transport_failure(
    platform: RecordingTransport, static: Any
) -> None:
    reply(platform, refuse)
    with pytest.raises(CLIClientError) as info:
        static.get_current_user_with_token(PLATFORM, "jwt-xyz")
    assert info.value.message == "Token validation failed: connection refused"


def test_get_current_user_with_token_401(platform: RecordingTransport, static: Any) -> None:
    reply(platform, httpx.Response(401, json={"detail": "Token expired"}))
    with pytest.raises(CLIAuthenticationError) as info:
        static.get_current_user_with_token(PLATFORM, "jwt-xyz")
    assert info.value.message == "Token validation failed: Token expired"
    assert info.value.status_code == 401
    assert "flow login" in (info.value.hint or "")


def test_get_current_user_with_token_401_raw_text(
    platform: RecordingTransport, static: Any
) -> None:
    reply(platform, httpx.Response(401, text="Unauthorized"))
    with pytest.raises(CLIAuthenticationError) as info:
        static.get_current_user_with_token(PLATFORM, "jwt-xyz")
    assert info.value.message == "Token validation failed: Unauthorized"


@pytest.mark.parametrize("code", [403, 404, 500])
def test_get_current_user_with_token_other_status(
    platform: RecordingTransport, code: int, static: Any
) -> None:
    reply(platform, httpx.Response(code, json={"detail": "nope"}))
    with pytest.raises(CLIClientError) as info:
        static.get_current_user_with_token(PLATFORM, "jwt-xyz")
    assert not isinstance(info.value, CLIAuthenticationError)
    assert info.value.message == f"Token validation failed ({code}): nope"
    assert info.value.status_code == code


# unreadable success bodies are errors of the root class, never a JSONDecodeError


@pytest.mark.parametrize(
    "call",
    [
        lambda static: static.create_cli_login_request(PLATFORM),
        lambda static: static.get_current_user_with_token(PLATFORM, "t"),
        lambda static: static.exchange_api_key(PLATFORM, API_KEY),
    ],
)
def test_static_methods_reject_unreadable_success_bodies(
    platform: RecordingTransport, call: Any, static: Any
) -> None:
    reply(platform, httpx.Response(200, text="<html>not json</html>"))
    with pytest.raises(CLIClientError):
        call(static)


def test_static_methods_ask_the_transport_hook_for_their_url(static: Any) -> None:
    asked: list[str] = []

    class Recorder:
        __name__ = "recorder"

        from flow_sdk import hookimpl

        @hookimpl
        def flow_sdk_transport(self, platform_url: str) -> httpx.BaseTransport:
            asked.append(platform_url)
            return httpx.MockTransport(lambda r: httpx.Response(200, json={"access_token": "t"}))

        @hookimpl
        def flow_sdk_async_transport(self, platform_url: str) -> httpx.AsyncBaseTransport:
            asked.append(platform_url)
            return httpx.MockTransport(lambda r: httpx.Response(200, json={"access_token": "t"}))

    with installed_plugins({"recorder": Recorder()}):
        static.exchange_api_key("http://one.test/", API_KEY)
        static.get_current_user_with_token("http://two.test", "t")
        static.create_cli_login_request("http://three.test")
    assert asked == ["http://one.test", "http://two.test", "http://three.test"]


def test_static_methods_without_a_transport_plugin_reach_the_network_layer(static: Any) -> None:
    with installed_plugins({}), pytest.raises(CLIConnectionError) as info:
        static.create_cli_login_request("local://default")
    assert "CLI login request failed" in info.value.message


def test_static_errors_carry_detail_code_method_and_url(
    platform: RecordingTransport, static: Any
) -> None:
    reply(
        platform,
        httpx.Response(
            403, json={"detail": "forbidden", "code": "no_access"}, headers={"X-Request-ID": "r2"}
        ),
    )
    with pytest.raises(CLIClientError) as info:
        static.get_current_user_with_token(PLATFORM, "jwt-xyz")
    error = info.value
    assert (error.detail, error.code, error.request_id) == ("forbidden", "no_access", "r2")
    assert (error.method, error.url) == ("GET", f"{PLATFORM}/api/v1/auth/me")


def test_static_timeouts_are_timeout_errors(platform: RecordingTransport, static: Any) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    reply(platform, slow)
    from flow_sdk import CLITimeoutError

    with pytest.raises(CLITimeoutError) as info:
        static.create_cli_login_request(PLATFORM)
    assert info.value.message == "CLI login request failed: read timed out"
    assert info.value.method == "POST"


def test_static_json_array_reply_is_an_error(platform: RecordingTransport, static: Any) -> None:
    reply(platform, httpx.Response(200, json=[1, 2]))
    with pytest.raises(CLIClientError, match="expected a JSON object"):
        static.get_current_user_with_token(PLATFORM, "t")
