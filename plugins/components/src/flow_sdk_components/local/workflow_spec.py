"""A workflow's spec: reading its steps, checking them, resolving references.

Pure functions over plain data, so they are tested without a platform. The
spec format is documented in ``flow_sdk_components.workflows``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..models import ValidationIssue

__all__ = [
    "RUNNABLE_TYPES",
    "MissingReference",
    "Step",
    "check_workflow",
    "parse_steps",
    "references_in",
    "resolve",
]

#: Component types a workflow step can run.
RUNNABLE_TYPES: tuple[str, ...] = ("code_block", "tool", "transform", "validation")
MAX_STEPS = 100
_STEP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


@dataclass(frozen=True)
class Step:
    """One step as the spec states it."""

    id: str
    component_type: str
    component_id: str
    inputs: dict[str, Any] = field(default_factory=dict)


class MissingReference(Exception):
    """A reference names something the run does not have (yet)."""


@dataclass(frozen=True)
class Reference:
    """``$inputs[.path]`` or ``$steps.<step>.outputs[.path]``."""

    source: str  # "inputs" or "steps"
    step: str | None
    path: tuple[str, ...]
    text: str


def parse_reference(text: str) -> Reference | str | None:
    """A ``Reference``, None for a literal string, or why a ``$`` string is malformed."""
    if text == "$inputs" or text.startswith("$inputs."):
        path = tuple(text.split(".")[1:])
        if any(not part for part in path):
            return f"{text!r} has an empty name after a dot"
        return Reference("inputs", None, path, text)
    if text == "$steps" or text.startswith("$steps."):
        parts = text.split(".")
        if len(parts) < 3 or parts[2] != "outputs" or not parts[1]:
            return f"{text!r} must look like $steps.<step_id>.outputs[.<name>]"
        if any(not part for part in parts[3:]):
            return f"{text!r} has an empty name after a dot"
        return Reference("steps", parts[1], tuple(parts[3:]), text)
    return None


def references_in(value: Any) -> list[Reference | str]:
    """Every reference (or malformed one, as a message) inside a value, depth first."""
    if isinstance(value, str):
        found = parse_reference(value)
        return [] if found is None else [found]
    if isinstance(value, Mapping):
        return [ref for item in value.values() for ref in references_in(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in references_in(item)]
    return []


def _follow(value: Any, path: tuple[str, ...], where: str) -> Any:
    for index, part in enumerate(path):
        if not isinstance(value, Mapping) or part not in value:
            have = ", ".join(sorted(map(str, value))) if isinstance(value, Mapping) else None
            missing = ".".join(path[: index + 1])
            raise MissingReference(
                f"{where} has no {missing!r}" + (f" (it has: {have})" if have else "")
            )
        value = value[part]
    return value


def resolve(value: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> Any:
    """``value`` with every reference replaced by what it names, inside dicts and lists.

    ``outputs`` maps each finished step's id to its outputs. Raises
    ``MissingReference`` for a name that is not there.
    """
    if isinstance(value, str):
        ref = parse_reference(value)
        if ref is None:
            return value
        if isinstance(ref, str):
            raise MissingReference(ref)
        if ref.source == "inputs":
            return _follow(inputs, ref.path, "the run's inputs")
        if ref.step is None or ref.step not in outputs:
            raise MissingReference(f"{ref.text}: step {ref.step!r} has not run")
        return _follow(outputs[ref.step], ref.path, f"the outputs of step {ref.step!r}")
    if isinstance(value, Mapping):
        return {key: resolve(item, inputs, outputs) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, inputs, outputs) for item in value]
    return value


def parse_steps(spec: Any) -> tuple[list[Step], list[ValidationIssue]]:
    """The steps of a workflow spec, and what is wrong with their shape."""
    issues: list[ValidationIssue] = []
    raw_steps = spec.get("steps") if isinstance(spec, Mapping) else None
    if not isinstance(raw_steps, list) or not raw_steps:
        issues.append(
            ValidationIssue(
                field="spec.steps",
                message="the workflow needs spec.steps, a list of at least one step "
                "{id, component: {type, id}, inputs}",
            )
        )
        return [], issues
    if len(raw_steps) > MAX_STEPS:
        issues.append(
            ValidationIssue(field="spec.steps", message=f"at most {MAX_STEPS} steps are allowed")
        )
    steps: list[Step] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_steps[:MAX_STEPS]):
        where = f"spec.steps[{index}]"
        if not isinstance(raw, Mapping):
            issues.append(ValidationIssue(field=where, message="a step must be an object"))
            continue
        step_id = raw.get("id")
        if not isinstance(step_id, str) or not _STEP_ID.match(step_id):
            issues.append(
                ValidationIssue(
                    field=f"{where}.id",
                    message="a step needs an id of 1-64 letters, digits, '_' or '-'",
                )
            )
            continue
        if step_id in seen:
            issues.append(
                ValidationIssue(
                    step=step_id, field=f"{where}.id", message=f"step id {step_id!r} is repeated"
                )
            )
            continue
        seen.add(step_id)
        component = raw.get("component")
        ctype = component.get("type") if isinstance(component, Mapping) else None
        cid = component.get("id") if isinstance(component, Mapping) else None
        if not isinstance(ctype, str) or not ctype or not isinstance(cid, str) or not cid:
            issues.append(
                ValidationIssue(
                    step=step_id,
                    field=f"{where}.component",
                    message="a step needs component: {type, id}, e.g. "
                    '{"type": "code_block", "id": "cmp_..."}',
                )
            )
            continue
        inputs = raw.get("inputs", {})
        if not isinstance(inputs, Mapping):
            issues.append(
                ValidationIssue(
                    step=step_id,
                    field=f"{where}.inputs",
                    message="inputs must be an object of name: value or reference",
                )
            )
            continue
        steps.append(Step(step_id, ctype, cid, dict(inputs)))
    return steps, issues


def _reference_issues(
    value: Any, earlier: set[str], known: set[str], step: str | None, where: str
) -> list[ValidationIssue]:
    issues = []
    for ref in references_in(value):
        if isinstance(ref, str):
            issues.append(ValidationIssue(step=step, field=where, message=ref))
        elif ref.source == "steps" and ref.step not in earlier:
            reason = (
                "a later step (steps run in order)" if ref.step in known else "no step by that id"
            )
            issues.append(
                ValidationIssue(step=step, field=where, message=f"{ref.text} refers to {reason}")
            )
    return issues


def check_workflow(
    spec: Any, component_problem: Callable[[str, str], str | None]
) -> tuple[list[Step], list[ValidationIssue]]:
    """The steps and every issue that would stop the workflow from running.

    ``component_problem(type, id)`` says why a step's component cannot run
    (missing, not runnable, broken spec), or None when it can.
    """
    steps, issues = parse_steps(spec)
    known = {step.id for step in steps}
    earlier: set[str] = set()
    for step in steps:
        if step.component_type not in RUNNABLE_TYPES:
            issues.append(
                ValidationIssue(
                    step=step.id,
                    field="component.type",
                    message=f"a {step.component_type!r} cannot run as a workflow step; "
                    f"runnable types: {', '.join(RUNNABLE_TYPES)}",
                )
            )
        else:
            problem = component_problem(step.component_type, step.component_id)
            if problem:
                issues.append(ValidationIssue(step=step.id, field="component", message=problem))
        issues += _reference_issues(step.inputs, earlier, known, step.id, "inputs")
        earlier.add(step.id)
    outputs = spec.get("outputs") if isinstance(spec, Mapping) else None
    if outputs is not None:
        if isinstance(outputs, Mapping):
            issues += _reference_issues(outputs, earlier, known, None, "spec.outputs")
        else:
            issues.append(
                ValidationIssue(field="spec.outputs", message="outputs must be an object")
            )
    return steps, issues
