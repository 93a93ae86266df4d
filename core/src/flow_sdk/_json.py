"""JSON numbers as JSON Schema counts them: ``2.0`` is an integer.

msgspec (rightly, for a typed decoder) refuses ``2.0`` where a field is an ``int``;
JSON Schema, which our OpenAPI document speaks, calls it an integer. Whoever checks
decoded JSON against a typed model reads it through :func:`whole_floats_as_ints` first,
so both sides of the wire agree on what the document allows.
"""

from __future__ import annotations

from typing import Any

__all__ = ["whole_floats_as_ints"]

_EXACT = 2**53
"""Beyond this a float no longer names one integer."""


def whole_floats_as_ints(value: Any) -> Any:
    """``value`` (decoded JSON) with every whole float that names one integer read as that
    integer, at any depth; everything else as it was."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) <= _EXACT else value
    if isinstance(value, list):
        return [whole_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: whole_floats_as_ints(item) for key, item in value.items()}
    return value
