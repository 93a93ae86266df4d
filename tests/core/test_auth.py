"""Auth: the API key exchange, the token cache and its refresh, 401 replay."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import httpx
import msgspec
import pytest
from flow_sdk import CLIAuthenticationError, CLIClient, FlowConfig
from flow_sdk._auth import BearerAuth, TokenSource, _jwt_expiry, exchange_api_key_for_token
from flow_sdk._transport import build_http_client
from flow_sdk.testing import RecordingTransport

API_KEY = "fl_test_0123456789abcdef"


def jwt(exp: float | None = None, sub: str = "user") -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims: dict[str, Any] = {"sub": sub}
    if exp is not None:
        claims["exp"] = exp
    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2ln"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# exchange_api_key_for_token


def token_reply(token: str, expires_at: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"access_token": token, "token_type": "bearer"}
    if expires_at:
        body["expires_at"] = expires_at
    return httpx.Response(200, json=body)


def test_exchange_posts_key_and_ttl_with_15s_timeout() -> None:
    transport = RecordingTransport(token_reply("tok", "2030-01-01T00:00:00Z"))
    http = build_http_client("http://flow.test", transport=transport)
    token, expiry = exchange_api_key_for_token(http, API_KEY, 30)
    assert token == "tok"
    assert expiry == 1893456000.0
    request = transport.last
    assert request.method == "POST"
    assert request.url.path == "/api/v1/auth/token"
    assert json.loads(request.content) == {"api_key": API_KEY, "ttl_minutes": 30}
    assert request.extensions["timeout"]["read"] == 15.0


def test_exchange_reads_expiry_from_the_jwt_when_the_reply_has_none() -> None:
    transport = RecordingTransport(token_reply(jwt(exp=2_000_000_000)))
    http = build_http_client("http://flow.test", transport=transport)
    assert exchange_api_key_for_token(http, API_KEY)[1] == 2_000_000_000.0


def test_exchange_with_an_opaque_token_has_no_expiry() -> None:
    transport = RecordingTransport(token_reply("opaque"))
    http = build_http_client("http://flow.test", transport=transport)
    assert exchange_api_key_for_token(http, API_KEY) == ("opaque", None)


def test_exchange_unreadable_reply() -> None:
    transport = RecordingTransport(httpx.Response(200, json={"token": "x"}))
    http = build_http_client("http://flow.test", transport=transport)
    with pytest.raises(CLIAuthenticationError, match="unreadable reply"):
        exchange_api_key_for_token(http, API_KEY)


def test_jwt_expiry_of_garbage_is_none() -> None:
    assert _jwt_expiry("not-a-jwt") is None
    assert _jwt_expiry("a.!!!.c") is None
    assert _jwt_expiry("a." + base64.urlsafe_b64encode(b"[1]").decode() + ".c") is None
    assert _jwt_expiry(jwt(exp=None)) is None


# TokenSource


def test_token_is_cached_until_shortly_before_expiry() -> None:
    clock = Clock()
    calls: list[tuple[str, int]] = []

    def exchange(key: str, ttl: int) -> tuple[str, float | None]:
        calls.append((key, ttl))
        return f"t{len(calls)}", clock.now + 3600

    source = TokenSource(API_KEY, exchange, ttl_minutes=60, refresh_margin=60, clock=clock)
    assert source.token() == "t1"
    clock.now += 3000
    assert source.token() == "t1"
    assert calls == [(API_KEY, 60)]
    clock.now += 541  # 59 s before expiry: inside the margin
    assert source.token() == "t2"
    assert source.exchanges == 2


def test_token_without_expiry_is_kept() -> None:
    source = TokenSource(API_KEY, lambda k, t: ("opaque", None), clock=Clock())
    assert source.token() == source.token() == "opaque"
    assert source.exchanges == 1


def test_initial_token_is_used_until_it_expires() -> None:
    clock = Clock()
    initial = jwt(exp=clock.now + 600)
    source = TokenSource(API_KEY, lambda k, t: ("new", None), clock=clock, initial_token=initial)
    assert source.token() == initial
    assert source.exchanges == 0
    clock.now += 541
    assert source.token() == "new"


def test_one_refresh_at_a_time_across_threads() -> None:
    started = threading.Event()
    release = threading.Event()
    count = 0

    def slow_exchange(key: str, ttl: int) -> tuple[str, float | None]:
        nonlocal count
        count += 1
        started.set()
        release.wait(5)
        return f"t{count}", None

    source = TokenSource(API_KEY, slow_exchange)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(source.token())) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert started.wait(5)
    time.sleep(0.02)  # let the other threads pile up on the lock
    release.set()
    for thread in threads:
        thread.join(5)
    assert results == ["t1"] * 8
    assert count == 1


def test_refresh_replaces_only_a_stale_token() -> None:
    tokens = iter(["t1", "t2", "t3"])
    source = TokenSource(API_KEY, lambda k, t: (next(tokens), None))
    assert source.token() == "t1"
    assert source.refresh("t1") == "t2"
    # Another thread already refreshed away from t1: reuse t2, no new exchange.
    assert source.refresh("t1") == "t2"
    assert source.exchanges == 2


def test_token_source_repr_hides_the_key() -> None:
    source = TokenSource(API_KEY, lambda k, t: ("x", None))
    assert API_KEY not in repr(source)
    assert "<redacted>" in repr(source)
    assert repr(BearerAuth(source)) == "BearerAuth(<redacted>)"


def test_failed_exchange_propagates_and_is_retried_next_time() -> None:
    attempts = 0

    def exchange(key: str, ttl: int) -> tuple[str, float | None]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise CLIAuthenticationError("API key exchange failed (401): revoked")
        return "ok", None

    source = TokenSource(API_KEY, exchange)
    with pytest.raises(CLIAuthenticationError):
        source.token()
    assert source.token() == "ok"


# through CLIClient: the key is exchanged lazily, 401 replays once


class Platform:
    """A mock platform that hands out numbered tokens and accepts only the newest."""

    def __init__(self, reject_first: int = 0) -> None:
        self.issued = 0
        self.reject = reject_first
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if request.url.path == "/api/v1/auth/token":
            self.issued += 1
            return httpx.Response(200, json={"access_token": f"jwt-{self.issued}"})
        if self.reject > 0:
            self.reject -= 1
            return httpx.Response(401, json={"detail": "token expired"})
        if request.headers.get("Authorization") != f"Bearer jwt-{self.issued}":
            return httpx.Response(401, json={"detail": "bad token"})
        return httpx.Response(200, json=[{"id": "org_1"}])


def key_client(platform: Platform, **config: Any) -> CLIClient:
    return CLIClient(
        FlowConfig(platform_url="http://flow.test", api_key=API_KEY, **config),
        transport=httpx.MockTransport(platform),
        plugins=[],
    )


def test_client_exchanges_the_key_on_first_call_only() -> None:
    platform = Platform()
    client = key_client(platform)
    assert platform.requests == []  # construction does no I/O
    assert client.list_orgs() == [{"id": "org_1"}]
    assert client.list_orgs() == [{"id": "org_1"}]
    paths = [r.url.path for r in platform.requests]
    assert paths == ["/api/v1/auth/token", "/api/v1/tenants/orgs", "/api/v1/tenants/orgs"]
    exchange = platform.requests[0]
    assert json.loads(exchange.content) == {"api_key": API_KEY, "ttl_minutes": 60}
    assert "Authorization" not in exchange.headers
    assert platform.requests[1].headers["Authorization"] == "Bearer jwt-1"


def test_a_401_is_replayed_once_with_a_fresh_token() -> None:
    platform = Platform(reject_first=1)
    client = key_client(platform)
    assert client.list_orgs() == [{"id": "org_1"}]
    paths = [r.url.path for r in platform.requests]
    assert paths == [
        "/api/v1/auth/token",
        "/api/v1/tenants/orgs",
        "/api/v1/auth/token",
        "/api/v1/tenants/orgs",
    ]
    assert platform.requests[-1].headers["Authorization"] == "Bearer jwt-2"


def test_a_second_401_is_raised_not_replayed_again() -> None:
    platform = Platform(reject_first=5)
    client = key_client(platform)
    with pytest.raises(CLIAuthenticationError) as info:
        client.list_orgs()
    assert info.value.status_code == 401
    assert "flow login" in (info.value.hint or "")
    assert [r.url.path for r in platform.requests].count("/api/v1/tenants/orgs") == 2


def test_a_replayed_post_keeps_its_body_and_idempotency_key() -> None:
    platform = Platform(reject_first=1)
    client = key_client(platform, org_id="o", workspace_id="w")
    client.create_component("agent", {"name": "a"})
    posts = [r for r in platform.requests if r.url.path.endswith("/components/agent")]
    assert len(posts) == 2
    assert posts[0].content == posts[1].content == msgspec.json.encode({"name": "a"})
    assert posts[0].headers["Idempotency-Key"] == posts[1].headers["Idempotency-Key"]


def test_access_token_and_api_key_together_start_with_the_token() -> None:
    platform = Platform()
    platform.issued = 7  # the platform accepts jwt-7
    client = key_client(platform, access_token="jwt-7")
    client.list_orgs()
    assert [r.url.path for r in platform.requests] == ["/api/v1/tenants/orgs"]


def test_unparseable_expires_at_falls_back_to_the_jwt() -> None:
    reply = token_reply(jwt(exp=2_000_000_000), expires_at="next tuesday")
    http = build_http_client("http://flow.test", transport=RecordingTransport(reply))
    assert exchange_api_key_for_token(http, API_KEY)[1] == 2_000_000_000.0


def test_a_refused_key_fails_the_call_with_the_reference_message() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": "Invalid API key"})

    client = CLIClient(
        FlowConfig(platform_url="http://flow.test", api_key=API_KEY),
        transport=httpx.MockTransport(answer),
        plugins=[],
    )
    with pytest.raises(CLIAuthenticationError) as info:
        client.list_orgs()
    assert info.value.message == "API key exchange failed (401): Invalid API key"
    assert API_KEY not in str(info.value)
