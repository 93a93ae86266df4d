"""Summaries of a metric and their 95 % confidence intervals: pure functions, no I/O.

A sample is summarised as ``(count, mean, m2)`` where ``m2`` is the sum of
squared deviations from the mean: SQL computes it in two passes over the
stored outcomes, and ``summarize`` computes the same in Python (Welford's
update, numerically stable). Intervals use the normal approximation:
``mean ± z·s/√n`` for one variant, and for the difference between two
variants Welch's standard error ``√(s₁²/n₁ + s₂²/n₂)``, which does not
assume equal variances. With few outcomes (tens or fewer) the normal
approximation is narrower than a t interval would be.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Z_95", "Interval", "Summary", "difference_interval", "mean_interval", "summarize"]

Z_95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95 % interval."""


@dataclass(frozen=True)
class Summary:
    """A sample's count, mean and sum of squared deviations from the mean."""

    count: int
    mean: float = 0.0
    m2: float = 0.0

    @property
    def variance(self) -> float | None:
        """The sample variance (n - 1 in the denominator); None below two values."""
        if self.count < 2:
            return None
        return max(self.m2, 0.0) / (self.count - 1)

    @property
    def stddev(self) -> float | None:
        """The sample standard deviation; None below two values."""
        variance = self.variance
        return None if variance is None else math.sqrt(variance)

    @property
    def standard_error(self) -> float | None:
        """The standard error of the mean; None below two values."""
        variance = self.variance
        return None if variance is None else math.sqrt(variance / self.count)


@dataclass(frozen=True)
class Interval:
    """An estimate and its confidence interval ``[low, high]``."""

    estimate: float
    low: float
    high: float

    @property
    def width(self) -> float:
        """``high - low``."""
        return self.high - self.low


def summarize(values: Iterable[float]) -> Summary:
    """Count, mean and m2 of ``values`` in one pass (Welford)."""
    count, mean, m2 = 0, 0.0, 0.0
    for value in values:
        count += 1
        delta = value - mean
        mean += delta / count
        m2 += delta * (value - mean)
    return Summary(count, mean, m2)


def mean_interval(summary: Summary, z: float = Z_95) -> Interval | None:
    """The mean and its interval ``mean ± z·se``; None below two values."""
    se = summary.standard_error
    if se is None:
        return None
    margin = z * se
    return Interval(summary.mean, summary.mean - margin, summary.mean + margin)


def difference_interval(control: Summary, other: Summary, z: float = Z_95) -> Interval | None:
    """``other.mean - control.mean`` with Welch's standard error; None below two values each."""
    if control.variance is None or other.variance is None:
        return None
    se = math.sqrt(control.variance / control.count + other.variance / other.count)
    estimate = other.mean - control.mean
    return Interval(estimate, estimate - z * se, estimate + z * se)
