"""The rules a list of variants follows, shared by the SDK (checked before sending) and the routes.

Pure functions over plain values: each problem is a location inside the body
and a sentence, which the routes turn into a 422 and the SDK into a
``CLIValidationError`` before any request is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["MAX_VARIANTS", "MIN_VARIANTS", "TOTAL_WEIGHT", "Problem", "variant_problems"]

TOTAL_WEIGHT = 100
MIN_VARIANTS = 2
MAX_VARIANTS = 20

Problem = tuple[list[str | int], str]


def _whole(value: Any) -> int | None:
    """``value`` when it is an int (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def variant_problems(variants: Any) -> list[Problem]:
    """What is wrong with ``variants`` (a list of ``{component_id, version, weight}``), if anything.

    Locations are relative to the body (``["variants", 1, "weight"]``).
    """
    if not isinstance(variants, Sequence) or isinstance(variants, str | bytes):
        return [(["variants"], "must be a list of {component_id, version, weight}")]
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        return [
            (
                ["variants"],
                f"must hold {MIN_VARIANTS} to {MAX_VARIANTS} variants, not {len(variants)}",
            )
        ]
    problems: list[Problem] = []
    seen: dict[tuple[str, int], int] = {}
    total = 0
    for index, variant in enumerate(variants):
        here: list[str | int] = ["variants", index]
        if not isinstance(variant, dict):
            problems.append((here, "must be an object {component_id, version, weight}"))
            continue
        component_id = variant.get("component_id")
        version, weight = _whole(variant.get("version")), _whole(variant.get("weight"))
        if not isinstance(component_id, str) or not component_id:
            problems.append(([*here, "component_id"], "must be a component id"))
        if version is None or version < 1:
            problems.append(([*here, "version"], "must be a version number, 1 or more"))
        if weight is None or not 0 <= weight <= TOTAL_WEIGHT:
            problems.append(
                ([*here, "weight"], f"must be a whole percentage from 0 to {TOTAL_WEIGHT}")
            )
            continue
        total += weight
        if isinstance(component_id, str) and version is not None:
            key = (component_id, version)
            if key in seen:
                problems.append(
                    (here, f"repeats variant {seen[key]} ({component_id} version {version})")
                )
            seen.setdefault(key, index)
    if not problems and total != TOTAL_WEIGHT:
        problems.append(
            (["variants"], f"the weights must add up to {TOTAL_WEIGHT}; they add up to {total}")
        )
    return problems
