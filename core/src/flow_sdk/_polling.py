"""Polling until something finishes on the platform: backoff, a timeout, progress.

Workflow runs, deployments and webhook deliveries all finish in the
background; their ``wait`` methods share this one loop. The clock and the
sleep are parameters, so tests check the schedule without waiting for it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

from ._errors import CLITimeoutError
from ._steps import Sleep, Steps, now

__all__ = ["Backoff", "poll", "poll_until"]

T = TypeVar("T")

_DEFAULT_HINT = "pass a larger timeout_s=...; the work goes on on the platform, so check it later"


class Backoff:
    """Pauses between polls: short at first (local work is done in milliseconds), then longer."""

    __slots__ = ("factor", "initial_s", "max_s")

    def __init__(self, initial_s: float = 0.05, factor: float = 1.5, max_s: float = 1.0) -> None:
        if not (initial_s > 0 and factor >= 1 and max_s >= initial_s):
            raise ValueError(
                f"Backoff needs initial_s > 0, factor >= 1 and max_s >= initial_s; "
                f"got initial_s={initial_s!r}, factor={factor!r}, max_s={max_s!r}"
            )
        self.initial_s = initial_s
        self.factor = factor
        self.max_s = max_s

    def delay(self, attempt: int) -> float:
        """The pause after poll number ``attempt + 1`` (``attempt`` counts from 0)."""
        if self.factor == 1 or attempt <= 0:
            return float(min(self.max_s, self.initial_s))
        # Past the cap the power would only overflow: stop growing there.
        growth = self.max_s / self.initial_s
        if attempt >= _steps_to_reach(growth, self.factor):
            return float(self.max_s)
        return float(min(self.max_s, self.initial_s * self.factor**attempt))

    def __repr__(self) -> str:
        fields = f"initial_s={self.initial_s!r}, factor={self.factor!r}, max_s={self.max_s!r}"
        return f"Backoff({fields})"


def _steps_to_reach(growth: float, factor: float) -> float:
    """How many multiplications by ``factor`` (> 1) reach ``growth``: log, not a loop,
    since a factor just above 1 would take billions of steps."""
    if growth <= 1:
        return 0.0
    return math.ceil(math.log(growth) / math.log(factor))


def poll(
    fetch: Callable[[], Steps[T]],
    done: Callable[[T], bool],
    *,
    timeout_s: float,
    what: str,
    describe: Callable[[T], str] = repr,
    on_progress: Callable[[T], object] | None = None,
    backoff: Backoff | None = None,
    hint: str | None = None,
    clock: Callable[[], float] | None = None,
) -> Steps[T]:
    """Run ``fetch`` (steps) until ``done`` accepts its result; return that result.

    The one polling loop: written as steps, so ``CLIClient`` waits with
    ``time.sleep`` and ``AsyncCLIClient`` with ``asyncio.sleep``.
    ``on_progress`` sees the first result and then each one that differs
    from the result before it (a progress line changes only when something
    happened). ``done`` may raise to stop early (a deployment that failed).
    After ``timeout_s`` seconds a ``CLITimeoutError`` says what was awaited
    and how it stood (``describe`` of the last result), with ``hint`` (or a
    default one) saying what to do next. The last pause never overshoots the
    deadline, and there is always one poll at the deadline. The time comes
    from the client's clock (its ``clock=``), unless ``clock`` is given here.
    """
    if not timeout_s > 0:
        raise ValueError(f"timeout_s must be more than 0, got {timeout_s!r}")
    backoff = backoff or Backoff()

    def current() -> Steps[float]:
        return clock() if clock is not None else (yield from now())

    deadline = (yield from current()) + timeout_s
    previous: object = _NOTHING
    attempt = 0
    while True:
        result = yield from fetch()
        if on_progress is not None and (previous is _NOTHING or result != previous):
            on_progress(result)
        previous = result
        if done(result):
            return result
        remaining = deadline - (yield from current())
        if remaining <= 0:
            raise CLITimeoutError(
                f"gave up waiting after {timeout_s:g} s for {what}; last seen: {describe(result)}",
                hint=hint or _DEFAULT_HINT,
            )
        yield Sleep(min(backoff.delay(attempt), remaining))
        attempt += 1


def poll_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout_s: float,
    what: str,
    describe: Callable[[T], str] = repr,
    on_progress: Callable[[T], object] | None = None,
    backoff: Backoff | None = None,
    hint: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``poll`` for a plain function ``fetch``, sleeping with ``sleep``."""

    def fetch_steps() -> Steps[T]:
        return fetch()
        yield  # a generator with no step of its own

    steps = poll(
        fetch_steps,
        done,
        timeout_s=timeout_s,
        what=what,
        describe=describe,
        on_progress=on_progress,
        backoff=backoff,
        hint=hint,
        clock=clock,
    )
    try:
        step = next(steps)
        while True:
            assert isinstance(step, Sleep)  # the clock is given, so no Now is asked
            sleep(step.seconds)
            step = steps.send(None)
    except StopIteration as finished:
        return finished.value  # type: ignore[no-any-return]


_NOTHING = object()
