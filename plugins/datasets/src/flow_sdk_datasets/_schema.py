"""A dataset's schema: a small typed column list, and how a row is checked against it.

The same code runs in the SDK (to convert CSV cells) and in the local
platform (to refuse bad rows), so the two can never disagree about what a
valid row is.

A schema is ``{"columns": [{"name": ..., "type": ..., "required": ...}]}``
with ``type`` one of ``string``, ``integer``, ``number``, ``boolean``,
``object``, ``array``. A row is a JSON object: a required column must be
present and not null, an optional one may be absent or null, and a column the
schema does not name is refused. A schema with no columns accepts any object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args

import msgspec

__all__ = [
    "COLUMN_TYPES",
    "Column",
    "ColumnType",
    "DatasetSchema",
    "RowChecker",
    "convert_cell",
    "row_problem",
    "schema_from",
]

ColumnType = Literal["string", "integer", "number", "boolean", "object", "array"]
COLUMN_TYPES: tuple[str, ...] = get_args(ColumnType)
MAX_COLUMNS = 1000

_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


class Column(msgspec.Struct, kw_only=True):
    """One column: its name, its JSON type, and whether every row must have it."""

    name: str
    type: ColumnType = "string"
    required: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The column as plain JSON values."""
        return {"name": self.name, "type": self.type, "required": self.required}


class DatasetSchema(msgspec.Struct, kw_only=True):
    """The columns of a dataset; no columns means any JSON object is a row."""

    columns: list[Column] = []

    def __post_init__(self) -> None:
        if len(self.columns) > MAX_COLUMNS:
            raise ValueError(f"a schema has at most {MAX_COLUMNS} columns")
        seen: set[str] = set()
        for column in self.columns:
            if not column.name:
                raise ValueError("every column needs a non-empty name")
            if column.name in seen:
                raise ValueError(f"column {column.name!r} is named twice")
            seen.add(column.name)

    def column(self, name: str) -> Column | None:
        """The column called ``name``, or None."""
        for column in self.columns:
            if column.name == name:
                return column
        return None

    def to_dict(self) -> dict[str, Any]:
        """The schema as plain JSON values."""
        return {"columns": [c.to_dict() for c in self.columns]}


def schema_from(value: DatasetSchema | Mapping[str, Any] | Iterable[Any] | None) -> DatasetSchema:
    """A schema from a ``DatasetSchema``, a ``{"columns": [...]}`` mapping, or a column list.

    Raises ``ValueError`` saying what is wrong with it.
    """
    if value is None:
        return DatasetSchema()
    if isinstance(value, DatasetSchema):
        return value
    if isinstance(value, Mapping):
        raw: Any = dict(value)
    elif isinstance(value, str | bytes):
        raise ValueError('invalid dataset schema: expected {"columns": [...]}, got text')
    else:
        raw = {"columns": [c.to_dict() if isinstance(c, Column) else c for c in value]}
    _refuse_unknown_keys(raw)
    try:
        return msgspec.convert(raw, DatasetSchema)
    except msgspec.ValidationError as exc:
        raise ValueError(f"invalid dataset schema: {exc}") from None


def _refuse_unknown_keys(raw: Any) -> None:
    """Catch typos such as ``requried``: the records themselves ignore unknown fields."""
    if not isinstance(raw, dict):
        return
    extra = sorted(set(raw) - {"columns"})
    if extra:
        raise ValueError(f"invalid dataset schema: unknown field {extra[0]!r} (expected 'columns')")
    columns = raw.get("columns")
    if not isinstance(columns, list):
        return
    for index, column in enumerate(columns):
        if isinstance(column, dict):
            extra = sorted(set(column) - {"name", "type", "required"})
            if extra:
                raise ValueError(
                    f"invalid dataset schema: unknown field {extra[0]!r} in columns[{index}] "
                    "(expected name, type, required)"
                )


def _type_matches(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    return isinstance(value, list)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else type(value).__name__


class RowChecker:
    """Checks many rows against one schema (the column names are looked up once)."""

    def __init__(self, schema: DatasetSchema) -> None:
        self.columns = [(c.name, c.type, c.required) for c in schema.columns]
        self.known = frozenset(c.name for c in schema.columns)

    def problem(self, row: Any) -> tuple[str | None, str] | None:
        """Why ``row`` breaks the schema as (column or None, message), or None when it fits."""
        if not isinstance(row, dict):
            return None, f"a row must be a JSON object, got {_json_type(row)}"
        if not self.columns:
            return None
        for name, kind, required in self.columns:
            value = row.get(name)
            if value is None:
                if required:
                    return name, f"column {name!r} is required"
                continue
            if not _type_matches(kind, value):
                return name, f"column {name!r} must be {kind}, got {_json_type(value)}"
        if not self.known.issuperset(row):
            unknown = sorted(k for k in row if k not in self.known)
            return unknown[0], (
                f"column {unknown[0]!r} is not in the dataset's schema "
                f"(known: {', '.join(sorted(self.known))})"
            )
        return None


def row_problem(schema: DatasetSchema, row: Any) -> tuple[str | None, str] | None:
    """Why ``row`` breaks ``schema`` as (column or None, message), or None when it fits."""
    return RowChecker(schema).problem(row)


def convert_cell(column: Column | None, text: str) -> Any:
    """A CSV cell as the JSON value its column's type asks for.

    An empty cell is null, except in a string column where it is ``""``. A
    column the schema does not name stays a string (the platform will refuse
    it by name). Raises ``ValueError`` saying what the cell should look like.
    """
    kind = column.type if column is not None else "string"
    if kind == "string":
        return text
    stripped = text.strip()
    if not stripped:
        return None
    if kind == "integer":
        try:
            return int(stripped)
        except ValueError:
            raise ValueError(f"{text!r} is not an integer") from None
    if kind == "number":
        try:
            return int(stripped)
        except ValueError:
            pass
        try:
            number = float(stripped)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{text!r} is not a finite number")
        return number
    if kind == "boolean":
        lowered = stripped.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"{text!r} is not a boolean (use true/false, yes/no or 1/0)")
    try:
        value = json.loads(stripped)
    except ValueError:
        raise ValueError(f"{text!r} is not JSON (an {kind} cell holds a JSON {kind})") from None
    if not _type_matches(kind, value):
        raise ValueError(f"{text!r} is not a JSON {kind}")
    return value
