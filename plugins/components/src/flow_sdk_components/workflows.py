"""``client.workflows``: workflow components, plus validating and running them.

A workflow's ``spec``::

    {
      "steps": [
        {"id": "load", "component": {"type": "code_block", "id": "cmp_..."},
         "inputs": {"n": "$inputs.n", "scale": 2}},
        {"id": "sum", "component": {"type": "code_block", "id": "cmp_..."},
         "inputs": {"values": "$steps.load.outputs.values"}}
      ],
      "outputs": {"total": "$steps.sum.outputs.total"}
    }

An input value is a literal, ``"$inputs.<name>"`` (the run's inputs) or
``"$steps.<step_id>.outputs.<name>"`` (an earlier step's output; deeper
``.key`` parts go into nested dicts). Steps run in order; the first that
fails fails the run and the rest are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from flow_sdk.plugin import (
    Backoff,
    ComponentTypeNamespace,
    Listing,
    ModeT,
    Page,
    Steps,
    cursor_pages,
    endpoint,
    paginated,
    path_segment,
    poll,
    send,
)

from .models import WorkflowRun, WorkflowValidation

__all__ = ["DEFAULT_WAIT_TIMEOUT_S", "WorkflowsNamespace"]

DEFAULT_WAIT_TIMEOUT_S = 300.0
_MAX_PAGE_SIZE = 500


class WorkflowsNamespace(ComponentTypeNamespace[ModeT]):
    """Workflows: ordered steps that run other components and pass outputs on."""

    component_type: ClassVar[str] = "workflow"
    #: How ``wait_for_run`` waits between polls. The client sleeps (``sleep=`` on
    #: ``CLIClient``/``AsyncCLIClient`` replaces that sleep, e.g. in tests).
    backoff: ClassVar[Backoff] = Backoff(initial_s=0.05, factor=1.5, max_s=1.0)

    def _run_url(self, workflow_id: str, *more: str) -> str:
        return self._item(workflow_id, "runs", *more)

    @endpoint
    def validate(self, workflow_id: str) -> Steps[WorkflowValidation]:
        """Check that the workflow can run: every step references a component that
        exists and can run, and every ``$steps`` reference names an earlier step.

        Returns ``valid`` and the ``issues`` found; raises only when the
        workflow itself does not exist (``CLINotFoundError``).
        """
        return (
            yield from send("POST", self._item(workflow_id, "validate"), type=WorkflowValidation)
        )

    @endpoint
    def run(
        self,
        workflow_id: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        wait: bool = False,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Callable[[WorkflowRun], object] | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[WorkflowRun]:
        """Start a run of the workflow with ``inputs``; the platform runs it in the background.

        Returns the queued run at once, or with ``wait=True`` the finished run
        (``succeeded`` or ``failed``: a failed run is returned, not raised;
        see ``run.error`` and ``run.failed_step``). Waiting longer than
        ``timeout_s`` raises ``CLITimeoutError``; ``on_progress`` sees each
        change while waiting. A workflow that does not validate is a
        ``CLIValidationError`` (422) listing the issues.
        """
        run = yield from send(
            "POST",
            self._run_url(workflow_id),
            json={"inputs": dict(inputs or {})},
            idempotency_key=idempotency_key,
            type=WorkflowRun,
        )
        if not wait:
            return run
        return (yield from self._wait(workflow_id, run.id, timeout_s, on_progress, first=run))

    @endpoint
    def get_run(self, workflow_id: str, run_id: str) -> Steps[WorkflowRun]:
        """One run of the workflow, with each step's status, outputs and error."""
        url = self._run_url(workflow_id, path_segment(run_id, "run_id"))
        return (yield from send("GET", url, type=WorkflowRun))

    @paginated
    def list_runs(
        self,
        workflow_id: str,
        *,
        status: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Listing[WorkflowRun]:
        """The workflow's runs, newest first, fetched lazily page by page.

        ``status`` keeps only runs in that status (``queued``, ``running``,
        ``succeeded``, ``failed``).
        """
        return cursor_pages(
            self._run_url(workflow_id),
            Page[WorkflowRun],
            params={"status": status},
            page_size=page_size,
            limit=limit,
            max_page_size=_MAX_PAGE_SIZE,
        )

    @endpoint
    def wait_for_run(
        self,
        workflow_id: str,
        run_id: str,
        *,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Callable[[WorkflowRun], object] | None = None,
    ) -> Steps[WorkflowRun]:
        """Poll the run (with backoff, up to 1 s apart) until it succeeds or fails.

        Returns the finished run; raises ``CLITimeoutError`` after
        ``timeout_s`` seconds (the run goes on on the platform).
        ``on_progress(run)`` is called with the first state and each change.
        """
        return (yield from self._wait(workflow_id, run_id, timeout_s, on_progress))

    def _wait(
        self,
        workflow_id: str,
        run_id: str,
        timeout_s: float,
        on_progress: Callable[[WorkflowRun], object] | None,
        first: WorkflowRun | None = None,
    ) -> Steps[WorkflowRun]:
        """Poll the run; ``first``, the run just started, counts as the first poll."""
        pending = [first] if first is not None else []

        def fetch() -> Steps[WorkflowRun]:
            if pending:
                return pending.pop()
            return (yield from type(self).get_run.steps(self, workflow_id, run_id))

        return (
            yield from poll(
                fetch,
                lambda run: run.finished,
                timeout_s=timeout_s,
                what=f"run {run_id} of workflow {workflow_id}",
                describe=WorkflowRun.progress_line,
                on_progress=on_progress,
                backoff=self.backoff,
                hint=f"pass a larger timeout_s=..., or follow it with `flow workflows wait "
                f"{workflow_id} {run_id}`; the run goes on on the platform",
            )
        )
