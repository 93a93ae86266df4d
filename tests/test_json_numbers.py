"""whole_floats_as_ints: JSON numbers read as JSON Schema counts them (2.0 is an integer)."""

from __future__ import annotations

import json
import math
from typing import Any

from flow_sdk.plugin import whole_floats_as_ints
from hypothesis import given
from hypothesis import strategies as st

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, list):
        return [f for item in value for f in _floats(item)]
    if isinstance(value, dict):
        return [f for item in value.values() for f in _floats(item)]
    return []


def test_whole_floats_become_integers_at_any_depth() -> None:
    decoded = json.loads('{"v": 2.0, "list": [1.5, -479.0, {"n": 0.0}], "s": "2.0", "b": true}')
    assert whole_floats_as_ints(decoded) == {
        "v": 2,
        "list": [1.5, -479, {"n": 0}],
        "s": "2.0",
        "b": True,
    }
    assert type(whole_floats_as_ints(2.0)) is int
    assert whole_floats_as_ints(True) is True  # a bool is not a number here
    assert type(whole_floats_as_ints(2.0**60)) is float  # no longer one integer


@given(JSON)
def test_only_whole_floats_change_and_keep_their_value(value: Any) -> None:
    read = whole_floats_as_ints(value)
    assert read == value  # equal values: 2 == 2.0
    left = _floats(read)
    assert all(not f.is_integer() or abs(f) > 2**53 or math.isinf(f) for f in left)
