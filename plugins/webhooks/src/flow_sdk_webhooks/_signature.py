"""Signing webhook deliveries, and checking them on the receiving side.

A delivery carries ``Flow-Signature: t=<unix seconds>,v1=<hex>``, where the hex
is HMAC-SHA256 keyed with the webhook's secret over ``b"<t>." + body``. Binding
the timestamp into the MAC lets a receiver refuse replays of old deliveries;
comparing with ``hmac.compare_digest`` keeps the check constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

from flow_sdk import CLIClientError

__all__ = [
    "SIGNATURE_HEADER",
    "WebhookSignatureError",
    "compute_signature",
    "signature_header",
    "verify_signature",
]

SIGNATURE_HEADER = "Flow-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300


class WebhookSignatureError(CLIClientError, ValueError):
    """A delivery failed verification: missing, malformed, stale or wrong signature.

    The message says which, and never contains the secret or the expected signature.
    """


def compute_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + payload`` keyed with ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + payload
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The ``Flow-Signature`` header value for ``payload`` (now, unless ``timestamp`` is given)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={ts},{SCHEME}={compute_signature(payload, secret, ts)}"


def _header(headers: Any, name: str) -> str | None:
    """A header from a dict, httpx/werkzeug headers or an ``email.message.Message``, any case."""
    wanted = name.lower()
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if str(key).lower() == wanted:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            if not value.isdigit() or len(value) > 12:
                raise WebhookSignatureError(
                    f"the {SIGNATURE_HEADER} header has a malformed timestamp",
                    hint="expected 't=<unix seconds>,v1=<hex>'",
                )
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookSignatureError(
            f"the {SIGNATURE_HEADER} header is malformed: it needs t=... and {SCHEME}=...",
            hint="expected 't=<unix seconds>,v1=<hex>'; pass the request's headers unchanged",
        )
    return timestamp, signatures


def verify_signature(
    payload: bytes | str,
    headers: Any,
    secret: str,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    *,
    now: Callable[[], float] = time.time,
) -> None:
    """Check that a delivery came from Flow, unchanged and recently; raise if not.

    ``payload`` is the raw request body (bytes, or text that is encoded as
    UTF-8: never re-serialised JSON); ``headers`` is any mapping or list of
    pairs, looked up case-insensitively; ``secret`` is the webhook's signing
    secret (``whsec_…``), shown once when the webhook was created. Returns
    None when the signature is good; raises ``WebhookSignatureError`` (a
    ``ValueError`` and a ``CLIClientError``) when the header is missing or
    malformed, the timestamp is more than ``tolerance_s`` seconds away from
    ``now()``, or no ``v1`` signature matches (compared in constant time).
    """
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"payload must be the raw request body as bytes, not {type(payload).__name__}"
        )
    if not isinstance(secret, str) or not secret:
        raise TypeError("secret must be the webhook's signing secret (a non-empty str)")
    if tolerance_s < 0:
        raise ValueError("tolerance_s must be 0 or more")
    header = _header(headers, SIGNATURE_HEADER)
    if header is None:
        raise WebhookSignatureError(
            f"the request has no {SIGNATURE_HEADER} header",
            hint="only deliveries from a Flow webhook carry it; pass the request's headers",
        )
    timestamp, signatures = _parse(header)
    age = now() - timestamp
    if abs(age) > tolerance_s:
        when = "old" if age > 0 else "in the future"
        raise WebhookSignatureError(
            f"the delivery's timestamp is {abs(age):.0f}s {when}, outside the tolerance of "
            f"{tolerance_s:g}s",
            hint="a replayed or delayed delivery; check the receiver's clock, or raise tolerance_s",
        )
    expected = compute_signature(bytes(payload), secret, timestamp)
    # Check every candidate, so the time taken does not depend on which matched.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected.encode("ascii"), candidate.encode("utf-8"))
    if not matched:
        raise WebhookSignatureError(
            "the delivery's signature does not match",
            hint="check the webhook secret, and pass the raw body bytes exactly as received",
        )
