"""The special component routes on the local platform.

::

    POST <tenant>/components/tool/{id}/test               {input, timeout_s?}   → ToolTestResult
    POST <tenant>/components/code_block/{id}/execute      {inputs, timeout_s?}  → ExecutionResult
    POST <tenant>/components/workflow/{id}/validate                             → WorkflowValidation
    POST <tenant>/components/workflow/{id}/runs           {inputs}              → 201 WorkflowRun
    GET  <tenant>/components/workflow/{id}/runs           ?status= ?limit= ?cursor=  newest first
    GET  <tenant>/components/workflow/{id}/runs/{run_id}                        → WorkflowRun

The generic ``<tenant>/components/{type}`` routes belong to flow-sdk-local;
these look components up through its component resource, so a component of
another tenant is simply not found (404). Code runs outside any database
transaction (``transaction=False``), so a long run never blocks the platform.
Workflow runs execute in the platform's background threads and live in this
plugin's own table, ``components_workflow_runs``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

import msgspec
from flow_sdk_local import (  # type: ignore[import-untyped, unused-ignore]
    PAGE_QUERY,
    TENANT,
    App,
    FieldError,
    HTTPError,
    Page,
    QueryParam,
    Request,
    Response,
    not_found,
    page_of,
    page_params,
)

from .. import runner
from ..models import ExecutionResult, ToolTestResult, WorkflowRun, WorkflowValidation
from . import execute
from .engine import execute_run, fail_run, make_error, new_run
from .schema_check import field_problems, schema_problem
from .workflow_spec import check_workflow

__all__ = [
    "RUN_STATUSES",
    "ExecuteRequest",
    "RunRequest",
    "ToolTestRequest",
    "decode_run",
    "install",
    "start_run",
]

logger = logging.getLogger("flow_sdk")

RUNS_TABLE = "components_workflow_runs"
_MIGRATION = f"""
CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    runner TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS {RUNS_TABLE}_by_workflow ON {RUNS_TABLE} (scope, workflow_id, seq);
"""
RUN_STATUSES = ("queued", "running", "succeeded", "failed")
STATUS_QUERY = QueryParam(
    "status",
    Literal["queued", "running", "succeeded", "failed"],
    "only runs in this status",
    error=f"must be one of {', '.join(RUN_STATUSES)}",
)

#: This process, as recorded on the runs it executes (pid and a token per process start).
_RUNNER = f"{os.getpid()}:{secrets.token_hex(4)}"
_active_runs: set[str] = set()
_active_lock = threading.Lock()


Timeout = Annotated[
    float,
    msgspec.Meta(
        description="seconds; overrides the component's limit",
        extra_json_schema={"exclusiveMinimum": 0, "maximum": runner.MAX_TIMEOUT_S},
    ),
]
"""The routes check the range (``execute.limits_of``) and name the field."""


class ToolTestRequest(msgspec.Struct, kw_only=True):
    """Run a tool once: ``input`` must match the tool's ``spec.input_schema``."""

    input: Annotated[Any, msgspec.Meta(extra_json_schema={"type": "object"})] = {}
    timeout_s: Timeout | None = None


class ExecuteRequest(msgspec.Struct, kw_only=True):
    """Run a code block once with ``inputs``; ``timeout_s`` overrides the block's limit."""

    inputs: dict[str, Any] = {}
    timeout_s: Timeout | None = None


class RunRequest(msgspec.Struct, kw_only=True):
    """Start a workflow run with ``inputs`` (``$inputs.<name>`` in the steps)."""

    inputs: dict[str, Any] = {}


def _invalid(loc: list[str | int], message: str) -> HTTPError:
    return HTTPError(422, [FieldError(loc, message)], "validation_error")


# looking components up


def _lookup_for(app: App, request: Request) -> execute.ComponentLookup:
    """Components of the request's workspace by (type, id), through flow-sdk-local's resource."""
    resource = app.resources["component"]

    def lookup(component_type: str, component_id: str) -> Mapping[str, Any] | None:
        scoped = dataclasses.replace(
            request, params={**request.params, "component_type": component_type}
        )
        with request.store.transaction(write=False) as tx:
            doc = tx.get(resource.kind, resource.scope_key(scoped), component_id)
        return None if doc is None else doc.public()

    return lookup


def _load(app: App, request: Request, component_type: str) -> Mapping[str, Any]:
    found = _lookup_for(app, request)(component_type, request.params["id"])
    if found is None:
        raise not_found(f"{component_type.replace('_', ' ')} {request.params['id']!r}")
    return found


def _limits(spec: Mapping[str, Any], timeout_s: float | None) -> tuple[float, int]:
    try:
        return execute.limits_of(spec, timeout_s)
    except ValueError as exc:
        if timeout_s is not None and "timeout_s" in str(exc):
            raise _invalid(["body", "timeout_s"], str(exc).removeprefix("timeout_s ")) from None
        raise HTTPError(422, f"the component's {exc}", "not_runnable") from None


# tools and code blocks


def _tool_test(app: App, request: Request) -> ToolTestResult:
    """Run a tool once; its input is checked against the tool's input_schema first."""
    body: ToolTestRequest = request.data
    tool = _load(app, request, "tool")
    spec = tool.get("spec") or {}
    schema = spec.get("input_schema", {})
    problem = schema_problem(schema)
    if problem:
        raise HTTPError(
            422,
            f"the tool's spec.input_schema is not a valid JSON Schema: {problem}; "
            f"fix it with `flow tools update {tool['id']}`",
            "invalid_input_schema",
        )
    if not isinstance(body.input, dict):
        raise _invalid(["body", "input"], "a tool's input must be a JSON object")
    problems = field_problems(schema, body.input)
    if problems:
        raise HTTPError(
            422,
            [FieldError(["body", "input", *path], message) for path, message in problems],
            "validation_error",
        )
    code = execute.tool_code(tool, _lookup_for(app, request))
    if isinstance(code, str):
        raise HTTPError(422, code, "not_runnable")
    source, limits_spec = code
    timeout, memory = _limits(limits_spec, body.timeout_s)
    result = runner.run_code(source, body.input, timeout_s=timeout, memory_mb=memory)
    return ToolTestResult(**msgspec.structs.asdict(result))


def _code_block_execute(app: App, request: Request) -> ExecutionResult:
    """Run a code block once, in a separate process with a time and a memory limit."""
    body: ExecuteRequest = request.data
    block = _load(app, request, "code_block")
    spec = block.get("spec") or {}
    problem = execute.component_problem("code_block", block, _lookup_for(app, request))
    if problem and not ("timeout_s" in problem and body.timeout_s is not None):
        raise HTTPError(
            422, f"{problem}; set it with `flow code-blocks update {block['id']}`", "not_runnable"
        )
    timeout, memory = _limits(spec, body.timeout_s)
    return runner.run_code(spec["code"], body.inputs, timeout_s=timeout, memory_mb=memory)


# workflows


def _check(app: App, request: Request) -> tuple[Mapping[str, Any], Any, list[Any]]:
    workflow = _load(app, request, "workflow")
    lookup = _lookup_for(app, request)

    def problem(component_type: str, component_id: str) -> str | None:
        return execute.component_problem(
            component_type, lookup(component_type, component_id), lookup
        )

    steps, issues = check_workflow(workflow.get("spec") or {}, problem)
    return workflow, steps, issues


def _validate(app: App, request: Request) -> WorkflowValidation:
    """Check that every step references a component that exists and can run."""
    _, _, issues = _check(app, request)
    return WorkflowValidation(valid=not issues, issues=issues)


def _save_run(request: Request, run: WorkflowRun) -> None:
    with request.store.transaction() as tx:
        tx.execute(
            f"UPDATE {RUNS_TABLE} SET status = ?, data = ?, updated_at = ? WHERE id = ?",  # noqa: S608
            (run.status, msgspec.json.encode(run).decode(), tx.now(), run.id),
        )


def _run_in_background(
    run: WorkflowRun,
    steps: Any,
    outputs: Any,
    lookup: execute.ComponentLookup,
    save: Any,
    clock: Callable[[], float],
) -> None:
    try:
        execute_run(run, steps, outputs, lookup=lookup, save=save, clock=clock)
    except Exception as exc:  # the store went away (platform reset or closed)
        logger.debug("workflow run %s stopped: %r", run.id, exc)
    finally:
        with _active_lock:
            _active_runs.discard(run.id)


def start_run(app: App, request: Request) -> Response:
    """Start a run; the steps run in order in the background (poll the run to follow it)."""
    body: RunRequest = request.data
    workflow, steps, issues = _check(app, request)
    if issues:
        listed = "; ".join(
            (f"step {issue.step!r}: " if issue.step else "") + issue.message for issue in issues
        )
        raise HTTPError(
            422,
            f"the workflow cannot run: {listed} (`flow workflows validate {workflow['id']}` "
            "lists every issue)",
            "workflow_invalid",
        )
    run = new_run(
        f"run_{secrets.token_hex(8)}",
        workflow["id"],
        int(workflow["version"]),
        steps,
        body.inputs,
        clock=app.now,
    )
    scope = f"{request.org_id}/{request.workspace_id}"
    with request.store.transaction() as tx:
        tx.execute(
            f"INSERT INTO {RUNS_TABLE} (scope, workflow_id, id, status, runner, data, updated_at) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (scope, run.workflow_id, run.id, run.status, _RUNNER, _encode(run), tx.now()),
        )
    with _active_lock:
        _active_runs.add(run.id)
    queued = msgspec.json.decode(_encode(run), type=WorkflowRun)
    outputs = (workflow.get("spec") or {}).get("outputs")
    app.background(
        _run_in_background,
        run,
        steps,
        outputs,
        _lookup_for(app, request),
        lambda changed: _save_run(request, changed),
        app.now,
        name=f"workflow-run-{run.id}",
    )
    return Response(201, queued)


def _encode(run: WorkflowRun) -> str:
    return msgspec.json.encode(run).decode()


def _orphaned(runner: str, run_id: str) -> bool:
    """True when the process recorded as running this run no longer does."""
    if runner == _RUNNER:
        with _active_lock:
            return run_id not in _active_runs
    pid = runner.partition(":")[0]
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return True
    except PermissionError:
        return False
    return False


def decode_run(request: Request, row: tuple[Any, ...]) -> WorkflowRun:
    """A stored run; one whose runner process is gone is marked failed (and saved so)."""
    _seq, status, runner, data = row
    run = msgspec.json.decode(data, type=WorkflowRun)
    if status in ("queued", "running") and _orphaned(runner, run.id):
        fail_run(
            run,
            make_error("Interrupted", "the local platform stopped while the run was in progress"),
            request.platform.clock.now,
        )
        _save_run(request, run)
    return run


def _workflow_scope(app: App, request: Request) -> str:
    _load(app, request, "workflow")
    return f"{request.org_id}/{request.workspace_id}"


def _get_run(app: App, request: Request) -> WorkflowRun:
    """One run, with each step's status, inputs, outputs and error."""
    scope = _workflow_scope(app, request)
    with request.store.transaction(write=False) as tx:
        row = tx.execute(
            f"SELECT seq, status, runner, data FROM {RUNS_TABLE} "  # noqa: S608
            "WHERE scope = ? AND workflow_id = ? AND id = ?",
            (scope, request.params["id"], request.params["run_id"]),
        ).fetchone()
    if row is None:
        raise not_found(f"run {request.params['run_id']!r} of workflow {request.params['id']!r}")
    return decode_run(request, row)


def _list_runs(app: App, request: Request) -> Any:
    """The workflow's runs, newest first."""
    scope = _workflow_scope(app, request)
    limit, before = page_params(request)
    status = STATUS_QUERY.value(request)
    sql = [
        f"SELECT seq, status, runner, data FROM {RUNS_TABLE}",  # noqa: S608
        "WHERE scope = ? AND workflow_id = ?",
    ]
    params: list[Any] = [scope, request.params["id"]]
    if before:
        sql.append("AND seq < ?")
        params.append(before)
    if status:
        sql.append("AND status = ?")
        params.append(status)
    sql.append("ORDER BY seq DESC LIMIT ?")
    params.append(limit + 1)
    with request.store.transaction(write=False) as tx:
        rows = tx.execute(" ".join(sql), params).fetchall()
    return page_of(rows, limit, lambda row: int(row[0]), lambda row: decode_run(request, row))


def install(app: App) -> None:
    """Add the tool, code block and workflow routes and the runs table to ``app``."""
    app.migration("components-workflow-runs-1", _MIGRATION)
    base = f"{TENANT}/components"

    def bind(handler: Callable[[App, Request], Any]) -> Callable[[Request], Any]:
        def handle(request: Request) -> Any:
            return handler(app, request)

        handle.__doc__ = handler.__doc__
        return handle

    app.add_route(
        "POST",
        f"{base}/tool/{{id}}/test",
        bind(_tool_test),
        body=ToolTestRequest,
        response=ToolTestResult,
        transaction=False,
        tags=("components",),
    )
    app.add_route(
        "POST",
        f"{base}/code_block/{{id}}/execute",
        bind(_code_block_execute),
        body=ExecuteRequest,
        response=ExecutionResult,
        transaction=False,
        tags=("components",),
    )
    app.add_route(
        "POST",
        f"{base}/workflow/{{id}}/validate",
        bind(_validate),
        response=WorkflowValidation,
        transaction=False,
        tags=("components",),
    )
    app.add_route(
        "POST",
        f"{base}/workflow/{{id}}/runs",
        bind(start_run),
        body=RunRequest,
        response=WorkflowRun,
        status=201,
        transaction=False,
        tags=("components",),
    )
    app.add_route(
        "GET",
        f"{base}/workflow/{{id}}/runs",
        bind(_list_runs),
        response=Page[WorkflowRun],
        query=(*PAGE_QUERY, STATUS_QUERY),
        tags=("components",),
    )
    app.add_route(
        "GET",
        f"{base}/workflow/{{id}}/runs/{{run_id}}",
        bind(_get_run),
        response=WorkflowRun,
        tags=("components",),
    )
