"""Polling with capped exponential backoff, until a condition holds or time runs out.

The clock and the sleep are parameters, so tests check the schedule without
waiting for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from flow_sdk import CLITimeoutError

__all__ = ["Backoff", "poll_until"]

T = TypeVar("T")


class Backoff:
    """Delays that start short (a local deployment is ready in milliseconds) and grow."""

    def __init__(self, initial_s: float = 0.05, factor: float = 1.6, max_s: float = 2.0) -> None:
        if initial_s <= 0 or factor < 1 or max_s < initial_s:
            raise ValueError("need initial_s > 0, factor >= 1 and max_s >= initial_s")
        self.initial_s = initial_s
        self.factor = factor
        self.max_s = max_s

    def delay(self, attempt: int) -> float:
        """The pause before poll number ``attempt + 1`` (attempt counts from 0)."""
        return float(min(self.max_s, self.initial_s * self.factor**attempt))


def poll_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout_s: float,
    what: str,
    on_progress: Callable[[T], None] | None = None,
    describe: Callable[[T], str] = repr,
    backoff: Backoff | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fetch`` until ``done`` accepts its result; return that result.

    ``on_progress`` sees every result fetched (done or not). After
    ``timeout_s`` seconds a ``CLITimeoutError`` says what was awaited and how
    it stood when time ran out (``describe`` of the last result).
    """
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s!r}")
    backoff = backoff or Backoff()
    deadline = clock() + timeout_s
    attempt = 0
    while True:
        result = fetch()
        if on_progress is not None:
            on_progress(result)
        if done(result):
            return result
        remaining = deadline - clock()
        if remaining <= 0:
            raise CLITimeoutError(
                f"gave up waiting for {what} after {timeout_s:g}s; last seen: {describe(result)}",
                hint="pass a larger timeout_s=..., or check its status later with get(...)",
            )
        sleep(min(backoff.delay(attempt), remaining))
        attempt += 1
