"""Credentials for requests: a static bearer token, or an API key exchanged for JWTs.

``TokenSource`` exchanges an org API key for a JWT, keeps it with its expiry,
exchanges again shortly before it expires (one refresh at a time across
threads), and ``BearerAuth`` replays a request once after a 401 with a fresh
token.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from datetime import datetime
from typing import TYPE_CHECKING

import httpx
import msgspec

from ._errors import CLIAuthenticationError, CLIConnectionError
from ._redact import REDACTED
from ._transport import error_from_response, log_request, log_response, logger, transport_error

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "BearerAuth",
    "TokenSource",
    "async_exchange_api_key_for_token",
    "exchange_api_key_for_token",
]

AUTH_TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 - a path, not a secret
AUTH_TIMEOUT = 15.0


class KeyExchangeUnreachable(CLIAuthenticationError, CLIConnectionError):
    """The key exchange got no answer: an authentication failure (as the reference
    says) whose cause is the connection, so callers and the CLI treat it as one."""


class _TokenReply(msgspec.Struct):
    access_token: str
    expires_at: str | None = None


def _jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT, read without verifying (we only schedule a refresh)."""
    try:
        payload = token.split(".")[1]
        padded = payload + "=" * (-len(payload) % 4)
        claims = msgspec.json.decode(base64.urlsafe_b64decode(padded))
        exp = claims.get("exp") if isinstance(claims, dict) else None
        return float(exp) if isinstance(exp, int | float) else None
    except (IndexError, ValueError, msgspec.DecodeError):
        return None


def _parse_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _exchange_request(
    http: httpx.Client | httpx.AsyncClient, api_key: str, ttl: int
) -> httpx.Request:
    return http.build_request(
        "POST",
        AUTH_TOKEN_PATH,
        json={"api_key": api_key, "ttl_minutes": ttl},
        timeout=AUTH_TIMEOUT,
    )


def _log_exchange(request: httpx.Request) -> float:
    """Log the exchange like any other request (the body, which holds the key, never)."""
    if logger.isEnabledFor(logging.DEBUG):
        log_request(request, 0, note=" (API key exchange)")
    return time.perf_counter()


def _exchange_outcome(
    request: httpx.Request, outcome: httpx.Response | httpx.HTTPError, started: float = 0.0
) -> tuple[str, float | None]:
    """The token and its expiry from the exchange's answer, or the reference's error."""
    what = "API key exchange failed"
    if isinstance(outcome, httpx.Response) and logger.isEnabledFor(logging.DEBUG):
        log_response(outcome, started)
    if isinstance(outcome, httpx.HTTPError):
        raise transport_error(outcome, request, what=what, cls=KeyExchangeUnreachable) from None
    if outcome.status_code != 200:
        raise error_from_response(
            outcome,
            what=what,
            cls=CLIAuthenticationError,
            hint="check the API key (it starts with fl_); create a new one if it was revoked",
        )
    try:
        reply = msgspec.json.decode(outcome.content, type=_TokenReply)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise CLIAuthenticationError(f"{what}: unreadable reply ({exc})") from None
    expiry = _parse_time(reply.expires_at) or _jwt_expiry(reply.access_token)
    return reply.access_token, expiry


def exchange_api_key_for_token(
    http: httpx.Client, api_key: str, ttl_minutes: int = 60
) -> tuple[str, float | None]:
    """POST the key to ``/api/v1/auth/token``; return the token and its expiry (epoch)."""
    request = _exchange_request(http, api_key, ttl_minutes)
    started = _log_exchange(request)
    try:
        outcome: httpx.Response | httpx.HTTPError = http.send(request)
    except httpx.HTTPError as exc:
        outcome = exc
    return _exchange_outcome(request, outcome, started)


async def async_exchange_api_key_for_token(
    http: httpx.AsyncClient, api_key: str, ttl_minutes: int = 60
) -> tuple[str, float | None]:
    """``exchange_api_key_for_token`` over an ``httpx.AsyncClient``."""
    request = _exchange_request(http, api_key, ttl_minutes)
    started = _log_exchange(request)
    try:
        outcome: httpx.Response | httpx.HTTPError = await http.send(request)
    except httpx.HTTPError as exc:
        outcome = exc
    return _exchange_outcome(request, outcome, started)


class TokenSource:
    """Hands out a valid access token, exchanging the API key when needed."""

    def __init__(
        self,
        api_key: str,
        exchange: Callable[[str, int], tuple[str, float | None]] | None,
        *,
        async_exchange: Callable[[str, int], Awaitable[tuple[str, float | None]]] | None = None,
        ttl_minutes: int = 60,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
        initial_token: str | None = None,
        on_token: Callable[[str, float | None], object] | None = None,
    ) -> None:
        self._api_key = api_key
        self._exchange = exchange
        self._async_exchange = async_exchange
        self._on_token = on_token
        self._async_lock: asyncio.Lock | None = None
        self._ttl_minutes = ttl_minutes
        self._margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token = initial_token
        self._expires_at = _jwt_expiry(initial_token) if initial_token else None
        self.exchanges = 0

    def __repr__(self) -> str:
        return f"TokenSource(api_key={REDACTED!r}, expires_at={self._expires_at!r})"

    def _fresh(self) -> bool:
        if self._token is None:
            return False
        if self._expires_at is None:
            return True
        return self._clock() < self._expires_at - self._margin

    def token(self) -> str:
        """A token that is valid for at least the refresh margin."""
        token = self._token
        if token is not None and self._fresh():
            return token
        with self._lock:  # one refresh at a time; others wait and reuse it
            if not self._fresh():
                self._renew()
            assert self._token is not None
            return self._token

    def refresh(self, stale: str) -> str:
        """Exchange again unless another thread already replaced ``stale``."""
        with self._lock:
            if self._token == stale or self._token is None:
                self._renew()
            assert self._token is not None
            return self._token

    def _renew(self) -> None:
        if self._exchange is None:
            raise RuntimeError("this TokenSource exchanges keys asynchronously: use atoken()")
        self._store(*self._exchange(self._api_key, self._ttl_minutes))

    def _store(self, token: str, expires_at: float | None) -> None:
        self._token, self._expires_at = token, expires_at
        self.exchanges += 1
        if self._on_token is not None:
            self._on_token(token, expires_at)

    # the same, for an event loop: one exchange at a time per loop, never blocking it

    def _alock(self) -> asyncio.Lock:
        if self._async_lock is None:
            import asyncio  # here, so that a sync client never imports it

            self._async_lock = asyncio.Lock()
        return self._async_lock

    async def _arenew(self) -> None:
        if self._async_exchange is None:
            raise RuntimeError("this TokenSource exchanges keys synchronously: use token()")
        self._store(*await self._async_exchange(self._api_key, self._ttl_minutes))

    async def atoken(self) -> str:
        """``token()`` for an event loop."""
        token = self._token
        if token is not None and self._fresh():
            return token
        async with self._alock():
            if not self._fresh():
                await self._arenew()
            assert self._token is not None
            return self._token

    async def arefresh(self, stale: str) -> str:
        """``refresh()`` for an event loop."""
        async with self._alock():
            if self._token == stale or self._token is None:
                await self._arenew()
            assert self._token is not None
            return self._token


class BearerAuth(httpx.Auth):
    """Adds the bearer token; after a 401, refreshes once and replays the request."""

    def __init__(self, source: TokenSource) -> None:
        self._source = source

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send with the current token; on 401, once more with a fresh one."""
        token = self._source.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            fresh = self._source.refresh(token)
            request.headers["Authorization"] = f"Bearer {fresh}"
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """``auth_flow`` with the token exchanged by ``await``, never blocking the loop."""
        token = await self._source.atoken()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            fresh = await self._source.arefresh(token)
            request.headers["Authorization"] = f"Bearer {fresh}"
            yield request
