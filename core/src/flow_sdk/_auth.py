"""Credentials for requests: a static bearer token, or an API key exchanged for JWTs.

``TokenSource`` exchanges an org API key for a JWT, keeps it with its expiry,
exchanges again shortly before it expires (one refresh at a time across
threads), and ``BearerAuth`` replays a request once after a 401 with a fresh
token.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Generator
from datetime import datetime

import httpx
import msgspec

from ._errors import CLIAuthenticationError, CLIConnectionError
from ._redact import REDACTED, redact_text
from ._transport import connection_hint, decode_error_body

__all__ = ["BearerAuth", "TokenSource", "exchange_api_key_for_token"]

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


def exchange_api_key_for_token(
    http: httpx.Client, api_key: str, ttl_minutes: int = 60
) -> tuple[str, float | None]:
    """POST the key to ``/api/v1/auth/token``; return the token and its expiry (epoch)."""
    try:
        response = http.post(
            AUTH_TOKEN_PATH,
            json={"api_key": api_key, "ttl_minutes": ttl_minutes},
            timeout=AUTH_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        url = http.build_request("POST", AUTH_TOKEN_PATH).url
        raise KeyExchangeUnreachable(
            f"API key exchange failed: {redact_text(str(exc)) or type(exc).__name__}",
            method="POST",
            url=str(url),
            hint=connection_hint(exc, url),
        ) from None
    if response.status_code != 200:
        detail, code, text = decode_error_body(response.content)
        shown = detail if isinstance(detail, str) else text
        raise CLIAuthenticationError(
            f"API key exchange failed ({response.status_code}): {shown}",
            status_code=response.status_code,
            detail=detail,
            code=code,
            request_id=response.headers.get("x-request-id"),
            method="POST",
            url=str(response.request.url),
            hint="check the API key (it starts with fl_); create a new one if it was revoked",
        )
    try:
        reply = msgspec.json.decode(response.content, type=_TokenReply)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise CLIAuthenticationError(f"API key exchange failed: unreadable reply ({exc})") from None
    expiry = _parse_time(reply.expires_at) or _jwt_expiry(reply.access_token)
    return reply.access_token, expiry


class TokenSource:
    """Hands out a valid access token, exchanging the API key when needed."""

    def __init__(
        self,
        api_key: str,
        exchange: Callable[[str, int], tuple[str, float | None]],
        *,
        ttl_minutes: int = 60,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
        initial_token: str | None = None,
    ) -> None:
        self._api_key = api_key
        self._exchange = exchange
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
        token, expires_at = self._exchange(self._api_key, self._ttl_minutes)
        self._token, self._expires_at = token, expires_at
        self.exchanges += 1


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
