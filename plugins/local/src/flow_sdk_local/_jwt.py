"""Signing and checking access tokens (HS256 JWTs, PyJWT).

The secret is random per database and kept in it, so tokens from one local
platform never work on another, and a reset invalidates every token. Expiry
is checked against the platform's clock (which tests can move forward), not
the wall clock.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

import jwt

__all__ = ["ISSUER", "TokenClaims", "TokenError", "issue_token", "read_token"]

ISSUER = "flow-local"
ALGORITHM = "HS256"


class TokenError(Exception):
    """A token that is malformed, wrongly signed or expired; the message says which."""


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    issued_at: int
    expires_at: int
    token_id: str


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
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires


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


@functools.lru_cache(maxsize=4096)
def _verified(secret: str, token: str) -> TokenClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub", "iat"]},
        )
    except jwt.InvalidSignatureError:
        raise TokenError("the token's signature is not valid for this platform") from None
    except jwt.PyJWTError as exc:
        raise TokenError(f"the token is not valid: {exc}") from None
    return TokenClaims(
        str(claims["sub"]), int(claims["iat"]), int(claims["exp"]), str(claims.get("jti", ""))
    )
