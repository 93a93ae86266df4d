"""``flow experiments …``: imported only when that group runs.

``list|get|create|update|delete`` come from the core's generic resource
commands; ``start``, ``stop``, ``assign``, ``record`` and ``results`` are this
plugin's verbs.
"""

from __future__ import annotations

import argparse
import math

from flow_sdk.cli import CommandContext, add_command, add_resource_commands

__all__ = ["register"]

EXPERIMENT_COLUMNS = ("id", "name", "status", "metric", "outcome_count", "version")
RESULT_COLUMNS = (
    "variant",
    "component_id",
    "version",
    "weight",
    "count",
    "mean",
    "ci_low",
    "ci_high",
    "difference",
)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a variant's position (0, 1, …), got {text!r}"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def register(parser: argparse.ArgumentParser) -> None:
    """Add the experiment verbs to ``flow experiments``."""
    add_resource_commands(
        parser,
        namespace="experiments",
        columns=EXPERIMENT_COLUMNS,
        list_filters=("name", "status"),
    )
    for verb, handler, text in (
        ("start", run_start, "start (or restart) an experiment: assignments and outcomes open"),
        ("stop", run_stop, "stop an experiment: no more assignments or outcomes"),
    ):
        command = add_command(parser, verb, handler, help=text)
        command.add_argument("id", metavar="ID")
        command.add_argument("--if-match", metavar="VERSION", help="refuse if it changed since")

    assign = add_command(
        parser,
        "assign",
        run_assign,
        help="the variant a subject gets (always the same one)",
    )
    assign.add_argument("id", metavar="ID")
    assign.add_argument("subject", metavar="SUBJECT", help="a user, session or request id")

    record = add_command(
        parser,
        "record",
        run_record,
        help="record one outcome: a metric value for a variant",
    )
    record.add_argument("id", metavar="ID")
    record.add_argument("variant", metavar="VARIANT", type=_index, help="the variant's position")
    record.add_argument("value", metavar="VALUE", type=_number, help="the metric's value")
    record.add_argument(
        "--idempotency-key", metavar="KEY", help="record it once however often this is re-run"
    )

    results = add_command(
        parser,
        "results",
        run_results,
        help="per-variant counts, means and 95%% confidence intervals",
    )
    results.add_argument("id", metavar="ID")


def run_start(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow experiments start ID``."""
    ctx.output.emit(ctx.namespace("experiments").start(args.id, if_match=args.if_match))


def run_stop(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow experiments stop ID``."""
    ctx.output.emit(ctx.namespace("experiments").stop(args.id, if_match=args.if_match))


def run_assign(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow experiments assign ID SUBJECT``."""
    ctx.output.emit(ctx.namespace("experiments").assign(args.id, args.subject))


def run_record(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow experiments record ID VARIANT VALUE``."""
    outcome = ctx.namespace("experiments").record(
        args.id, args.variant, args.value, idempotency_key=args.idempotency_key
    )
    ctx.output.emit(outcome)


def run_results(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow experiments results ID``."""
    results = ctx.namespace("experiments").results(args.id)
    if ctx.output.json:
        ctx.output.print_json(results)
        return
    ctx.output.message(
        f"{results.name}: {results.metric}, {results.total} outcome(s), {results.status}; "
        f"{results.confidence:.0%} intervals; difference is against variant 0"
    )
    ctx.output.emit(results.variants, columns=RESULT_COLUMNS)
