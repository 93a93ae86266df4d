"""When to retry and how long to wait: pure policy, no I/O.

Capped exponential backoff with full jitter, ``Retry-After`` honoured up to a
cap, and a retry budget (a token bucket shared by one client) so that a
failing platform is not hammered by every caller at once. The clock and the
random source are passed in, so tests never sleep.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable

import msgspec

__all__ = ["IDEMPOTENT_METHODS", "RetryBudget", "RetryPolicy", "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How many times to retry, and the backoff between attempts."""

    max_retries: int = 2
    backoff_base: float = 0.25
    backoff_cap: float = 8.0
    retry_after_cap: float = 60.0
    statuses: frozenset[int] = RETRY_STATUSES

    def should_retry_status(self, status_code: int) -> bool:
        """True for the statuses worth another attempt (408, 429, 502, 503, 504)."""
        return status_code in self.statuses

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before retry number ``attempt`` (0-based), or None to give up."""
        if attempt >= self.max_retries:
            return None
        if retry_after is not None:
            if retry_after > self.retry_after_cap:
                return None
            return max(0.0, retry_after)
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return rng.uniform(0.0, ceiling)


class RetryBudget:
    """A token bucket: each retry spends one token, each success earns a fraction back.

    While the bucket is empty no request is retried, so a platform that is down
    sees about one request per call instead of ``1 + max_retries``.
    """

    __slots__ = ("_lock", "capacity", "refill_per_success", "tokens")

    def __init__(
        self, capacity: float = 10.0, refill_per_success: float = 0.1, tokens: float | None = None
    ) -> None:
        self.capacity = capacity
        self.refill_per_success = refill_per_success
        self.tokens = capacity if tokens is None else tokens
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RetryBudget(tokens={self.tokens:g}, capacity={self.capacity:g})"

    def try_spend(self) -> bool:
        """Take one token for a retry; False (do not retry) when the bucket is empty."""
        with self._lock:
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False

    def record_success(self) -> None:
        """Earn back a fraction of a token: a healthy platform regains its retries."""
        if self.tokens < self.capacity:
            with self._lock:
                self.tokens = min(self.capacity, self.tokens + self.refill_per_success)


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        return max(0.0, when.timestamp() - now())
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return seconds
