"""The bundle format on its own: what is accepted, and what is refused with which message."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flow_sdk_solutions._bundle import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_VERSION,
    BundleError,
    decode_bundle,
)
from hypothesis import given
from hypothesis import strategies as st


def a_bundle() -> dict[str, Any]:
    history = [
        {"version": 1, "name": "a", "description": "", "spec": {"x": 1}},
        {"version": 2, "name": "a2", "description": "d", "spec": {"x": 2}},
    ]
    return {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_FORMAT_VERSION,
        "exported_at": "2024-01-01T00:00:00Z",
        "solution": {
            "id": "sol_1",
            "name": "s",
            "description": "",
            "components": [{"type": "agent", "id": "cmp_1"}],
        },
        "components": [
            {
                "type": "agent",
                "id": "cmp_1",
                "name": "a2",
                "description": "d",
                "spec": {"x": 2},
                "version": 2,
                "versions": history,
            }
        ],
    }


def test_a_well_formed_bundle_decodes() -> None:
    bundle = decode_bundle(a_bundle())
    assert bundle.solution.components[0].id == "cmp_1"
    assert [v.version for v in bundle.components[0].versions] == [1, 2]
    assert decode_bundle(bundle.to_dict()) == bundle


@given(st.integers(BUNDLE_FORMAT_VERSION + 1, 10**6))
def test_a_newer_format_is_refused_whatever_else_it_holds(version: int) -> None:
    raw = {"format": BUNDLE_FORMAT, "format_version": version, "anything": ["new"]}
    with pytest.raises(BundleError, match=f"format version {version}, newer than") as info:
        decode_bundle(raw)
    assert info.value.code == "newer_format"
    assert "pip install -U flow-sdk-solutions" in str(info.value)


def _without(path: list[Any]) -> dict[str, Any]:
    raw = a_bundle()
    target: Any = raw
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return raw


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ([], "is a JSON object"),
        ({**a_bundle(), "format": "zip"}, "not a solution bundle: 'format' is 'zip'"),
        ({**a_bundle(), "format_version": "1"}, "'format_version' must be a positive integer"),
        ({**a_bundle(), "format_version": 0}, "'format_version' must be a positive integer"),
        (_without(["solution", "name"]), "`$.solution`"),
        (_without(["components", 0, "versions"]), "`$.components[0].versions` is empty"),
        ({**a_bundle(), "surprise": 1}, "surprise"),
        ({**a_bundle(), "components": []}, "which is not in `$.components`"),
        (
            {**a_bundle(), "components": a_bundle()["components"] * 2},
            "appears twice (at `$.components[1]`)",
        ),
    ],
)
def test_a_malformed_bundle_says_what_is_wrong(raw: Any, needle: str) -> None:
    with pytest.raises(BundleError) as info:
        decode_bundle(raw)
    assert info.value.code == "malformed"
    assert needle in str(info.value)


@given(st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=5), max_size=5))
def test_arbitrary_json_never_crashes_the_decoder(junk: dict[str, Any]) -> None:
    raw = copy.deepcopy(a_bundle())
    raw["solution"].update(junk)
    code = None
    try:
        decode_bundle(raw)
    except BundleError as exc:
        code = exc.code
    assert code in {None, "malformed"}
