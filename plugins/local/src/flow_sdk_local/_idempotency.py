"""``Idempotency-Key`` on POST: the same key and body give the first result again.

The first successful answer to a key is stored with a fingerprint of the
request (method, path, body); a repeat with the same fingerprint within 24
hours gets that answer back and runs nothing, and a repeat with another
fingerprint is a 409. Failed requests are not stored, so they can be retried.
"""

from __future__ import annotations

import hashlib
import re

import msgspec

from ._http import HTTPError
from ._store import Transaction

__all__ = [
    "MAX_KEY_LENGTH",
    "WINDOW_SECONDS",
    "Stored",
    "check_key",
    "fingerprint",
    "lookup",
    "remember",
]

WINDOW_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255
_KEY = re.compile(rf"[^\x00-\x1f\x7f-\x9f]{{1,{MAX_KEY_LENGTH}}}\Z")


class Stored(msgspec.Struct):
    """A remembered answer: status, headers (without the request id) and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def check_key(key: str) -> None:
    """400 unless the key is 1 to 255 characters with no control character (a UUID is usual)."""
    if not _KEY.match(key):
        raise HTTPError(
            400,
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters with no control "
            f"characters, e.g. a UUID",
            "bad_idempotency_key",
        )


def fingerprint(method: str, path: str, body: bytes) -> str:
    """A digest of method, path and body: what a replay must match."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def lookup(tx: Transaction, owner: str, key: str, fp: str, now: float) -> Stored | None:
    """The stored answer for ``key``; 409 when the key was used for another request."""
    row = tx.execute(
        "SELECT fingerprint, status, headers, body, created FROM idempotency_keys "
        "WHERE owner = ? AND key = ?",
        (owner, key),
    ).fetchone()
    if row is None:
        return None
    stored_fp, status, headers, body, created = row
    if now - created > WINDOW_SECONDS:
        tx.execute("DELETE FROM idempotency_keys WHERE owner = ? AND key = ?", (owner, key))
        return None
    if stored_fp != fp:
        raise HTTPError(
            409,
            "this Idempotency-Key was already used with a different request; "
            "use a new key for a new request",
            "idempotency_key_reused",
        )
    return Stored(status, [tuple(h) for h in msgspec.json.decode(headers)], bytes(body))


def remember(tx: Transaction, owner: str, key: str, fp: str, answer: Stored, now: float) -> None:
    """Store the answer to ``key`` (replacing an expired one)."""
    tx.execute(
        "INSERT OR REPLACE INTO idempotency_keys "
        "(owner, key, fingerprint, status, headers, body, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (owner, key, fp, answer.status, msgspec.json.encode(answer.headers), answer.body, now),
    )
