"""``flow datasets …``: imported only when that group runs.

``list|get|create|update|delete`` come from the core's generic resource
commands; ``append``, ``upload`` and ``rows`` are this plugin's verbs. Rows
stream: ``append`` and ``upload`` read a batch at a time, with a progress bar
on a terminal (by bytes read for a file, by rows for standard input), and
``rows --jsonl`` prints each page as it arrives.

An upload is resumable: its batches carry the idempotency key
``{key}-{batch}`` (see ``DatasetsNamespace.append_rows``), and without
``--idempotency-key`` the key is derived from the file (absolute path, size,
modification time), the dataset, the format and the batch size. Running the
same command again after a crash or Ctrl-C, on the unchanged file, stores
only the batches the platform does not have yet (within its 24-hour
idempotency window). Ctrl-C says how many rows were stored and prints that
command.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shlex
import uuid
from collections.abc import Callable
from pathlib import Path

from flow_sdk import CLIClientError
from flow_sdk.cli import (
    EXIT_INTERRUPTED,
    CommandContext,
    add_command,
    add_resource_commands,
    limited,
    positive_int,
)

from ._models import AppendResult
from ._readers import file_format
from .namespace import DEFAULT_BATCH_SIZE, MAX_BATCH_ROWS, MAX_ROWS_PAGE_SIZE

__all__ = ["register", "resume_key"]

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
        "Reads standard input unless --file names a file. Interrupted, it prints the "
        "command that appends the rest (a file's rows are never stored twice).",
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
        "the header. Resumable: interrupted, it prints the command that uploads the rest, "
        "and running the same command again on the unchanged file stores no row twice.",
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
    rows.add_argument(
        "--all",
        action="store_true",
        help="show every row, page by page (with --jsonl: each page as it arrives)",
    )


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
        help="re-run the same append safely: batches already stored under KEY are not stored "
        "again (a file's upload has one by default; pass a new KEY to append the same rows "
        "a second time)",
    )


def resume_key(path: Path, dataset_id: str, kind: str, batch_size: int) -> str:
    """The default idempotency key of uploading ``path`` to ``dataset_id``: the same while
    the file, the dataset, the format and the batch size are (so a re-run resumes), and
    another once the file changes (so new contents are appended)."""
    info = path.stat()
    identity = "\0".join(
        (
            str(path.resolve()),
            str(info.st_size),
            str(info.st_mtime_ns),
            dataset_id,
            kind,
            str(batch_size),
        )
    )
    return "upload-" + hashlib.sha256(identity.encode()).hexdigest()[:32]


class _NamedFile(io.BufferedReader):
    """A file opened for binary reading that errors name by its file name, as
    ``DatasetsNamespace.upload`` names a path (``line 2 of rows.jsonl``)."""

    def __init__(self, path: Path) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self._shown = path.name

    @property
    def name(self) -> str:
        """The file's name, without its directory."""
        return self._shown


def _open(path: Path, kind: str) -> _NamedFile:
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory")
        return _NamedFile(path)
    except OSError as exc:
        raise CLIClientError(
            f"cannot read {str(path)!r}: {exc.strerror or exc}",
            hint=f"pass the path of a readable .{kind} file",
        ) from None


def _format_of(path: Path, chosen: str | None) -> str:
    try:
        return file_format(path, chosen)
    except ValueError:
        raise CLIClientError(
            f"cannot tell the format of {path.name!r} from its suffix",
            hint="name it .jsonl or .csv, or pass --format jsonl or --format csv",
        ) from None


def _size_unit(size: int) -> tuple[str, float]:
    """A unit that keeps a file's size readable on the bar: B, kB, MB or GB."""
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= 10 * factor:
            return unit, factor
    return "B", 1.0


def _resume_command(
    ctx: CommandContext, args: argparse.Namespace, positional: list[str], key: str
) -> str:
    """The command line that runs this upload again with its key (the same global options)."""
    words = ctx.settings.prog.split()
    if getattr(args, "flow_profile", None):
        words += ["--profile", args.flow_profile]
    if getattr(args, "flow_platform_url", None):
        words += ["--platform-url", args.flow_platform_url]
    words += ["datasets", *positional]
    if getattr(args, "format", None):
        words += ["--format", args.format]
    if args.batch_size != DEFAULT_BATCH_SIZE:
        words += ["--batch-size", str(args.batch_size)]
    words += ["--idempotency-key", key]
    return shlex.join(words)


def _interrupted(
    ctx: CommandContext, done: AppendResult, command: str, *, verb: str, stdin: bool
) -> int:
    stored = (
        f"{done.rows:,} row{'' if done.rows == 1 else 's'} stored "
        f"({done.batches} batch{'' if done.batches == 1 else 'es'})"
    )
    again = "with the same standard input, " if stdin else ""
    ctx.output.warning(
        f"interrupted: {stored}; to {verb} the rest ({again}no row is stored twice), run:"
    )
    ctx.output.message(f"  {command}")
    return EXIT_INTERRUPTED


def _send_file(
    args: argparse.Namespace,
    ctx: CommandContext,
    path: Path,
    kind: str,
    positional: Callable[[], list[str]],
    *,
    verb: str,
) -> int | None:
    """Upload a file with a bar by bytes read; on Ctrl-C, what was stored and how to resume."""
    datasets = ctx.namespace("datasets")
    handle = _open(path, kind)
    try:
        key = args.idempotency_key or resume_key(path, args.id, kind, args.batch_size)
        size = os.fstat(handle.fileno()).st_size
        unit, factor = _size_unit(size)
        done = AppendResult(rows=0, batches=0, bytes=0, row_count=0)
        description = "uploading" if verb == "upload" else "appending"
        with ctx.progress(total=size / factor, unit=unit, description=description) as bar:

            def report(result: AppendResult) -> None:
                nonlocal done
                done = result
                bar.set(min(handle.tell(), size) / factor)

            try:
                result = datasets.upload(
                    args.id,
                    handle,
                    format=kind,
                    batch_size=args.batch_size,
                    on_progress=report,
                    idempotency_key=key,
                )
            except KeyboardInterrupt:
                bar.close()
                command = _resume_command(ctx, args, positional(), key)
                return _interrupted(ctx, done, command, verb=verb, stdin=False)
    finally:
        handle.close()
    ctx.output.emit(result)
    return None


def run_append(args: argparse.Namespace, ctx: CommandContext) -> int | None:
    """``flow datasets append ID [--file PATH]``."""
    if args.file != "-":
        path = Path(args.file)
        return _send_file(
            args,
            ctx,
            path,
            "jsonl",
            lambda: ["append", args.id, "--file", args.file],
            verb="append",
        )
    datasets = ctx.namespace("datasets")
    # standard input has no identity to derive a key from: a new one, shown if interrupted
    key = args.idempotency_key or f"append-{uuid.uuid4().hex}"
    done = AppendResult(rows=0, batches=0, bytes=0, row_count=0)
    with ctx.progress(unit="rows", description="appending") as bar:

        def report(result: AppendResult) -> None:
            nonlocal done
            done = result
            bar.set(result.rows)

        try:
            result = datasets.upload(
                args.id,
                ctx.stdin,
                format="jsonl",
                batch_size=args.batch_size,
                on_progress=report,
                idempotency_key=key,
            )
        except KeyboardInterrupt:
            bar.close()
            command = _resume_command(ctx, args, ["append", args.id], key)
            return _interrupted(ctx, done, command, verb="append", stdin=True)
    ctx.output.emit(result)
    return None


def run_upload(args: argparse.Namespace, ctx: CommandContext) -> int | None:
    """``flow datasets upload ID PATH``: resumable, see the module's docstring."""
    path = Path(args.path)
    kind = _format_of(path, args.format)
    return _send_file(args, ctx, path, kind, lambda: ["upload", args.id, args.path], verb="upload")


def run_rows(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow datasets rows ID``: with ``--jsonl``, each page is printed as it arrives."""
    limit = None if args.all else args.limit
    page_size = MAX_ROWS_PAGE_SIZE if limit is None else min(limit + 1, MAX_ROWS_PAGE_SIZE)
    rows = ctx.namespace("datasets").iter_rows(
        args.id, page_size=page_size, limit=None if limit is None else limit + 1
    )
    shown, more = limited(rows, limit)
    ctx.output.stream(shown, empty="no rows", what="rows")
    if more[0]:
        ctx.output.message(f"showing the first {limit} rows; pass --limit N or --all to see more")
