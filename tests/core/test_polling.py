"""``flow_sdk.poll_until`` and ``Backoff``: the schedule, the timeout, the progress reports.

A fake clock moves only when the code under test sleeps, so nothing waits.
"""

from __future__ import annotations

import pytest
from flow_sdk import Backoff, CLITimeoutError, poll_until
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


def test_polls_until_done_and_reports_each_change_once() -> None:
    clock = FakeClock()
    states = iter(["queued", "running", "running", "running", "succeeded", "never fetched"])
    seen: list[str] = []
    result = poll_until(
        lambda: next(states),
        lambda s: s == "succeeded",
        timeout_s=60,
        what="the run",
        on_progress=seen.append,
        backoff=Backoff(0.1, 2, 1),
        clock=clock,
        sleep=clock.sleep,
    )
    assert result == "succeeded"
    assert seen == ["queued", "running", "succeeded"]
    assert clock.sleeps == pytest.approx([0.1, 0.2, 0.4, 0.8])


def test_a_state_that_comes_back_is_reported_again() -> None:
    clock = FakeClock()
    states = iter(["pending", "retrying", "pending", "succeeded"])
    seen: list[str] = []
    poll_until(
        lambda: next(states),
        lambda s: s == "succeeded",
        timeout_s=60,
        what="x",
        on_progress=seen.append,
        clock=clock,
        sleep=clock.sleep,
    )
    assert seen == ["pending", "retrying", "pending", "succeeded"]


def test_the_default_schedule_starts_at_50_ms_and_grows_by_half() -> None:
    clock = FakeClock()
    results = iter(["pending", "pending", "pending", "active"])
    poll_until(
        lambda: next(results),
        lambda s: s == "active",
        timeout_s=10,
        what="it",
        clock=clock,
        sleep=clock.sleep,
    )
    assert clock.sleeps == pytest.approx([0.05, 0.075, 0.1125])
    assert Backoff().delay(100) == 1.0


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
    assert message.startswith("gave up waiting after 3 s for deployment dep_1")
    assert "status pending" in message
    assert "timeout_s" in (caught.value.hint or "")
    # It never sleeps past the deadline, and it polled once more at the deadline.
    assert sum(clock.sleeps) == pytest.approx(3)


def test_describe_defaults_to_repr_and_the_hint_can_be_the_callers() -> None:
    clock = FakeClock()
    with pytest.raises(CLITimeoutError) as caught:
        poll_until(
            lambda: "pending",
            lambda s: False,
            timeout_s=1,
            what="delivery d1",
            hint="check the receiver with `flow webhooks deliveries wh_1`",
            clock=clock,
            sleep=clock.sleep,
        )
    assert "last seen: 'pending'" in str(caught.value)
    assert caught.value.hint == "check the receiver with `flow webhooks deliveries wh_1`"


def test_the_last_sleep_never_overshoots_the_deadline() -> None:
    clock = FakeClock()
    with pytest.raises(CLITimeoutError):
        poll_until(
            lambda: 1,
            lambda s: False,
            timeout_s=1.05,
            what="x",
            backoff=Backoff(1, 1, 1),
            clock=clock,
            sleep=clock.sleep,
        )
    assert clock.sleeps == pytest.approx([1, 0.05])


def test_an_exception_from_done_stops_polling() -> None:
    def done(value: str) -> bool:
        raise RuntimeError(value)

    with pytest.raises(RuntimeError, match="failed"):
        poll_until(lambda: "failed", done, timeout_s=1, what="x")


@pytest.mark.parametrize("timeout_s", [0, -1, float("nan")])
def test_timeout_must_be_positive(timeout_s: float) -> None:
    with pytest.raises(ValueError, match="timeout_s"):
        poll_until(lambda: 1, bool, timeout_s=timeout_s, what="x")


@given(
    initial=st.floats(0.001, 1),
    factor=st.floats(1, 3),
    cap=st.floats(1, 10),
    attempt=st.integers(0, 100_000),
)
def test_backoff_grows_and_stays_capped(
    initial: float, factor: float, cap: float, attempt: int
) -> None:
    backoff = Backoff(initial, factor, cap)
    assert initial <= backoff.delay(attempt) <= cap
    assert backoff.delay(attempt) <= backoff.delay(attempt + 1)


def test_backoff_grows_by_its_factor_up_to_the_maximum() -> None:
    backoff = Backoff(initial_s=0.1, factor=2, max_s=0.5)
    assert [backoff.delay(n) for n in range(5)] == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5])


@pytest.mark.parametrize(("initial", "factor", "cap"), [(0, 2, 1), (1, 0.5, 2), (2, 2, 1)])
def test_backoff_refuses_nonsense(initial: float, factor: float, cap: float) -> None:
    with pytest.raises(ValueError, match="initial_s"):
        Backoff(initial, factor, cap)
