"""The retry policy alone: backoff bounds, Retry-After parsing, the budget."""

from __future__ import annotations

import email.utils
import random
import threading

import pytest
from flow_sdk import RetryPolicy
from flow_sdk._retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryBudget, parse_retry_after
from hypothesis import given
from hypothesis import strategies as st


def test_defaults() -> None:
    policy = RetryPolicy()
    assert policy.max_retries == 2
    assert policy.statuses == frozenset({408, 429, 502, 503, 504})
    assert policy.statuses == RETRY_STATUSES
    assert {"POST", "PATCH"}.isdisjoint(IDEMPOTENT_METHODS)
    assert {"GET", "PUT", "DELETE", "HEAD"} <= IDEMPOTENT_METHODS


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    assert RetryPolicy().should_retry_status(status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500, 501, 505])
def test_not_retryable_statuses(status: int) -> None:
    assert not RetryPolicy().should_retry_status(status)


@given(attempt=st.integers(0, 40), seed=st.integers(0, 2**32))
def test_backoff_is_full_jitter_under_the_capped_exponential(attempt: int, seed: int) -> None:
    policy = RetryPolicy(max_retries=50, backoff_base=0.25, backoff_cap=8.0)
    delay = policy.delay(attempt, None, random.Random(seed))
    assert delay is not None
    assert 0.0 <= delay <= min(8.0, 0.25 * 2**attempt)


def test_backoff_uses_the_random_source() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    policy = RetryPolicy(max_retries=10)
    assert [policy.delay(n, None, Top()) for n in range(7)] == [0.25, 0.5, 1, 2, 4, 8, 8]


def test_no_delay_once_retries_are_spent() -> None:
    policy = RetryPolicy(max_retries=2)
    rng = random.Random(0)
    assert policy.delay(1, None, rng) is not None
    assert policy.delay(2, None, rng) is None
    assert RetryPolicy(max_retries=0).delay(0, None, rng) is None


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    policy = RetryPolicy(max_retries=3, retry_after_cap=60.0)
    rng = random.Random(0)
    assert policy.delay(0, 12.0, rng) == 12.0
    assert policy.delay(0, 60.0, rng) == 60.0
    # Longer than the cap: give up now rather than block for minutes.
    assert policy.delay(0, 61.0, rng) is None


def test_parse_retry_after_seconds() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("0") == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-1", "nan", "Mon, 99 Foo"])
def test_parse_retry_after_rejects_garbage(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_parse_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(header, now=lambda: now) == pytest.approx(30.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now=lambda: now) == 0.0


@given(st.text(max_size=60))
def test_parse_retry_after_never_raises(value: str) -> None:
    result = parse_retry_after(value)
    assert result is None or result >= 0.0


def test_budget_spends_and_refills() -> None:
    budget = RetryBudget(capacity=2.0, refill_per_success=0.5, tokens=2.0, floor_per_second=0)
    assert budget.try_spend()
    assert budget.try_spend()
    assert not budget.try_spend()
    budget.record_success()
    assert not budget.try_spend()  # half a token is not enough
    budget.record_success()
    assert budget.try_spend()
    for _ in range(10):
        budget.record_success()
    assert budget.tokens == 2.0


def test_budget_is_thread_safe() -> None:
    budget = RetryBudget(capacity=100.0, tokens=100.0, floor_per_second=0)
    spent: list[bool] = []
    lock = threading.Lock()

    def spend() -> None:
        for _ in range(50):
            ok = budget.try_spend()
            with lock:
                spent.append(ok)

    threads = [threading.Thread(target=spend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert spent.count(True) == 100
    assert budget.tokens == 0.0


def test_budget_refills_with_time_at_its_floor() -> None:
    now = [0.0]
    budget = RetryBudget(capacity=5.0, tokens=0.0, floor_per_second=2.0, clock=lambda: now[0])
    assert not budget.try_spend()
    now[0] = 0.4  # 0.8 of a token
    assert not budget.try_spend()
    now[0] = 0.5  # 1.0
    assert budget.try_spend()
    now[0] = 100.0  # capped at capacity
    assert [budget.try_spend() for _ in range(6)] == [True] * 5 + [False]


def test_the_default_budget_keeps_retries_at_30_percent_faults_and_drops_them_when_down() -> None:
    """The two figures the defaults are chosen for, on the budget alone (no clock moves)."""
    import random

    rng = random.Random(30)
    budget = RetryBudget(clock=lambda: 0.0)
    failed = 0
    for _ in range(1000):
        for attempt in range(3):  # max_retries=2
            if attempt and not budget.try_spend():
                failed += 1
                break
            if rng.random() >= 0.3:
                budget.record_success()
                break
        else:
            failed += 1
    assert failed <= 50  # at most 5 % of calls fail

    down = RetryBudget(clock=lambda: 0.0)
    attempts = []
    for _ in range(1000):
        made = 1
        for _retry in range(2):
            if not down.try_spend():
                break
            made += 1
        attempts.append(made)
    assert sum(attempts[100:]) / 900 <= 1.2
