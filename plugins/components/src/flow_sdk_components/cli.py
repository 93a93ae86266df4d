"""The special verbs of ``flow tools``, ``flow code-blocks`` and ``flow workflows``.

The groups themselves (list, get, create, update, delete, versions) come from
the core for every component type; this module only adds the verbs, and is
imported only when one of those groups runs.
"""

from __future__ import annotations

import argparse
from typing import Any

import msgspec
from flow_sdk import CLIClientError
from flow_sdk.cli import CommandContext, Waiting, add_command, limited, positive_int

__all__ = ["code_block_verbs", "parse_json_argument", "tool_verbs", "workflow_verbs"]

RUN_COLUMNS = ("id", "status", "workflow_version", "created_at", "finished_at")
_EXIT_FAILED = 1


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("expected more than 0 seconds")
    return value


def parse_json_argument(value: str | None, ctx: CommandContext, option: str) -> dict[str, Any]:
    """The JSON object an option names: inline JSON, ``@PATH`` (a file) or ``-`` (stdin)."""
    if value is None:
        return {}
    if value == "-":
        document = ctx.read_json("-")
    elif value.startswith("@"):
        document = ctx.read_json(value[1:])
    else:
        try:
            document = msgspec.json.decode(value.encode())
        except msgspec.DecodeError as exc:
            raise CLIClientError(
                f"{option} is not valid JSON: {exc}",
                hint=f"pass {option} '{{\"name\": 1}}', {option} @file.json, or {option} - "
                "to read standard input",
            ) from None
    if not isinstance(document, dict):
        raise CLIClientError(
            f"{option} must be a JSON object, not {type(document).__name__}",
            hint=f"wrap the value in an object, e.g. {option} '{{\"value\": ...}}'",
        )
    return document


def _add_json_option(parser: argparse.ArgumentParser, option: str, what: str) -> None:
    parser.add_argument(
        option,
        metavar="JSON|@FILE|-",
        default=None,
        help=f"{what}: inline JSON, @file.json, or - to read standard input",
    )


# tools


def tool_verbs(parser: argparse.ArgumentParser) -> None:
    """``flow tools test ID --input JSON``."""
    test = add_command(parser, "test", run_tool_test, help="run a tool once with an input")
    test.add_argument("id", metavar="ID")
    _add_json_option(test, "--input", "the tool's input (checked against its input_schema)")
    test.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="time limit")


def run_tool_test(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow tools test ID``: exit 1 when the tool failed."""
    tool_input = parse_json_argument(args.input, ctx, "--input")
    result = ctx.client().tools.test(args.id, tool_input, timeout_s=args.timeout, check=False)
    ctx.output.emit(result)
    return 0 if result.ok else _EXIT_FAILED


# code blocks


def code_block_verbs(parser: argparse.ArgumentParser) -> None:
    """``flow code-blocks execute ID --inputs JSON [--timeout SECONDS]``."""
    execute = add_command(
        parser, "execute", run_code_block, help="run a code block once with inputs"
    )
    execute.add_argument("id", metavar="ID")
    _add_json_option(execute, "--inputs", "the inputs, passed as main(**inputs)")
    execute.add_argument(
        "--timeout", type=_seconds, metavar="SECONDS", help="time limit (default: the block's)"
    )


def run_code_block(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow code-blocks execute ID``: exit 1 when the code failed."""
    inputs = parse_json_argument(args.inputs, ctx, "--inputs")
    waiting = Waiting(ctx)
    waiting.show(f"running code block {args.id}")
    result = ctx.client().code_blocks.execute(args.id, inputs, timeout_s=args.timeout, check=False)
    waiting.done()
    ctx.output.emit(result)
    return 0 if result.ok else _EXIT_FAILED


# workflows


def workflow_verbs(parser: argparse.ArgumentParser) -> None:
    """``flow workflows validate|run|runs|wait``."""
    validate = add_command(
        parser, "validate", run_validate, help="check that a workflow's steps can run"
    )
    validate.add_argument("id", metavar="ID")

    start = add_command(parser, "run", run_workflow, help="start a run (--wait to follow it)")
    start.add_argument("id", metavar="ID")
    _add_json_option(start, "--inputs", "the run's inputs ($inputs.<name> in the steps)")
    start.add_argument("--wait", action="store_true", help="wait for the run to finish")
    start.add_argument(
        "--timeout", type=_seconds, default=300.0, metavar="SECONDS", help="how long to wait"
    )

    runs = add_command(parser, "runs", run_runs, help="list a workflow's runs, or show one")
    runs.add_argument("id", metavar="ID")
    runs.add_argument("run_id", metavar="RUN_ID", nargs="?", help="show this run in full")
    runs.add_argument("--status", choices=("queued", "running", "succeeded", "failed"))
    runs.add_argument("--limit", type=positive_int, default=50, metavar="N")
    runs.add_argument("--all", action="store_true", help="every run, however many")

    wait = add_command(parser, "wait", run_wait, help="wait for a run to finish")
    wait.add_argument("id", metavar="ID")
    wait.add_argument("run_id", metavar="RUN_ID")
    wait.add_argument(
        "--timeout", type=_seconds, default=300.0, metavar="SECONDS", help="how long to wait"
    )


def run_validate(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow workflows validate ID``: exit 1 with the issues when it is not valid."""
    result = ctx.client().workflows.validate(args.id)
    if ctx.output.json:
        ctx.output.emit(result)
    elif result.valid:
        ctx.output.message(f"workflow {args.id} is valid")
    else:
        ctx.output.emit(result.issues, columns=("step", "field", "message"))
    return 0 if result.valid else _EXIT_FAILED


def _finished(run: Any, ctx: CommandContext, waiting: Waiting) -> int:
    waiting.done()
    ctx.output.emit(run)
    return 0 if run.status == "succeeded" else _EXIT_FAILED


def run_workflow(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow workflows run ID [--wait]``: with --wait, the run's state on a terminal."""
    inputs = parse_json_argument(args.inputs, ctx, "--inputs")
    waiting = Waiting(ctx)
    if args.wait:
        waiting.show(f"starting a run of workflow {args.id}")
    run = ctx.client().workflows.run(
        args.id,
        inputs,
        wait=args.wait,
        timeout_s=args.timeout,
        on_progress=(lambda run: waiting.show(run.progress_line())) if args.wait else None,
    )
    if not args.wait:
        ctx.output.emit(run)
        ctx.output.message(f"follow it with: {ctx.settings.prog} workflows wait {args.id} {run.id}")
        return 0
    return _finished(run, ctx, waiting)


def run_runs(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow workflows runs ID [RUN_ID]``: with ``--jsonl``, each page as it arrives."""
    workflows = ctx.client().workflows
    if args.run_id:
        ctx.output.emit(workflows.get_run(args.id, args.run_id))
        return 0
    limit = None if args.all else args.limit
    page_size = 500 if limit is None else min(limit + 1, 500)
    runs = workflows.list_runs(
        args.id,
        status=args.status,
        page_size=page_size,
        limit=None if limit is None else limit + 1,
    )
    shown, more = limited(runs, limit)
    ctx.output.stream(
        shown, columns=RUN_COLUMNS, empty=f"workflow {args.id} has no runs", what="runs"
    )
    if more[0]:
        ctx.output.message(f"showing the newest {limit} runs; pass --limit N or --all to see more")
    return 0


def run_wait(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow workflows wait ID RUN_ID``: exit 1 unless the run succeeded; the run's state
    on a terminal while it waits."""
    waiting = Waiting(ctx)
    waiting.show(f"run {args.run_id}: waiting")
    run = ctx.client().workflows.wait_for_run(
        args.id,
        args.run_id,
        timeout_s=args.timeout,
        on_progress=lambda run: waiting.show(run.progress_line()),
    )
    return _finished(run, ctx, waiting)
