"""Which variant a subject gets: a stable hash of the experiment and the subject, cut by weight.

The same experiment, subject and weights always give the same variant, on any
machine and in any process (SHA-256, not Python's salted ``hash``), so a
subject never flips between variants and the SDK can assign offline exactly
as the platform does. Over many subjects each variant's share follows its
weight: the hash spreads subjects evenly over ``BUCKETS`` buckets, and each
variant owns ``weight`` percent of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["BUCKETS", "assign_variant", "bucket_of"]

BUCKETS = 10_000
"""Buckets per experiment; a weight of 1 % is 100 buckets."""


def bucket_of(experiment_id: str, subject_id: str) -> int:
    """The subject's bucket in this experiment, from 0 to ``BUCKETS - 1``.

    The experiment id is part of the hash, so one subject lands in unrelated
    buckets in different experiments.
    """
    digest = hashlib.sha256(
        b"flow-experiment\x00"
        + experiment_id.encode("utf-8", "surrogatepass")
        + b"\x00"
        + subject_id.encode("utf-8", "surrogatepass")
    ).digest()
    return (int.from_bytes(digest[:8], "big") * BUCKETS) >> 64


def assign_variant(experiment_id: str, subject_id: str, weights: Sequence[int]) -> int:
    """The position of the variant ``subject_id`` gets, for weights that add up to 100.

    A variant of weight 0 is never chosen.
    """
    total = sum(weights)
    if total <= 0 or any(weight < 0 for weight in weights):
        raise ValueError("weights must be 0 or more and add up to more than 0")
    point = bucket_of(experiment_id, subject_id) * total // BUCKETS
    cumulative = 0
    for index, weight in enumerate(weights):
        cumulative += weight
        if point < cumulative:
            return index
    raise AssertionError("unreachable: point < total")  # pragma: no cover
