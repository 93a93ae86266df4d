"""Pinned experiment assignment: the variant each subject gets must never change across versions.

A subject's variant is a promise: the SDK assigns offline exactly as the
platform does, and a subject assigned yesterday must get the same variant
today. Every expected value below was computed once from the implementation
and written down literally, so any change to the hash (its prefix, separators,
encoding, digest bytes), the bucket count, the ``point < cumulative`` cut or
the order the variants are walked in fails here instead of silently moving
subjects to other variants. Never regenerate these tables to make a test pass.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from itertools import accumulate
from typing import Any

import pytest
from flow_sdk_experiments import Assignment, Experiment, assign_variant
from flow_sdk_experiments._assignment import BUCKETS, bucket_of
from flow_sdk_experiments._variants import TOTAL_WEIGHT, variant_problems
from hypothesis import given, settings
from hypothesis import strategies as st

EXP = "exp_3f9a1c7e5b2d4086"
"""An experiment id shaped like the platform's (``exp_`` and 16 hex digits)."""

# (experiment id, subject id) -> bucket, from 0 to 9999.
GOLDEN_BUCKETS: list[tuple[str, str, int]] = [
    (EXP, "alice", 6059),
    (EXP, "bob", 9155),
    (EXP, "carol", 3327),
    (EXP, "user-42", 877),
    (EXP, "", 9095),
    (EXP, "Zoë", 2035),
    (EXP, "用户-7", 508),
    (EXP, "🙂", 873),
    (EXP, "a,b=c\x00d", 9152),
    (EXP, "\ud83d", 1070),  # a lone surrogate: encoded with "surrogatepass", not refused
    ("exp_0000000000000000", "alice", 5573),
    ("checkout-redesign", "alice", 2020),
    ("", "alice", 8636),
    ("实验", "alice", 4942),
    # the exact edges of the bucket range and of the 10 % and 50 % cuts
    (EXP, "edge-10027", 0),
    (EXP, "edge-1070", 999),
    (EXP, "edge-10037", 1000),
    (EXP, "edge-3075", 4999),
    (EXP, "edge-5160", 5000),
    (EXP, "edge-5115", 9999),
]

# (experiment id, subject id, weights) -> the variant's position.
GOLDEN_ASSIGNMENTS: list[tuple[str, str, list[int], int]] = [
    # 50/50, many kinds of subject id
    (EXP, "alice", [50, 50], 1),
    (EXP, "bob", [50, 50], 1),
    (EXP, "carol", [50, 50], 0),
    (EXP, "user-42", [50, 50], 0),
    (EXP, "", [50, 50], 1),
    (EXP, "Zoë", [50, 50], 0),
    (EXP, "用户-7", [50, 50], 0),
    (EXP, "🙂", [50, 50], 0),
    (EXP, "a,b=c\x00d", [50, 50], 1),
    (EXP, "\ud83d", [50, 50], 0),
    # the experiment id is part of the hash
    ("exp_0000000000000000", "alice", [50, 50], 1),
    ("checkout-redesign", "alice", [50, 50], 0),
    ("", "alice", [50, 50], 1),
    ("实验", "alice", [50, 50], 0),
    # uneven and many-way splits; [10, 90] vs [90, 10] pins the order variants are walked in
    (EXP, "alice", [10, 90], 1),
    (EXP, "alice", [90, 10], 0),
    (EXP, "alice", [34, 33, 33], 1),
    (EXP, "alice", [20, 20, 20, 20, 20], 3),
    (EXP, "bob", [10, 90], 1),
    (EXP, "bob", [90, 10], 1),
    (EXP, "bob", [34, 33, 33], 2),
    (EXP, "bob", [20, 20, 20, 20, 20], 4),
    (EXP, "user-42", [10, 90], 0),
    (EXP, "user-42", [90, 10], 0),
    (EXP, "user-42", [34, 33, 33], 0),
    (EXP, "user-42", [20, 20, 20, 20, 20], 0),
    (EXP, "user-7", [5] * 20, 13),
    (EXP, "user-8", [5] * 20, 2),
    (EXP, "user-9", [5] * 20, 4),
    # subjects whose point equals a cumulative weight exactly: the first bucket of the
    # next variant. With `point <= cumulative` each of these would move one variant down.
    (EXP, "user-290", [50, 50], 1),  # point 50
    (EXP, "user-32", [10, 90], 1),  # point 10
    (EXP, "user-114", [90, 10], 1),  # point 90
    (EXP, "user-118", [34, 33, 33], 1),  # point 34
    (EXP, "user-5", [34, 33, 33], 2),  # point 67
    (EXP, "user-17", [34, 33, 33], 0),  # point 33: the last of variant 0 (1 if walked backwards)
    (EXP, "user-56", [34, 33, 33], 1),  # point 66: the last of variant 1 (2 if walked backwards)
    (EXP, "user-128", [20, 20, 20, 20, 20], 2),  # point 40
    (EXP, "user-76", [20, 20, 20, 20, 20], 4),  # point 80
    (EXP, "user-145", [5] * 20, 7),  # point 35
    (EXP, "user-296", [1, 99], 1),  # point 1
    (EXP, "user-3", [25, 25, 25, 25], 3),  # point 75
    # exact bucket edges: bucket 0, 999, 1000, 4999, 5000 and 9999
    (EXP, "edge-10027", [50, 50], 0),
    (EXP, "edge-10027", [10, 90], 0),
    (EXP, "edge-1070", [10, 90], 0),
    (EXP, "edge-10037", [10, 90], 1),
    (EXP, "edge-3075", [50, 50], 0),
    (EXP, "edge-5160", [50, 50], 1),
    (EXP, "edge-5115", [50, 50], 1),
    (EXP, "edge-5115", [10, 90], 1),
    # zero weights are skipped, wherever they are
    (EXP, "alice", [0, 100], 1),
    (EXP, "alice", [100, 0], 0),
    (EXP, "bob", [0, 50, 0, 50], 3),
    # assign_variant itself also takes weights that do not add up to 100
    (EXP, "user-0", [1, 2], 1),  # point 1, a boundary
    (EXP, "user-0", [1, 2, 3], 2),  # point 3, a boundary
    (EXP, "carol", [3, 3, 3], 0),
    (EXP, "dave", [7, 1], 0),
]


def test_the_constants_behind_assignment() -> None:
    assert BUCKETS == 10_000
    assert TOTAL_WEIGHT == 100
    assert BUCKETS % TOTAL_WEIGHT == 0  # a weight of 1 % is a whole number of buckets


@pytest.mark.parametrize(("experiment_id", "subject_id", "expected"), GOLDEN_BUCKETS)
def test_golden_buckets(experiment_id: str, subject_id: str, expected: int) -> None:
    assert bucket_of(experiment_id, subject_id) == expected


@pytest.mark.parametrize(("experiment_id", "subject_id", "weights", "expected"), GOLDEN_ASSIGNMENTS)
def test_golden_assignments(
    experiment_id: str, subject_id: str, weights: list[int], expected: int
) -> None:
    assert assign_variant(experiment_id, subject_id, weights) == expected
    assert assign_variant(experiment_id, subject_id, tuple(weights)) == expected


def test_the_golden_splits_are_valid_experiments() -> None:
    """The weight lists the platform accepts are the ones pinned above (they add up to 100)."""
    for weights in ([50, 50], [10, 90], [34, 33, 33], [20] * 5, [5] * 20, [0, 100], [1, 99]):
        variants = [
            {"component_id": f"cmp_{i}", "version": 1, "weight": w} for i, w in enumerate(weights)
        ]
        assert variant_problems(variants) == []


def _reference_assignment(experiment_id: str, subject_id: str, weights: list[int]) -> int:
    """The documented algorithm, written independently of the implementation.

    SHA-256 of ``b"flow-experiment\\0" + experiment + b"\\0" + subject``; its first
    8 bytes, big-endian, scaled to 10 000 buckets; the bucket scaled to the total
    weight; the first variant whose running total of weights exceeds that point.
    """
    digest = hashlib.sha256(
        b"flow-experiment\x00"
        + experiment_id.encode("utf-8", "surrogatepass")
        + b"\x00"
        + subject_id.encode("utf-8", "surrogatepass")
    ).digest()
    bucket = int.from_bytes(digest[:8], "big") * 10_000 // 2**64
    point = bucket * sum(weights) // 10_000
    return bisect_right(list(accumulate(weights)), point)


def test_the_reference_agrees_with_the_golden_table() -> None:
    for experiment_id, subject_id, weights, expected in GOLDEN_ASSIGNMENTS:
        assert _reference_assignment(experiment_id, subject_id, weights) == expected


weight_lists = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=20).filter(
    lambda w: sum(w) > 0
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30), weight_lists)
def test_any_input_is_assigned_as_the_reference_says(
    experiment_id: str, subject_id: str, weights: list[int]
) -> None:
    assert assign_variant(experiment_id, subject_id, weights) == _reference_assignment(
        experiment_id, subject_id, weights
    )


class TestThroughTheLocalPlatform:
    """``POST …/assign`` on the platform and ``assign_offline`` give the pinned variants."""

    @pytest.fixture
    def pinned_id(self, monkeypatch: pytest.MonkeyPatch) -> str:
        """The next experiment the platform creates gets the id ``EXP`` (others stay random)."""
        import flow_sdk_local._resource as resource

        original = resource.new_id
        monkeypatch.setattr(
            resource, "new_id", lambda prefix: EXP if prefix == "exp" else original(prefix)
        )
        return EXP

    @staticmethod
    def _check(
        experiments: Any, experiment: Experiment, expected: dict[str, int]
    ) -> list[Assignment]:
        answers = []
        for subject, variant in expected.items():
            served = experiments.assign(experiment.id, subject)
            chosen = experiment.variants[variant]
            assert served == Assignment(
                experiment_id=EXP,
                subject_id=subject,
                variant=variant,
                component_id=chosen.component_id,
                version=chosen.version,
            ), subject
            assert experiments.assign_offline(experiment, subject) == served
            answers.append(served)
        return answers

    def test_a_50_50_experiment(
        self, experiments: Any, variants: list[dict[str, Any]], pinned_id: str
    ) -> None:
        experiment = experiments.create(name="tone", variants=variants)
        assert experiment.id == pinned_id  # else the literals below mean nothing
        experiment = experiments.start(experiment.id)
        self._check(
            experiments,
            experiment,
            {
                "alice": 1,
                "carol": 0,
                "🙂": 0,
                "user-290": 1,  # point 50, exactly on the cut
                "edge-3075": 0,  # bucket 4999, the last of variant 0
                "edge-5160": 1,  # bucket 5000, the first of variant 1
            },
        )

    def test_a_three_way_experiment_walks_the_variants_in_order(
        self, experiments: Any, agents: tuple[Any, Any], pinned_id: str
    ) -> None:
        first, second = agents
        three = [
            {"component_id": first.id, "version": 1, "weight": 34},
            {"component_id": second.id, "version": 1, "weight": 33},
            {"component_id": second.id, "version": 2, "weight": 33},
        ]
        experiment = experiments.create(name="three", variants=three)
        assert experiment.id == pinned_id
        experiment = experiments.start(experiment.id)
        answers = self._check(
            experiments,
            experiment,
            {
                "alice": 1,
                "bob": 2,
                "user-42": 0,
                "user-118": 1,  # point 34, exactly on the first cut
                "user-5": 2,  # point 67, exactly on the second cut
                "user-17": 0,  # point 33, the last of variant 0
                "user-56": 1,  # point 66, the last of variant 1
            },
        )
        assert [(a.component_id, a.version) for a in answers] == [
            (second.id, 1),
            (second.id, 2),
            (first.id, 1),
            (second.id, 1),
            (second.id, 2),
            (first.id, 1),
            (second.id, 1),
        ]
