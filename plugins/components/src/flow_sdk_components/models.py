"""Typed records for what the component routes return beyond a ``Component``.

msgspec Structs built on ``flow_sdk.Model``: unknown fields are ignored, so a
newer platform does not break this SDK. The same types describe the local
platform's responses, so the SDK and the routes cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flow_sdk import Model

__all__ = [
    "ExecutionError",
    "ExecutionResult",
    "RunStatus",
    "StepResult",
    "StepStatus",
    "ToolTestResult",
    "ValidationIssue",
    "WorkflowRun",
    "WorkflowValidation",
]

ExecutionStatus = Literal["succeeded", "failed", "timed_out"]
RunStatus = Literal["queued", "running", "succeeded", "failed"]
StepStatus = Literal["pending", "running", "succeeded", "failed", "skipped"]

#: Run statuses after which nothing changes any more.
FINISHED_RUN_STATUSES: frozenset[str] = frozenset({"succeeded", "failed"})


class ExecutionError(Model):
    """Why code did not finish: its exception, a timeout, a limit or a crash.

    ``type`` is the exception class name, or one of ``Timeout``,
    ``OutputTooLarge``, ``Crashed`` and ``InvalidOutput`` for what the
    runner itself stopped; ``summary`` is one line (the traceback's last).
    """

    type: str
    message: str = ""
    summary: str = ""
    traceback: str = ""


class ExecutionResult(Model):
    """What running a code block once gave: outputs, captured output and timing.

    ``status`` is ``succeeded``, ``failed`` (the code raised, or a limit was
    hit) or ``timed_out``; ``error`` says why when it is not ``succeeded``.
    ``stdout`` and ``stderr`` end with a marker line when they were cut.
    """

    status: ExecutionStatus
    outputs: dict[str, Any] = {}
    stdout: str = ""
    stderr: str = ""
    duration_ms: float = 0.0
    error: ExecutionError | None = None
    stdout_truncated: bool = False
    stderr_truncated: bool = False

    @property
    def ok(self) -> bool:
        """True when the code ran to the end and returned outputs."""
        return self.status == "succeeded"


class ToolTestResult(ExecutionResult):
    """The result of running a tool once (``tools.test``); ``outputs`` is its output."""


class ValidationIssue(Model):
    """One thing wrong with a workflow: the step (if any), the field and why."""

    message: str
    step: str | None = None
    field: str | None = None


class WorkflowValidation(Model):
    """``workflows.validate``: whether the workflow can run, and what is wrong if not."""

    valid: bool
    issues: list[ValidationIssue] = []


class StepResult(Model):
    """One step of a workflow run: its component, status, inputs, outputs and error."""

    id: str
    component_type: str
    component_id: str
    status: StepStatus = "pending"
    inputs: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    stdout: str = ""
    stderr: str = ""
    error: ExecutionError | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: float | None = None


class WorkflowRun(Model):
    """A run of a workflow: ``queued`` → ``running`` → ``succeeded`` | ``failed``.

    ``outputs`` are the workflow's ``spec.outputs`` resolved at the end, or
    the last step's outputs when the spec names none.
    """

    id: str
    workflow_id: str
    workflow_version: int
    status: RunStatus
    inputs: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    steps: list[StepResult] = []
    error: ExecutionError | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        """True once the run succeeded or failed (its record no longer changes)."""
        return self.status in FINISHED_RUN_STATUSES

    @property
    def failed_step(self) -> StepResult | None:
        """The step that failed the run, if one did."""
        return next((step for step in self.steps if step.status == "failed"), None)

    def progress_line(self) -> str:
        """One line for a terminal: status and how many steps are done."""
        done = sum(1 for step in self.steps if step.status in ("succeeded", "failed", "skipped"))
        running = next((step.id for step in self.steps if step.status == "running"), None)
        line = f"run {self.id}: {self.status}, {done}/{len(self.steps)} steps done"
        if running:
            line += f", running {running}"
        return line
