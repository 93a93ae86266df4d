"""Request bodies from the command line: ``--file PATH|-`` and ``--set key=value``.

``--set`` values are JSON when they parse as JSON (``--set limit=5``,
``--set tags='["a"]'``) and strings otherwise (``--set name=orders``);
dotted keys build nested objects (``--set spec.model=gpt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from .._errors import CLIClientError
from ._parser import UsageError

__all__ = ["apply_assignments", "parse_assignment", "parse_value"]


def parse_value(raw: str) -> Any:
    """JSON when ``raw`` is JSON, else the text itself."""
    try:
        return msgspec.json.decode(raw.encode())
    except msgspec.DecodeError:
        return raw


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """``a.b=value`` → (["a", "b"], value)."""
    key, sep, raw = text.partition("=")
    parts = key.split(".")
    if not sep or not all(parts):
        raise UsageError(
            f"--set expects key=value, got {text!r}",
            hint="e.g. --set name=orders --set spec.limit=5",
        )
    return parts, parse_value(raw)


def apply_assignments(body: Any, assignments: Sequence[str]) -> Any:
    """``body`` (a JSON object, or None) with each ``key=value`` set in a copy."""
    if not assignments:
        return body
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise CLIClientError(
            "--set needs the body to be a JSON object",
            hint="pass an object with --file, or leave --file out",
        )
    result = _copy(body)
    for text in assignments:
        parts, value = parse_assignment(text)
        target = result
        for part in parts[:-1]:
            child = target.get(part)
            if not isinstance(child, dict):
                child = {}
                target[part] = child
            target = child
        target[parts[-1]] = value
    return result


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
