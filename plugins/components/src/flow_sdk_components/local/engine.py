"""Running a workflow's steps in order and recording each one.

``execute_run`` is independent of storage and threads: it takes the run
record, a component lookup and a ``save`` callback that persists the record
after every change, which is what lets a poller watch the run progress.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..models import ExecutionError, StepResult, WorkflowRun
from .execute import ComponentLookup, run_component
from .workflow_spec import MissingReference, Step, resolve

__all__ = ["execute_run", "fail_run", "make_error", "new_run"]

logger = logging.getLogger("flow_sdk")
#: Captured output kept per step in a run record (the rest is cut with a marker).
STEP_OUTPUT_CAP = 64_000


def _now(clock: Callable[[], float]) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def new_run(
    run_id: str,
    workflow_id: str,
    workflow_version: int,
    steps: list[Step],
    inputs: Mapping[str, Any],
    *,
    clock: Callable[[], float] = time.time,
) -> WorkflowRun:
    """A queued run with every step pending."""
    return WorkflowRun(
        id=run_id,
        workflow_id=workflow_id,
        workflow_version=workflow_version,
        status="queued",
        inputs=dict(inputs),
        steps=[
            StepResult(
                id=step.id, component_type=step.component_type, component_id=step.component_id
            )
            for step in steps
        ],
        created_at=_now(clock),
    )


def make_error(kind: str, message: str) -> ExecutionError:
    """A run's or a step's error record: its kind, message and one-line summary."""
    return ExecutionError(type=kind, message=message, summary=f"{kind}: {message}")


def _cap(text: str) -> str:
    if len(text) <= STEP_OUTPUT_CAP:
        return text
    return text[:STEP_OUTPUT_CAP] + f"\n[cut to {STEP_OUTPUT_CAP:,} characters in the run record]\n"


def fail_run(run: WorkflowRun, error: ExecutionError, clock: Callable[[], float]) -> None:
    """Mark ``run`` failed with ``error``, finished now."""
    run.status = "failed"
    run.error = error
    run.finished_at = _now(clock)
    for step in run.steps:
        if step.status in ("pending", "running"):
            step.status = "skipped"


def _run_step(
    run: WorkflowRun,
    record: StepResult,
    step: Step,
    outputs: dict[str, Any],
    lookup: ComponentLookup,
    clock: Callable[[], float],
) -> bool:
    """Run one step into ``record``; True when it succeeded."""
    started = time.monotonic()
    try:
        inputs = resolve(step.inputs, run.inputs, outputs)
    except MissingReference as exc:
        record.error = make_error("MissingInput", f"step {step.id!r}: {exc}")
        record.status = "failed"
    else:
        record.inputs = inputs
        component = lookup(step.component_type, step.component_id)
        if component is None:
            record.error = make_error(
                "NotRunnable",
                f"{step.component_type} {step.component_id} no longer exists in this workspace",
            )
            record.status = "failed"
        else:
            result = run_component(step.component_type, component, inputs, lookup=lookup)
            record.outputs = result.outputs
            record.stdout = _cap(result.stdout)
            record.stderr = _cap(result.stderr)
            record.error = result.error
            record.status = "succeeded" if result.ok else "failed"
    record.finished_at = _now(clock)
    record.duration_ms = round((time.monotonic() - started) * 1000, 3)
    return record.status == "succeeded"


def execute_run(
    run: WorkflowRun,
    steps: list[Step],
    outputs_spec: Mapping[str, Any] | None,
    *,
    lookup: ComponentLookup,
    save: Callable[[WorkflowRun], None],
    clock: Callable[[], float] = time.time,
) -> WorkflowRun:
    """Run every step in order, saving the record after each change; the finished run.

    The first step that fails fails the run (``run.error`` names it) and the
    steps after it are ``skipped``. Never raises for what a step does; an
    unexpected error inside the engine fails the run with ``InternalError``.
    """
    try:
        run.status = "running"
        run.started_at = _now(clock)
        save(run)
        outputs: dict[str, Any] = {}
        for record, step in zip(run.steps, steps, strict=True):
            record.status = "running"
            record.started_at = _now(clock)
            save(run)
            if not _run_step(run, record, step, outputs, lookup, clock):
                summary = record.error.summary if record.error else "it failed"
                fail_run(
                    run, make_error("StepFailed", f"step {step.id!r} failed: {summary}"), clock
                )
                save(run)
                return run
            outputs[step.id] = record.outputs
        try:
            run.outputs = (
                resolve(dict(outputs_spec), run.inputs, outputs)
                if outputs_spec is not None
                else dict(run.steps[-1].outputs if run.steps else {})
            )
        except MissingReference as exc:
            fail_run(run, make_error("MissingOutput", f"spec.outputs: {exc}"), clock)
            save(run)
            return run
        run.status = "succeeded"
        run.finished_at = _now(clock)
        save(run)
    except Exception as exc:
        logger.exception("workflow run %s failed inside the engine", run.id)
        fail_run(run, make_error("InternalError", f"the local platform failed: {exc!r}"), clock)
        save(run)
    return run
