"""``flow datasets …``: imported only when that group runs.

``list|get|create|update|delete`` come from the core's generic resource
commands; ``append``, ``upload`` and ``rows`` are this plugin's verbs. Rows
stream: ``append`` reads JSON Lines from a file or standard input a batch at
a time, with progress on stderr.
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any

from flow_sdk.cli import CommandContext, add_command, add_resource_commands, positive_int

from ._models import AppendResult
from .namespace import DEFAULT_BATCH_SIZE, MAX_BATCH_ROWS, MAX_ROWS_PAGE_SIZE

__all__ = ["register"]

DEFAULT_ROWS_SHOWN = 50


def register(parser: argparse.ArgumentParser) -> None:
    """Add the datasets verbs to ``flow datasets``."""
    add_resource_commands(
        parser,
        namespace="datasets",
        columns=("id", "name", "row_count", "version", "updated_at"),
        list_filters=("name",),
    )
    append = add_command(
        parser,
        "append",
        run_append,
        help="append rows from JSON Lines (a file, or standard input)",
        description="Append rows, one JSON object a line, in batches (each all or nothing). "
        "Reads standard input unless --file names a file.",
    )
    append.add_argument("id", metavar="ID")
    append.add_argument(
        "--file", "-f", default="-", metavar="PATH", help="JSON Lines file, or - for stdin"
    )
    _batch_options(append)

    upload = add_command(
        parser,
        "upload",
        run_upload,
        help="append the rows of a .jsonl or .csv file",
        description="CSV cells are converted by the dataset's schema; the first line is "
        "the header.",
    )
    upload.add_argument("id", metavar="ID")
    upload.add_argument("path", metavar="PATH", help="a .jsonl, .ndjson or .csv file")
    upload.add_argument("--format", choices=("jsonl", "csv"), help="override the file suffix")
    _batch_options(upload)

    rows = add_command(parser, "rows", run_rows, help="print a dataset's rows, in append order")
    rows.add_argument("id", metavar="ID")
    rows.add_argument(
        "--limit",
        type=positive_int,
        default=DEFAULT_ROWS_SHOWN,
        help=f"show at most this many (default {DEFAULT_ROWS_SHOWN})",
    )
    rows.add_argument("--all", action="store_true", help="show every row, page by page")


def _batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH_SIZE,
        help=f"rows per request (default {DEFAULT_BATCH_SIZE}, at most {MAX_BATCH_ROWS})",
    )
    parser.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="re-run the same append safely: batches already stored under KEY are not stored again",
    )


def _progress(ctx: CommandContext) -> Any:
    def report(done: AppendResult) -> None:
        ctx.progress(f"appended {done.rows} rows in {done.batches} batches")

    return report


def run_append(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow datasets append ID [--file PATH]``."""
    datasets = ctx.namespace("datasets")
    options: dict[str, Any] = {
        "batch_size": args.batch_size,
        "on_progress": _progress(ctx),
        "idempotency_key": args.idempotency_key,
    }
    if args.file == "-":
        result = datasets.upload(args.id, ctx.stdin, format="jsonl", **options)
    else:
        result = datasets.upload(args.id, args.file, format="jsonl", **options)
    ctx.progress.done()
    ctx.output.emit(result)


def run_upload(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow datasets upload ID PATH``."""
    result = ctx.namespace("datasets").upload(
        args.id,
        args.path,
        format=args.format,
        batch_size=args.batch_size,
        on_progress=_progress(ctx),
        idempotency_key=args.idempotency_key,
    )
    ctx.progress.done()
    ctx.output.emit(result)


def run_rows(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow datasets rows ID``."""
    limit = None if args.all else args.limit
    page_size = MAX_ROWS_PAGE_SIZE if limit is None else min(limit + 1, MAX_ROWS_PAGE_SIZE)
    rows = ctx.namespace("datasets").iter_rows(
        args.id, page_size=page_size, limit=None if limit is None else limit + 1
    )
    shown = list(itertools.islice(rows, None if limit is None else limit + 1))
    more = limit is not None and len(shown) > limit
    ctx.output.emit(shown[:limit] if more else shown, empty="no rows")
    if more:
        ctx.output.message(f"showing the first {limit} rows; pass --limit N or --all to see more")
