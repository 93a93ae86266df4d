"""Polling with backoff until something finishes, with a timeout and progress.

The clock and the sleep are passed in, so the backoff is tested without
sleeping (as botocore's retries are).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from flow_sdk import CLITimeoutError

__all__ = ["Backoff", "poll_until"]

T = TypeVar("T")


class Backoff:
    """Poll intervals: ``initial`` seconds, growing by ``factor`` up to ``maximum``."""

    def __init__(self, initial: float = 0.05, factor: float = 1.5, maximum: float = 1.0) -> None:
        if initial <= 0 or factor < 1 or maximum < initial:
            raise ValueError("need 0 < initial <= maximum and factor >= 1")
        self.initial = initial
        self.factor = factor
        self.maximum = maximum

    def intervals(self) -> Callable[[], float]:
        """A fresh sequence of intervals: each call gives the next one."""
        current = self.initial / self.factor

        def next_interval() -> float:
            nonlocal current
            current = min(current * self.factor, self.maximum)
            return current

        return next_interval


def poll_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout_s: float,
    describe: Callable[[T], str],
    on_progress: Callable[[T], object] | None = None,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    already_reported: object = None,
) -> T:
    """Call ``fetch`` until ``done`` says so; return the last state.

    ``on_progress`` sees the first state and every state that differs from
    the one before (``already_reported``, when given, counts as the one
    before). After ``timeout_s`` seconds, raises ``CLITimeoutError`` whose
    message ends with ``describe(last_state)``.
    """
    if timeout_s <= 0:
        raise ValueError("timeout_s must be more than 0")
    deadline = clock() + timeout_s
    next_interval = (backoff or Backoff()).intervals()
    previous: object = _NOTHING if already_reported is None else already_reported
    while True:
        state = fetch()
        if on_progress is not None and state != previous:
            on_progress(state)
        previous = state
        if done(state):
            return state
        remaining = deadline - clock()
        if remaining <= 0:
            raise CLITimeoutError(
                f"gave up waiting after {timeout_s:g} s: {describe(state)}",
                hint="wait longer with timeout_s=...; the work goes on on the platform",
            )
        sleep(min(next_interval(), remaining))


_NOTHING = object()
