"""Checking tool inputs against JSON Schema: problems name the field."""

from __future__ import annotations

from flow_sdk_components.local.schema_check import field_problems, schema_problem
from hypothesis import given
from hypothesis import strategies as st

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "days": {"type": "integer", "minimum": 1},
        "where": {"type": "object", "properties": {"lat": {"type": "number"}}},
    },
    "required": ["city", "days"],
}


def test_a_matching_value_has_no_problems():
    assert field_problems(SCHEMA, {"city": "Oslo", "days": 3}) == []


def test_a_wrong_type_names_the_nested_field():
    problems = field_problems(SCHEMA, {"city": "Oslo", "days": 3, "where": {"lat": "north"}})
    assert problems == [(["where", "lat"], "'north' is not of type 'number'")]


def test_a_missing_required_field_is_reported_at_its_own_path():
    problems = field_problems(SCHEMA, {"days": 0})
    assert (["city"], "is required") in problems
    assert any(path == ["days"] and "minimum" in message for path, message in problems)


def test_an_invalid_schema_is_described():
    assert schema_problem({"type": "no-such-type"}) is not None
    assert schema_problem([1, 2]) is not None
    assert schema_problem(SCHEMA) is None
    assert schema_problem(True) is None


def test_the_schema_draft_is_honoured():
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}
    assert schema_problem(draft7) is None
    assert field_problems(draft7, []) == [([], "[] is not of type 'object'")]


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=5))
def test_problems_are_few_and_short_whatever_the_value(value):
    problems = field_problems(SCHEMA, value)
    assert len(problems) <= 20
    assert all(len(message) <= 300 for _, message in problems)
    if "city" not in value:
        assert (["city"], "is required") in problems
