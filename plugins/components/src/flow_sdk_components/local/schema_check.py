"""Checking a value against a JSON Schema, with errors that name the field.

Uses jsonschema (the maintained validator); the schema's ``$schema`` picks
the draft, 2020-12 when it names none. Formats are checked too.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FieldProblem", "field_problems", "schema_problem"]

FieldProblem = tuple[list[str | int], str]
_MAX_MESSAGE = 300
_MAX_PROBLEMS = 20


def _validator_class(schema: Any) -> Any:
    # jsonschema loads on the first check, not when the local platform starts.
    from jsonschema import validators  # type: ignore[import-untyped]

    return validators.validator_for(schema, default=validators.Draft202012Validator)


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a valid JSON Schema, or None when it is."""
    if not isinstance(schema, dict | bool):
        return f"a JSON Schema is an object (or true/false), not {type(schema).__name__}"
    from jsonschema import exceptions

    try:
        _validator_class(schema).check_schema(schema)
    except exceptions.SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        return f"{exc.message[:_MAX_MESSAGE]}" + (f" (at {where})" if where else "")
    return None


def _short(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


def field_problems(schema: Any, value: Any) -> list[FieldProblem]:
    """Each way ``value`` breaks ``schema``: (path to the field, why), first 20, in path order.

    A missing required property is reported at its own path (``["b"]``), not
    at the object that lacks it, so the message names the field to add.
    """
    cls = _validator_class(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    problems: list[FieldProblem] = []
    for error in validator.iter_errors(value):
        path: list[str | int] = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [
                name
                for name in error.validator_value
                if isinstance(name, str) and name not in error.instance
            ]
            for name in missing:
                problems.append(([*path, name], "is required"))
            continue
        problems.append((path, _short(error.message)))
    problems.sort(key=lambda problem: [str(part) for part in problem[0]])
    return problems[:_MAX_PROBLEMS]
