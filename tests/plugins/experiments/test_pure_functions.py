"""The pure parts of flow-sdk-experiments, with hypothesis: statistics, assignment, rules."""

from __future__ import annotations

import math
import statistics
from typing import Any

import pytest
from flow_sdk_experiments import (
    Summary,
    assign_variant,
    difference_interval,
    mean_interval,
    summarize,
)
from flow_sdk_experiments._assignment import BUCKETS, bucket_of
from flow_sdk_experiments._results import variant_results
from flow_sdk_experiments._stats import Z_95
from flow_sdk_experiments._variants import variant_problems
from hypothesis import assume, given, settings
from hypothesis import strategies as st

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
samples = st.lists(values, min_size=2, max_size=60)
ids = st.text(min_size=1, max_size=40)
QUICK = settings(max_examples=50, deadline=None)


def weights(count: int) -> st.SearchStrategy[list[int]]:
    """Whole-number weights, ``count`` of them, adding up to 100."""
    cuts = st.lists(st.integers(min_value=0, max_value=100), min_size=count - 1, max_size=count - 1)
    return cuts.map(
        lambda c: [b - a for a, b in zip([0, *sorted(c)], [*sorted(c), 100], strict=True)]
    )


class TestStatistics:
    @QUICK
    @given(samples)
    def test_summarize_agrees_with_the_statistics_module(self, data: list[float]) -> None:
        summary = summarize(data)
        assert summary.count == len(data)
        assert summary.mean == pytest.approx(statistics.fmean(data), rel=1e-9, abs=1e-6)
        assert summary.stddev == pytest.approx(statistics.stdev(data), rel=1e-6, abs=1e-6)

    @QUICK
    @given(samples)
    def test_the_interval_contains_the_mean_and_is_symmetric(self, data: list[float]) -> None:
        interval = mean_interval(summarize(data))
        assert interval is not None
        assert interval.low <= interval.estimate <= interval.high
        assert interval.estimate - interval.low == pytest.approx(
            interval.high - interval.estimate, rel=1e-9, abs=1e-9
        )

    @QUICK
    @given(samples, st.integers(min_value=2, max_value=10))
    def test_the_interval_shrinks_as_the_same_data_grows(
        self, data: list[float], times: int
    ) -> None:
        assume(statistics.pstdev(data) > 1e-3)
        once = mean_interval(summarize(data))
        more = mean_interval(summarize(data * times))
        assert once is not None
        assert more is not None
        assert more.width < once.width
        assert more.estimate == pytest.approx(once.estimate, rel=1e-9, abs=1e-6)

    @QUICK
    @given(st.integers(min_value=2, max_value=10_000), st.floats(min_value=0.01, max_value=100))
    def test_the_width_follows_one_over_root_n(self, count: int, stddev: float) -> None:
        # a summary of n values with sample standard deviation s: width = 2·z·s/√n
        summary = Summary(count, 0.0, stddev**2 * (count - 1))
        interval = mean_interval(summary)
        assert interval is not None
        assert interval.width == pytest.approx(2 * Z_95 * stddev / math.sqrt(count))

    def test_about_95_percent_of_intervals_cover_the_true_mean(self) -> None:
        import random

        rng = random.Random(7)
        trials, covered = 1000, 0
        for _ in range(trials):
            interval = mean_interval(summarize(rng.gauss(10.0, 3.0) for _ in range(100)))
            assert interval is not None
            covered += interval.low <= 10.0 <= interval.high
        assert 0.93 <= covered / trials <= 0.97

    def test_fewer_than_two_values_have_no_spread(self) -> None:
        assert summarize([]) == Summary(0)
        assert (summarize([4.0]).mean, summarize([4.0]).stddev) == (4.0, None)
        assert mean_interval(summarize([4.0])) is None
        assert difference_interval(summarize([1.0, 2.0]), summarize([3.0])) is None

    @QUICK
    @given(samples, samples)
    def test_the_difference_interval_uses_welchs_standard_error(
        self, control: list[float], other: list[float]
    ) -> None:
        a, b = summarize(control), summarize(other)
        interval = difference_interval(a, b)
        assert interval is not None
        assert interval.estimate == pytest.approx(b.mean - a.mean, rel=1e-9, abs=1e-6)
        se = math.sqrt(
            statistics.variance(control) / len(control) + statistics.variance(other) / len(other)
        )
        assert interval.high - interval.estimate == pytest.approx(Z_95 * se, rel=1e-6, abs=1e-6)
        assert interval.low <= interval.estimate <= interval.high

    @QUICK
    @given(samples)
    def test_a_sample_does_not_differ_from_itself(self, data: list[float]) -> None:
        interval = difference_interval(summarize(data), summarize(data))
        assert interval is not None
        assert interval.estimate == 0
        assert interval.low <= 0 <= interval.high


class TestAssignment:
    @QUICK
    @given(ids, ids, st.integers(min_value=2, max_value=6).flatmap(weights))
    def test_the_same_subject_always_gets_the_same_variant(
        self, experiment_id: str, subject_id: str, split: list[int]
    ) -> None:
        first = assign_variant(experiment_id, subject_id, split)
        assert all(assign_variant(experiment_id, subject_id, split) == first for _ in range(3))
        assert split[first] > 0  # a variant of weight 0 is never chosen
        assert 0 <= bucket_of(experiment_id, subject_id) < BUCKETS

    def test_assignment_is_the_same_in_another_process(self) -> None:
        import subprocess
        import sys

        code = (
            "from flow_sdk_experiments import assign_variant as a;"
            "print([a('exp_1', f'user-{i}', [30, 30, 40]) for i in range(12)])"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        here = [assign_variant("exp_1", f"user-{i}", [30, 30, 40]) for i in range(12)]
        assert out.strip() == str(here)

    @settings(max_examples=15, deadline=None)
    @given(ids, st.integers(min_value=2, max_value=5).flatmap(weights))
    def test_shares_follow_the_weights(self, experiment_id: str, split: list[int]) -> None:
        subjects = 4000
        counts = [0] * len(split)
        for i in range(subjects):
            counts[assign_variant(experiment_id, f"subject-{i}", split)] += 1
        for count, weight in zip(counts, split, strict=True):
            # 4000 draws: a share's standard error is at most 0.8 %; allow 5 of them
            assert abs(count / subjects - weight / 100) < 0.04

    def test_experiments_assign_independently(self) -> None:
        first = [assign_variant("exp_a", f"s{i}", [50, 50]) for i in range(400)]
        second = [assign_variant("exp_b", f"s{i}", [50, 50]) for i in range(400)]
        agree = sum(a == b for a, b in zip(first, second, strict=True)) / 400
        assert 0.4 < agree < 0.6

    @pytest.mark.parametrize("bad", [[], [0, 0], [-10, 110]])
    def test_weights_must_give_somewhere_to_go(self, bad: list[int]) -> None:
        with pytest.raises(ValueError, match="weights"):
            assign_variant("e", "s", bad)


def variant(component: str = "cmp_a", version: int = 1, weight: int = 50) -> dict[str, Any]:
    return {"component_id": component, "version": version, "weight": weight}


class TestVariantRules:
    @QUICK
    @given(st.integers(min_value=2, max_value=20).flatmap(weights))
    def test_any_split_adding_up_to_100_is_fine(self, split: list[int]) -> None:
        assert variant_problems([variant(f"cmp_{i}", 1, w) for i, w in enumerate(split)]) == []

    @QUICK
    @given(st.lists(st.integers(min_value=0, max_value=100), min_size=2, max_size=20))
    def test_a_split_not_adding_up_to_100_is_named(self, split: list[int]) -> None:
        assume(sum(split) != 100)
        problems = variant_problems([variant(f"cmp_{i}", 1, w) for i, w in enumerate(split)])
        assert problems == [
            (["variants"], f"the weights must add up to 100; they add up to {sum(split)}")
        ]

    @pytest.mark.parametrize(
        ("variants", "where", "needle"),
        [
            ([variant()], ["variants"], "2 to 20"),
            ([variant(f"c{i}", 1, 5) for i in range(21)], ["variants"], "2 to 20"),
            ({"a": 1}, ["variants"], "must be a list"),
            ("ab", ["variants"], "must be a list"),
            ([variant(), 7], ["variants", 1], "must be an object"),
            ([variant(), variant()], ["variants", 1], "repeats variant 0"),
            ([variant(version=0), variant("b")], ["variants", 0, "version"], "1 or more"),
            ([variant(version=True), variant("b")], ["variants", 0, "version"], "version"),
            ([variant(weight=50.0), variant("b")], ["variants", 0, "weight"], "whole"),  # type: ignore[arg-type]
            ([variant(component=""), variant("b")], ["variants", 0, "component_id"], "id"),
        ],
    )
    def test_each_problem_is_located(self, variants: Any, where: list[Any], needle: str) -> None:
        [(loc, message)] = variant_problems(variants)
        assert loc == where
        assert needle in message


class TestResults:
    def test_a_variant_without_outcomes_has_no_numbers(self) -> None:
        rows = variant_results([variant("a"), variant("b")], {1: summarize([1.0, 2.0, 3.0])})
        assert rows[0]["count"] == 0
        assert rows[0]["mean"] is None
        assert "ci_low" not in rows[0]
        assert rows[1]["mean"] == 2.0
        assert "difference" not in rows[1]  # no control outcomes to compare with

    @QUICK
    @given(samples, samples)
    def test_results_hold_each_mean_and_the_difference_from_the_control(
        self, control: list[float], other: list[float]
    ) -> None:
        a, b = summarize(control), summarize(other)
        first, second = variant_results([variant("a"), variant("b")], {0: a, 1: b})
        assert (first["count"], second["count"]) == (len(control), len(other))
        assert first["ci_low"] <= first["mean"] <= first["ci_high"]
        assert second["difference"] == pytest.approx(b.mean - a.mean)
        assert second["difference_ci_low"] <= second["difference"] <= second["difference_ci_high"]
        assert "difference" not in first
