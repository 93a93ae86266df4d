"""Running one component once: a code block, tool, transform or validation.

What each type's ``spec`` holds to be runnable:

- ``code_block`` and ``transform``: ``code`` (Python, see ``runner``), and
  optionally ``timeout_s`` and ``memory_mb``;
- ``tool``: ``input_schema`` (JSON Schema of the input; any object when
  absent) and either ``code`` or ``code_block_id`` (a code block in the same
  workspace), plus the optional limits;
- ``validation``: ``schema`` (JSON Schema); the step's inputs must match it
  and pass through unchanged as its outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .. import runner
from ..models import ExecutionError, ExecutionResult
from .schema_check import field_problems, schema_problem

__all__ = [
    "ComponentLookup",
    "component_problem",
    "format_problems",
    "limits_of",
    "run_component",
    "tool_code",
]

#: ``(type, id)`` → the component (its public record, with ``spec``) or None.
ComponentLookup = Callable[[str, str], Mapping[str, Any] | None]


def _spec(component: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = component.get("spec")
    return spec if isinstance(spec, Mapping) else {}


def limits_of(spec: Mapping[str, Any], timeout_s: float | None = None) -> tuple[float, int]:
    """(timeout_s, memory_mb) for a run: the override, else the spec's, else the defaults.

    Raises ``ValueError`` naming the field when a limit is out of range.
    """
    timeout = (
        timeout_s if timeout_s is not None else spec.get("timeout_s", runner.DEFAULT_TIMEOUT_S)
    )
    memory = spec.get("memory_mb", runner.DEFAULT_MEMORY_MB)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ValueError("timeout_s must be a number of seconds")
    if not 0 < timeout <= runner.MAX_TIMEOUT_S:
        raise ValueError(f"timeout_s must be more than 0 and at most {runner.MAX_TIMEOUT_S:g}")
    if isinstance(memory, bool) or not isinstance(memory, int):
        raise ValueError("spec.memory_mb must be a whole number of megabytes")
    if not runner.MIN_MEMORY_MB <= memory <= runner.MAX_MEMORY_MB:
        raise ValueError(
            f"spec.memory_mb must be between {runner.MIN_MEMORY_MB} and {runner.MAX_MEMORY_MB}"
        )
    return float(timeout), memory


def format_problems(problems: list[tuple[list[str | int], str]], root: str) -> str:
    """``root.a.b: why; root.c: why`` for a sentence."""
    return "; ".join(
        ".".join([root, *(str(part) for part in path)]) + f": {message}"
        for path, message in problems
    )


def _code_problem(spec: Mapping[str, Any], what: str) -> str | None:
    code = spec.get("code")
    if not isinstance(code, str) or not code.strip():
        return f"the {what} has no spec.code (Python source defining main(**inputs))"
    try:
        limits_of(spec)
    except ValueError as exc:
        return f"the {what}'s {exc}"
    return None


def tool_code(
    component: Mapping[str, Any], lookup: ComponentLookup
) -> tuple[str, Mapping[str, Any]] | str:
    """(code, spec holding the limits) that a tool runs, or why it has none."""
    spec = _spec(component)
    if "code" in spec:
        problem = _code_problem(spec, "tool")
        return problem if problem else (spec["code"], spec)
    block_id = spec.get("code_block_id")
    if not isinstance(block_id, str) or not block_id:
        return "the tool needs spec.code (Python) or spec.code_block_id (a code block's id)"
    block = lookup("code_block", block_id)
    if block is None:
        return f"the tool's spec.code_block_id names code block {block_id!r}, which does not exist"
    block_spec = _spec(block)
    problem = _code_problem(block_spec, f"code block {block_id}")
    return problem if problem else (block_spec["code"], block_spec)


def component_problem(
    component_type: str, component: Mapping[str, Any] | None, lookup: ComponentLookup
) -> str | None:
    """Why the component cannot run, or None when it can."""
    if component is None:
        return f"there is no {component_type} by that id in this workspace"
    spec = _spec(component)
    if component_type in ("code_block", "transform"):
        return _code_problem(spec, component_type.replace("_", " "))
    if component_type == "tool":
        schema = spec.get("input_schema", {})
        problem = schema_problem(schema)
        if problem:
            return f"the tool's spec.input_schema is not a valid JSON Schema: {problem}"
        code = tool_code(component, lookup)
        return code if isinstance(code, str) else None
    if component_type == "validation":
        if "schema" not in spec:
            return "the validation has no spec.schema (the JSON Schema its input must match)"
        problem = schema_problem(spec["schema"])
        return (
            f"the validation's spec.schema is not a valid JSON Schema: {problem}"
            if problem
            else None
        )
    return f"a {component_type!r} cannot be run"


def _failed(kind: str, message: str) -> ExecutionResult:
    return ExecutionResult(
        status="failed",
        error=ExecutionError(type=kind, message=message, summary=f"{kind}: {message}"),
    )


def run_component(
    component_type: str,
    component: Mapping[str, Any],
    inputs: Mapping[str, Any],
    *,
    lookup: ComponentLookup,
    timeout_s: float | None = None,
) -> ExecutionResult:
    """Run the component once with ``inputs``; never raises for what the component does."""
    problem = component_problem(component_type, component, lookup)
    if problem:
        return _failed("NotRunnable", problem)
    spec = _spec(component)
    if component_type == "validation":
        problems = field_problems(spec["schema"], dict(inputs))
        if problems:
            return _failed("ValidationFailed", format_problems(problems, "inputs"))
        return ExecutionResult(status="succeeded", outputs=dict(inputs))
    if component_type == "tool":
        problems = field_problems(spec.get("input_schema", {}), dict(inputs))
        if problems:
            return _failed("InvalidInput", format_problems(problems, "input"))
        code_and_spec = tool_code(component, lookup)
        assert not isinstance(code_and_spec, str)
        code, limits_spec = code_and_spec
    else:
        code, limits_spec = spec["code"], spec
    try:
        timeout, memory = limits_of(limits_spec, timeout_s)
    except ValueError as exc:
        return _failed("NotRunnable", str(exc))
    return runner.run_code(code, inputs, timeout_s=timeout, memory_mb=memory)
