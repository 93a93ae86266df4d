"""The polling helper behind ``wait``: its schedule, its timeout, its progress reports."""

from __future__ import annotations

import pytest
from flow_sdk import CLITimeoutError
from flow_sdk_deployments._polling import Backoff, poll_until
from hypothesis import given
from hypothesis import strategies as st


class FakeClock:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_returns_the_first_result_that_is_done_and_reports_every_poll() -> None:
    clock = FakeClock()
    results = iter(["pending", "pending", "active", "never fetched"])
    seen: list[str] = []
    result = poll_until(
        lambda: next(results),
        lambda status: status == "active",
        timeout_s=10,
        what="it",
        on_progress=seen.append,
        clock=clock,
        sleep=clock.sleep,
    )
    assert result == "active"
    assert seen == ["pending", "pending", "active"]
    assert clock.sleeps == [0.05, pytest.approx(0.08)]


def test_done_at_once_never_sleeps() -> None:
    clock = FakeClock()
    assert poll_until(lambda: 1, bool, timeout_s=1, what="x", clock=clock, sleep=clock.sleep) == 1
    assert clock.sleeps == []


def test_times_out_with_what_was_awaited_and_the_last_state() -> None:
    clock = FakeClock()
    with pytest.raises(CLITimeoutError) as caught:
        poll_until(
            lambda: "pending",
            lambda status: status == "active",
            timeout_s=3,
            what="deployment dep_1 to become active",
            describe=lambda status: f"status {status}",
            clock=clock,
            sleep=clock.sleep,
        )
    message = str(caught.value)
    assert "deployment dep_1 to become active" in message
    assert "after 3s" in message
    assert "status pending" in message
    assert "timeout_s" in (caught.value.hint or "")
    # It never sleeps past the deadline, and it polled once more at the deadline.
    assert sum(clock.sleeps) == pytest.approx(3)


def test_an_exception_from_done_stops_polling() -> None:
    def done(value: str) -> bool:
        raise RuntimeError(value)

    with pytest.raises(RuntimeError, match="failed"):
        poll_until(lambda: "failed", done, timeout_s=1, what="x")


@pytest.mark.parametrize("timeout_s", [0, -1])
def test_timeout_must_be_positive(timeout_s: float) -> None:
    with pytest.raises(ValueError, match="timeout_s"):
        poll_until(lambda: 1, bool, timeout_s=timeout_s, what="x")


@given(
    initial=st.floats(0.001, 1),
    factor=st.floats(1, 3),
    cap=st.floats(1, 10),
    attempt=st.integers(0, 200),
)
def test_backoff_grows_and_stays_capped(
    initial: float, factor: float, cap: float, attempt: int
) -> None:
    backoff = Backoff(initial, factor, cap)
    assert initial <= backoff.delay(attempt) <= cap
    assert backoff.delay(attempt) <= backoff.delay(attempt + 1)


@pytest.mark.parametrize(("initial", "factor", "cap"), [(0, 2, 1), (1, 0.5, 2), (2, 2, 1)])
def test_backoff_refuses_nonsense(initial: float, factor: float, cap: float) -> None:
    with pytest.raises(ValueError, match="initial_s"):
        Backoff(initial, factor, cap)
