"""Polling with backoff: tested with a fake clock, without sleeping."""

from __future__ import annotations

import pytest
from flow_sdk import CLITimeoutError
from flow_sdk_components._polling import Backoff, poll_until


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_backoff_grows_by_its_factor_up_to_the_maximum():
    next_interval = Backoff(initial=0.1, factor=2, maximum=0.5).intervals()
    assert [round(next_interval(), 6) for _ in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]


@pytest.mark.parametrize(
    ("initial", "factor", "maximum"), [(0, 1.5, 1), (0.1, 0.5, 1), (1, 1.5, 0.5)]
)
def test_backoff_refuses_nonsense(initial, factor, maximum):
    with pytest.raises(ValueError, match="initial"):
        Backoff(initial, factor, maximum)


def test_polls_until_done_and_reports_each_change_once():
    states = iter(["queued", "running", "running", "running", "succeeded"])
    fake = FakeTime()
    seen: list[str] = []
    result = poll_until(
        lambda: next(states),
        lambda s: s == "succeeded",
        timeout_s=60,
        describe=str,
        on_progress=seen.append,
        backoff=Backoff(0.1, 2, 1),
        sleep=fake.sleep,
        clock=fake.clock,
    )
    assert result == "succeeded"
    assert seen == ["queued", "running", "succeeded"]
    assert fake.sleeps == pytest.approx([0.1, 0.2, 0.4, 0.8])


def test_times_out_with_the_last_state_in_the_message():
    fake = FakeTime()
    with pytest.raises(CLITimeoutError, match=r"after 5 s: still running") as caught:
        poll_until(
            lambda: "running",
            lambda s: False,
            timeout_s=5,
            describe=lambda s: f"still {s}",
            sleep=fake.sleep,
            clock=fake.clock,
        )
    assert "timeout_s" in (caught.value.hint or "")
    assert fake.now == pytest.approx(5)


def test_the_last_sleep_never_overshoots_the_deadline():
    fake = FakeTime()
    with pytest.raises(CLITimeoutError):
        poll_until(
            lambda: 1,
            lambda s: False,
            timeout_s=1.05,
            describe=str,
            backoff=Backoff(1, 1, 1),
            sleep=fake.sleep,
            clock=fake.clock,
        )
    assert fake.sleeps == pytest.approx([1, 0.05])


def test_a_timeout_of_zero_is_refused():
    with pytest.raises(ValueError, match="timeout_s"):
        poll_until(lambda: 1, lambda s: True, timeout_s=0, describe=str)


def test_a_state_already_reported_is_not_reported_again():
    states = iter(["queued", "running"])
    seen: list[str] = []
    fake = FakeTime()
    poll_until(
        lambda: next(states),
        lambda s: s == "running",
        timeout_s=10,
        describe=str,
        on_progress=seen.append,
        sleep=fake.sleep,
        clock=fake.clock,
        already_reported="queued",
    )
    assert seen == ["running"]
