"""Who is calling: bearer tokens to principals, and API keys kept only as hashes.

Error details avoid the word "Bearer" followed by a space and more text: the
SDK redacts whatever follows it, which would garble the sentence.

An API key is ``fl_<key id>_<secret>``: the id finds the stored record, the
secret is checked against a salted SHA-256 hash. Keys are 192 random bits,
so a slow password hash would add latency and no safety.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from ._http import Request, unauthorized
from ._jwt import TokenError, read_token
from ._store import Transaction

__all__ = [
    "Principal",
    "authenticate",
    "check_api_key",
    "hash_secret",
    "mint_api_key",
]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user and the orgs it belongs to."""

    user_id: str
    org_ids: frozenset[str]
    email: str = ""
    token_id: str = ""

    def can_see_org(self, org_id: str) -> bool:
        """Whether the caller belongs to ``org_id``."""
        return org_id in self.org_ids


def hash_secret(secret: str, salt: str) -> str:
    """The salted SHA-256 of an API key's secret part (hex)."""
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def mint_api_key() -> tuple[str, str, dict[str, Any]]:
    """A new key: ``(record id, the key shown once, the stored fields without the key)``."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    salt = secrets.token_hex(16)
    key = f"fl_{key_id}_{secret}"
    return (
        f"key_{key_id}",
        key,
        {"salt": salt, "hash": hash_secret(secret, salt), "prefix": key[:9]},
    )


def check_api_key(tx: Transaction, key: str) -> dict[str, Any] | None:
    """The stored record (with ``id`` and ``org_id``) of a valid key, or None."""
    if not key.startswith("fl_"):
        return None
    key_id, sep, secret = key[3:].partition("_")
    if not sep or not key_id or not secret:
        return None
    doc = tx.find("api_key", f"key_{key_id}")
    if doc is None or doc.data.get("revoked"):
        return None
    expected = doc.data["hash"]
    if not hmac.compare_digest(expected, hash_secret(secret, doc.data["salt"])):
        return None
    return {**doc.data, "id": doc.id, "org_id": doc.scope}


def authenticate(request: Request, tx: Transaction, secret: str, now: float) -> Principal:
    """The caller named by the bearer token; 401 for a missing, bad or expired one."""
    header = request.headers.get("authorization")
    if not header:
        raise unauthorized(
            "missing access token: send an Authorization header whose scheme is Bearer",
            "missing_token",
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("the Authorization header's scheme must be Bearer", "bad_token")
    try:
        claims = read_token(secret, token, now=now)
    except TokenError as exc:
        code = "token_expired" if "expired" in str(exc) else "bad_token"
        raise unauthorized(f"{exc}; exchange your API key or log in again", code) from None
    user = tx.get("user", "", claims.user_id)
    if user is None:
        raise unauthorized("the token's user no longer exists; log in again", "bad_token")
    return Principal(
        claims.user_id,
        frozenset(user.data.get("orgs", ())),
        user.data.get("email", ""),
        claims.token_id,
    )
