"""When to retry and how long to wait: pure policy, no I/O.

Capped exponential backoff with full jitter, ``Retry-After`` honoured up to a
cap, and a retry budget (a token bucket shared by one client, earned by
successes) so that a failing platform is not hammered by every caller at once. The clock and the
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
    """Retries are earned by successes: a share of the platform's recent answers.

    A token bucket shared by one client. Each retry spends one token; each
    success earns ``refill_per_success`` back (up to ``capacity``); and the
    bucket also refills by ``floor_per_second`` with time, so a platform that
    was down gets retried again now and then.

    The numbers, and why (compared with the schemes we measured):

    * A burst of faults is absorbed: at 30 % of attempts faulted a call needs
      0.3 + 0.09 = 0.39 retries on average and earns about one token, so the
      bucket never runs dry and ``max_retries=2`` leaves 0.3³ = 2.7 % of calls
      failing. A budget of 20 % of requests (Finagle's and Envoy's default)
      refuses half of those retries; botocore's quota (cost 5, refund 1 per
      success) runs dry within a few hundred calls.
    * A platform that is down is not hammered: nothing succeeds, so after the
      first ``capacity`` retries (ten calls or so) each call makes one attempt,
      plus ``floor_per_second`` retries a second in all.
    * In between, a platform failing more than half of its attempts earns fewer
      tokens than its retries spend, so retries fall off as it gets worse.

    ``clock`` is injectable so tests check the floor without waiting.
    """

    __slots__ = (
        "_clock",
        "_last",
        "_lock",
        "capacity",
        "floor_per_second",
        "refill_per_success",
        "tokens",
    )

    def __init__(
        self,
        capacity: float = 20.0,
        refill_per_success: float = 1.0,
        tokens: float | None = None,
        *,
        floor_per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.refill_per_success = refill_per_success
        self.floor_per_second = floor_per_second
        self.tokens = capacity if tokens is None else tokens
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RetryBudget(tokens={self.tokens:g}, capacity={self.capacity:g})"

    def _refill_with_time(self) -> None:
        now = self._clock()
        elapsed, self._last = now - self._last, now
        if elapsed > 0 and self.floor_per_second > 0:
            self.tokens = min(self.capacity, self.tokens + elapsed * self.floor_per_second)

    def try_spend(self) -> bool:
        """Take one token for a retry; False (do not retry) when the bucket is empty."""
        with self._lock:
            self._refill_with_time()
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False

    def record_success(self) -> None:
        """A success earns ``refill_per_success`` tokens back."""
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
