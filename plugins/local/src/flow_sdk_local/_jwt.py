"""Signing and checking access tokens: HS256 JWTs (RFC 7519), with the standard library.

The secret is random per database and kept in it, so tokens from one local
platform never work on another, and a reset invalidates every token. Expiry
is checked against the platform's clock (which tests can move forward), not
the wall clock.

Only what this platform issues is accepted: a compact JWS whose header says
``"alg": "HS256"`` (``none`` and every other algorithm are refused, as is a
``crit`` header), signed with the platform's secret (compared in constant
time), with the issuer ``flow-local`` and the integer claims ``iat`` and
``exp`` and a string ``sub``. Every part must be canonical unpadded
base64url, so a token has exactly one spelling (no two strings carry the
same signature). The signature is checked before the claims are read.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

__all__ = ["ISSUER", "TokenClaims", "TokenError", "issue_token", "read_token"]

ISSUER = "flow-local"
ALGORITHM = "HS256"
MAX_TOKEN_LENGTH = 8192
"""Longer than any token this platform issues by far; longer ones are refused unread."""

_HEADER = {"alg": ALGORITHM, "typ": "JWT"}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class TokenError(Exception):
    """A token that is malformed, wrongly signed or expired; the message says which."""


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says: whose it is, when it was issued and expires, its id."""

    user_id: str
    issued_at: int
    expires_at: int
    token_id: str


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(part: str, what: str) -> bytes:
    """One segment's bytes; refused unless it is canonical unpadded base64url."""
    if len(part) % 4 == 1 or not _BASE64URL.fullmatch(part):
        raise TokenError(f"the token is not valid: its {what} is not base64url")
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise TokenError(f"the token is not valid: its {what} is not base64url") from None
    if _encode(data) != part:  # unused low bits set: another spelling of the same bytes
        raise TokenError(f"the token is not valid: its {what} is not canonical base64url")
    return data


def _json_segment(part: str, what: str) -> dict[str, Any]:
    raw = _decode(part, what)
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise TokenError(f"the token is not valid: its {what} is not JSON") from None
    if not isinstance(value, dict):
        raise TokenError(f"the token is not valid: its {what} is not a JSON object")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _dumps(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _signature(secret: str, signing_input: bytes) -> bytes:
    return hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()


def sign(secret: str, claims: dict[str, Any]) -> str:
    """A compact HS256 JWT of ``claims`` (a JSON object) under ``secret``."""
    signing_input = f"{_encode(_dumps(_HEADER))}.{_encode(_dumps(claims))}".encode("ascii")
    return f"{signing_input.decode('ascii')}.{_encode(_signature(secret, signing_input))}"


def issue_token(secret: str, user_id: str, *, now: float, ttl_seconds: int) -> tuple[str, int]:
    """A signed token for ``user_id`` valid ``ttl_seconds`` from ``now``; and its expiry."""
    issued = int(now)
    expires = issued + ttl_seconds
    claims = {
        "iss": ISSUER,
        "sub": user_id,
        "iat": issued,
        "exp": expires,
        "jti": secrets.token_hex(8),
    }
    return sign(secret, claims), expires


def read_token(secret: str, token: str, *, now: float) -> TokenClaims:
    """The claims of a valid token; :class:`TokenError` otherwise.

    The signature check is cached per (secret, token): a client sends the same
    token many times, and verifying it is most of a small request's cost.
    Expiry is checked on every call.
    """
    claims = _verified(secret, token)
    if now >= claims.expires_at:
        raise TokenError("the token has expired")
    return claims


def _integer(claims: dict[str, Any], name: str) -> int:
    value = claims.get(name)
    if value is None:
        raise TokenError(f'the token is not valid: it has no "{name}" claim')
    if isinstance(value, bool) or not isinstance(value, int):
        raise TokenError(f'the token is not valid: its "{name}" claim is not an integer')
    return value


@functools.lru_cache(maxsize=4096)
def _verified(secret: str, token: str) -> TokenClaims:
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("the token is not valid: it is too long")
    if not token.isascii():
        raise TokenError("the token is not valid: it is not base64url")
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("the token is not valid: it is not three dot-separated segments")
    header_part, payload_part, signature_part = parts
    header = _json_segment(header_part, "header")
    if header.get("alg") != ALGORITHM:
        raise TokenError(f"the token is not valid: its algorithm must be {ALGORITHM}")
    if "crit" in header:
        raise TokenError("the token is not valid: it names critical extensions")
    signature = _decode(signature_part, "signature")
    expected = _signature(secret, f"{header_part}.{payload_part}".encode("ascii"))
    if not hmac.compare_digest(signature, expected):
        raise TokenError("the token's signature is not valid for this platform")
    claims = _json_segment(payload_part, "payload")
    if claims.get("iss") != ISSUER:
        raise TokenError(f"the token is not valid: its issuer is not {ISSUER}")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise TokenError('the token is not valid: its "sub" claim is not a user id')
    issued, expires = _integer(claims, "iat"), _integer(claims, "exp")
    token_id = claims.get("jti", "")
    return TokenClaims(subject, issued, expires, token_id if isinstance(token_id, str) else "")
