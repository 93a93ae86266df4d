"""An experiment's results from its variants and the summaries of their outcomes (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._stats import Z_95, Summary, difference_interval, mean_interval

__all__ = ["CONFIDENCE", "variant_results"]

CONFIDENCE = 0.95


def variant_results(
    variants: Sequence[Mapping[str, Any]], summaries: Mapping[int, Summary], z: float = Z_95
) -> list[dict[str, Any]]:
    """One result per variant, in order; the first variant is the control for differences."""
    control = summaries.get(0, Summary(0))
    results = []
    for index, variant in enumerate(variants):
        summary = summaries.get(index, Summary(0))
        result: dict[str, Any] = {
            "variant": index,
            "component_id": variant["component_id"],
            "version": variant["version"],
            "weight": variant["weight"],
            "count": summary.count,
            "mean": summary.mean if summary.count else None,
            "stddev": summary.stddev,
        }
        interval = mean_interval(summary, z)
        if interval is not None:
            result["ci_low"], result["ci_high"] = interval.low, interval.high
        if index > 0 and summary.count and control.count:
            result["difference"] = summary.mean - control.mean
            difference = difference_interval(control, summary, z)
            if difference is not None:
                result["difference_ci_low"] = difference.low
                result["difference_ci_high"] = difference.high
        results.append(result)
    return results
