"""The "Runs" panel of the local platform's web console (``flow local console``).

Shows the chosen workspace's workflow runs, newest first and paged, filtered by
workflow and by status; and one run in detail: its inputs, outputs and error, a
timeline of its steps and a table of them, with links to the workflow in the
Components panel. "Run again" starts a new run with the same inputs through the
function ``POST …/workflow/{id}/runs`` calls (the engine cannot cancel a run).
Imported inside the ``flow_sdk_local_console_panels`` hook only.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flow_sdk_local import HTTPError  # type: ignore[import-untyped, unused-ignore]
from flow_sdk_local.console import (  # type: ignore[import-untyped, unused-ignore]
    PAGE_SIZE,
    Markup,
    Span,
    View,
)

from ..models import ExecutionError, WorkflowRun
from . import routes
from .console import KIND

if TYPE_CHECKING:
    from flow_sdk_local.console import Console

__all__ = ["SHOWN_CHARS", "install"]

SLUG = "runs"
WORKFLOWS_LISTED = 200
"""The workflows the filter offers (the first created; a chosen one is always offered)."""
OPTION_CHARS = 28
"""How much of a workflow's name the filter's option shows (a select as wide as its
longest option would overflow a phone's screen)."""
SHOWN_CHARS = 4_000
"""How much of one value (inputs, outputs, error, printed output) a page shows: a run
record may hold megabytes of captured output."""


def install(console: Console) -> None:
    """Add the "Runs" panel to ``console``."""
    console.panel(SLUG, "Runs", _render, action=_action)


# reading runs


def _page_of_runs(view: View, workflow_id: str, status: str) -> tuple[list[WorkflowRun], str]:
    """One page of the workspace's runs, newest first (the ``seq`` index), and the next cursor."""
    sql = [f"SELECT seq, status, runner, data FROM {routes.RUNS_TABLE} WHERE scope = ?"]  # noqa: S608
    params: list[Any] = [view.scope()]
    if workflow_id:
        sql.append("AND workflow_id = ?")
        params.append(workflow_id)
    if status:
        sql.append("AND status = ?")
        params.append(status)
    cursor = view.arg("cursor")
    if cursor.isdigit():
        sql.append("AND seq < ?")
        params.append(int(cursor))
    sql.append("ORDER BY seq DESC LIMIT ?")
    params.append(PAGE_SIZE + 1)
    with view.store.transaction(write=False) as tx:
        rows = tx.execute(" ".join(sql), params).fetchall()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    runs = [routes.decode_run(view.request, row) for row in rows]
    return runs, str(rows[-1][0]) if more and rows else ""


def _find_run(view: View, run_id: str) -> WorkflowRun | None:
    """The run of this workspace with that id (an interrupted one is marked failed, as the
    HTTP route does), or None."""
    with view.store.transaction(write=False) as tx:
        row = tx.execute(
            f"SELECT seq, status, runner, data FROM {routes.RUNS_TABLE} "  # noqa: S608
            "WHERE scope = ? AND id = ?",
            (view.scope(), run_id),
        ).fetchone()
    return None if row is None else routes.decode_run(view.request, row)


def _workflow_names(view: View, workflow_ids: set[str]) -> dict[str, str]:
    scope = f"{view.scope()}/workflow"
    names = {}
    with view.store.transaction(write=False) as tx:
        for workflow_id in workflow_ids:
            doc = tx.get(KIND, scope, workflow_id)
            if doc is not None:
                names[workflow_id] = str(doc.data.get("name") or workflow_id)
    return names


# formatting


def _run_duration(run: WorkflowRun) -> str:
    if run.started_at is None:
        return run.status
    if run.finished_at is None:
        return "running"
    return View.duration((run.finished_at - run.started_at).total_seconds())


def _short(name: str) -> str:
    """A name cut to fit a phone-wide ``<select>``."""
    return name if len(name) <= OPTION_CHARS else name[: OPTION_CHARS - 1] + "…"


def _code(view: View, value: Any) -> Markup:
    """An escaped ``<pre>`` of a value, cut to :data:`SHOWN_CHARS`."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True)
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS] + f"\n[cut to {SHOWN_CHARS:,} characters here]"
    return Markup(view.code(text))


def _workflow_link(view: View, workflow_id: str, text: str) -> Markup:
    return view.link(view.url("components", type="workflow", id=workflow_id), text)


# the page


def _filters(view: View, workflow_id: str, status: str) -> str:
    with view.store.transaction(write=False) as tx:
        workflows = tx.list(KIND, f"{view.scope()}/workflow", limit=WORKFLOWS_LISTED)
    options: list[tuple[str, str]] = [("", "All workflows")]
    options += [(d.id, _short(str(d.data.get("name") or d.id))) for d in workflows]
    if workflow_id and all(d.id != workflow_id for d in workflows):
        options.append((workflow_id, workflow_id))
    statuses = [("", "Any status"), *((s, s) for s in routes.RUN_STATUSES)]
    fields = view.select("workflow", "Workflow", options, workflow_id)
    fields += view.select("status", "Status", statuses, status)
    return view.section(view.get_form("Filter runs", fields, "Filter", button_id="filter"))


def _listing(view: View, workflow_id: str, status: str) -> str:
    runs, cursor = _page_of_runs(view, workflow_id, status)
    names = _workflow_names(view, {run.workflow_id for run in runs})
    rows = [
        (
            view.link(view.here(run=run.id), run.id),
            view.status(run.status),
            _workflow_link(view, run.workflow_id, names.get(run.workflow_id, run.workflow_id)),
            View.when(run.started_at or run.created_at),
            _run_duration(run),
        )
        for run in runs
    ]
    table = view.table(
        "Runs",
        ("Run", "Status", "Workflow", "Started", "Duration"),
        rows,
        cursor,
        empty="No workflow runs match." if workflow_id or status else "No workflow runs yet.",
    )
    return view.section(table)


def _timeline(view: View, run: WorkflowRun) -> str:
    spans = []
    for step in run.steps:
        if step.started_at is None:
            continue  # pending or skipped: it never ran (the table lists it)
        end = step.finished_at or (run.finished_at if run.finished else None)
        spans.append(
            Span(
                step.id,
                step.started_at.timestamp(),
                end.timestamp() if end else None,
                step.status,
            )
        )
    return view.timeline("Steps timeline", spans)


def _steps_table(view: View, run: WorkflowRun) -> str:
    printed = [
        step.stdout + (f"\n[stderr]\n{step.stderr}" if step.stderr else "") for step in run.steps
    ]
    shows_printed = any(text.strip() for text in printed)  # a column only when one printed
    rows: list[Sequence[Any]] = []
    for step, text in zip(run.steps, printed, strict=True):
        ran = step.started_at is not None  # a pending or skipped step has no input yet
        row = [
            step.id,
            _component_link(view, step.component_type, step.component_id),
            view.status(step.status),
            View.duration(step.duration_ms / 1000) if step.duration_ms is not None else "",
            _code(view, step.inputs) if ran else "",
            _code(view, step.outputs) if ran else "",
            _code(view, _error_text(step.error)) if step.error else "",
        ]
        rows.append([*row, _code(view, text) if text.strip() else ""] if shows_printed else row)
    columns = ["Step", "Component", "Status", "Duration", "Input", "Output", "Error"]
    return view.table(
        "Steps",
        [*columns, "Printed"] if shows_printed else columns,
        rows,
        empty="This run has no steps.",
    )


def _error_text(error: ExecutionError) -> str:
    """An error's one-line summary, and its traceback when there is one."""
    summary = error.summary or f"{error.type}: {error.message}"
    return f"{summary}\n\n{error.traceback}" if error.traceback.strip() else summary


def _component_link(view: View, component_type: str, component_id: str) -> Markup:
    return view.link(
        view.url("components", type=component_type, id=component_id),
        f"{component_type} {component_id}",
    )


def _detail(view: View, run_id: str) -> str:
    run = _find_run(view, run_id)
    if run is None:
        return view.missing(f"No workflow run {run_id} in this workspace.")
    name = _workflow_names(view, {run.workflow_id}).get(run.workflow_id, run.workflow_id)
    facts = view.detail(
        f"Run {run.id}",
        [
            ("Status", view.status(run.status)),
            ("Workflow", _workflow_link(view, run.workflow_id, name)),
            ("Workflow version", run.workflow_version),
            ("Created", View.when(run.created_at)),
            ("Started", View.when(run.started_at)),
            ("Finished", View.when(run.finished_at)),
            ("Duration", _run_duration(run)),
            ("Error", run.error.summary if run.error else ""),
        ],
    )
    rerun = view.form("", "Run again", action="rerun", values={"run": run.id})
    back = f"<p>{view.link(view.here(run=''), 'All runs')}</p>"
    out = view.section(facts, back, rerun)
    out += view.section("<h2>Inputs</h2>", _code(view, run.inputs))
    out += view.section("<h2>Outputs</h2>", _code(view, run.outputs))
    if run.error:
        out += view.section("<h2>Error</h2>", _code(view, _error_text(run.error)))
    out += view.section(_timeline(view, run))
    return out + view.section(_steps_table(view, run))


def _render(view: View) -> str:
    if not view.scope():
        return view.needs_workspace("workflow runs")
    workflow_id = view.arg("workflow")
    status = view.arg("status")
    if status not in routes.RUN_STATUSES:
        status = ""
    out = _filters(view, workflow_id, status)
    run_id = view.arg("run")
    if run_id:
        out += _detail(view, run_id)
    return out + _listing(view, workflow_id, status)


# the action


def _action(view: View, form: dict[str, str]) -> str:
    """Run again: a new run of the same workflow with the same inputs, started by the
    function behind ``POST …/workflow/{id}/runs`` (so it validates the workflow first)."""
    if form.get("action") != "rerun":
        raise ValueError(f"Unknown action {form.get('action', '')!r}.")
    if not view.scope():
        raise ValueError("Choose an org and a workspace first.")
    run_id = form.get("run", "")
    run = _find_run(view, run_id)
    if run is None:
        raise ValueError(f"No workflow run {run_id!r} in this workspace.")
    request = dataclasses.replace(
        view.request,
        params={
            "org_id": view.org_id,
            "workspace_id": view.workspace_id,
            "id": run.workflow_id,
        },
        data=routes.RunRequest(inputs=run.inputs),
    )
    try:
        started = routes.start_run(view.console.app, request)
    except HTTPError as exc:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc)
        raise ValueError(f"The workflow cannot run again: {detail}") from None
    new_run: WorkflowRun = started.body
    return f"Started run {new_run.id} of workflow {run.workflow_id} with the same inputs."
