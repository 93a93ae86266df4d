"""``client.datasets``: datasets and their rows.

Rows travel as JSON Lines, one request per batch. Each batch has its own
``Idempotency-Key``, so the transport may retry a batch after a dropped
connection and the platform still stores it once; and each batch is all or
nothing, so after an error exactly the batches before it are stored.
"""

from __future__ import annotations

import builtins
import io
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, cast

import msgspec
from flow_sdk.plugin import (
    CLIValidationError,
    Listing,
    ModeT,
    Page,
    ResourceNamespace,
    Steps,
    body_of,
    cursor_pages,
    endpoint,
    if_match_headers,
    paginated,
    send,
)

from ._batching import Batch, RowEncodeError, iter_batches
from ._errors import RowValidationError
from ._limits import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_ROWS_PAGE_SIZE,
    JSONL_MEDIA_TYPE,
    MAX_BATCH_BYTES,
    MAX_BATCH_ROWS,
    MAX_ROWS_PAGE_SIZE,
)
from ._models import AppendResult, Dataset, RowsAppended
from ._readers import FileRowError, file_format, read_csv, read_jsonl
from ._schema import Column, DatasetSchema, schema_from

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_ROWS_PAGE_SIZE",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_ROWS",
    "MAX_ROWS_PAGE_SIZE",
    "DatasetsNamespace",
]


SchemaLike = DatasetSchema | Mapping[str, Any] | Iterable[Column | Mapping[str, Any]]
ProgressCallback = Callable[[AppendResult], None]


def _schema_body(schema: SchemaLike) -> dict[str, Any]:
    try:
        return schema_from(schema).to_dict()
    except ValueError as exc:
        raise CLIValidationError(
            str(exc),
            hint='a schema is {"columns": [{"name": "id", "type": "integer", "required": true}]}'
            "; types: string, integer, number, boolean, object, array",
        ) from None


def _normalised(data: Mapping[str, Any] | msgspec.Struct | None) -> Any:
    """A body whose ``schema`` (a column list, a mapping or a DatasetSchema) is in wire form."""
    if data is None:
        return None
    body = dict(msgspec.to_builtins(data)) if isinstance(data, msgspec.Struct) else dict(data)
    if body.get("schema") is not None:
        body["schema"] = _schema_body(body["schema"])
    return body


def _fields(name: str | None, schema: SchemaLike | None, description: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = name
    if schema is not None:
        fields["schema"] = _schema_body(schema)
    if description is not None:
        fields["description"] = description
    return fields


class DatasetsNamespace(ResourceNamespace[ModeT, Dataset]):
    """Datasets of the selected workspace: create, list, get, update, delete, and rows.

    Written once for both clients: on ``AsyncCLIClient`` every method is
    awaited (``append_rows`` and ``upload`` send batch after batch without
    blocking the event loop) and ``list`` / ``iter_rows`` are ``async for``.
    """

    path = "datasets"
    model = Dataset

    @paginated
    def list(  # type: ignore[override]
        self, *, name: str | None = None, page_size: int = 50, limit: int | None = None
    ) -> Listing[Dataset]:
        """Every dataset (only those called ``name``, if given), fetched lazily page by page."""
        return self._list(page_size=page_size, limit=limit, name=name)

    @endpoint
    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        schema: SchemaLike | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[Dataset]:
        """Create a dataset. ``schema`` is a ``DatasetSchema``, ``{"columns": [...]}`` or a
        column list; without one the dataset takes any JSON object as a row.

        Retried safely with the same ``idempotency_key`` (generated when omitted).
        """
        body = body_of(_normalised(data), _fields(name, schema, description))
        return (
            yield from send(
                "POST", self._collection(), json=body, idempotency_key=idempotency_key, type=Dataset
            )
        )

    @endpoint
    def update(  # type: ignore[override]
        self,
        dataset_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        schema: SchemaLike | None = None,
        description: str | None = None,
        if_match: int | str | None = None,
    ) -> Steps[Dataset]:
        """Change the name, description or schema. A new schema must fit every stored row
        (the platform answers 422 naming the first row that breaks it). With
        ``if_match=<version>`` a concurrent change is a 409.
        """
        body = body_of(_normalised(data), _fields(name, schema, description))
        return (
            yield from send(
                "PATCH",
                self._item(dataset_id),
                json=body,
                headers=if_match_headers(if_match),
                type=Dataset,
            )
        )

    # rows

    @endpoint
    def append_rows(
        self,
        dataset_id: str,
        rows: Iterable[Any],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        on_progress: ProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[AppendResult]:
        """Append rows (mappings or msgspec Structs) from any iterable, in batches.

        The iterable is read lazily, so a generator of millions of rows streams
        in bounded memory. Each batch is one JSON Lines request, stored all or
        nothing, with its own ``Idempotency-Key`` (``{idempotency_key}-{n}`` when
        you pass one, so re-running the same append, with the same rows and
        batch size, after a crash stores no batch twice). ``on_progress`` gets
        an ``AppendResult`` after each batch.

        A refused row raises ``RowValidationError`` with its position in
        ``rows`` (``row_number``) and how many rows were stored before it.
        """
        return (
            yield from self._append(
                dataset_id,
                ((row, None) for row in rows),
                batch_size=batch_size,
                max_batch_bytes=max_batch_bytes,
                on_progress=on_progress,
                idempotency_key=idempotency_key,
                source=None,
            )
        )

    @endpoint
    def upload(
        self,
        dataset_id: str,
        path: str | os.PathLike[str] | IO[bytes] | IO[str],
        *,
        format: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        on_progress: ProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[AppendResult]:
        """Append the rows of a JSON Lines (``.jsonl``/``.ndjson``) or CSV (``.csv``) file.

        ``path`` may also be an open file (binary or text), read as JSON Lines
        unless ``format="csv"``. The file is streamed. CSV cells are converted
        by the dataset's schema (the first record is the header; an empty cell
        in a non-string column leaves the column out). ``format`` overrides the
        suffix. Errors name the file's line (``RowValidationError.line``).
        """
        options: dict[str, Any] = {
            "batch_size": batch_size,
            "max_batch_bytes": max_batch_bytes,
            "on_progress": on_progress,
            "idempotency_key": idempotency_key,
        }
        if not isinstance(path, str | os.PathLike):
            kind = format or "jsonl"
            if kind not in ("jsonl", "csv"):
                raise CLIValidationError(
                    f"format must be 'jsonl' or 'csv', not {kind!r}",
                    hint="pass format='jsonl' or format='csv'",
                )
            source = str(getattr(path, "name", "") or "the input")
            return (yield from self._append_stream(dataset_id, path, kind, source, options))
        file_path = Path(path)
        try:
            kind = file_format(file_path, format)
        except ValueError as exc:
            raise CLIValidationError(str(exc), hint="pass format='jsonl' or format='csv'") from None
        # Reading the caller's local file is the one blocking I/O a method may do.
        try:
            if kind == "csv":
                with file_path.open(encoding="utf-8-sig", newline="") as text:
                    return (
                        yield from self._append_stream(
                            dataset_id, text, kind, file_path.name, options
                        )
                    )
            with file_path.open("rb") as binary:
                return (
                    yield from self._append_stream(
                        dataset_id, binary, kind, file_path.name, options
                    )
                )
        except OSError as exc:
            raise CLIValidationError(
                f"cannot read {str(file_path)!r}: {exc.strerror or exc}",
                hint="pass the path of a readable .jsonl or .csv file",
            ) from None

    def _append_stream(
        self,
        dataset_id: str,
        stream: IO[bytes] | IO[str],
        kind: str,
        source: str,
        options: dict[str, Any],
    ) -> Steps[AppendResult]:
        try:
            if kind == "csv":
                dataset = yield from type(self).get.steps(self, dataset_id)
                schema = dataset.schema
                if isinstance(stream, io.TextIOBase):
                    rows = read_csv(cast(IO[str], stream), schema)
                    return (yield from self._append(dataset_id, rows, source=source, **options))
                # a text view of a binary stream, detached after so the caller's stream stays open
                text = io.TextIOWrapper(cast(IO[bytes], stream), encoding="utf-8-sig", newline="")
                try:
                    rows = read_csv(text, schema)
                    return (yield from self._append(dataset_id, rows, source=source, **options))
                finally:
                    text.detach()
            return (
                yield from self._append(dataset_id, read_jsonl(stream), source=source, **options)
            )
        except UnicodeDecodeError as exc:
            raise CLIValidationError(
                f"{source} is not UTF-8 text: {exc.reason} at byte {exc.start}",
                hint="save the file as UTF-8 and upload it again",
            ) from None

    @paginated
    def iter_rows(
        self,
        dataset_id: str,
        *,
        page_size: int = DEFAULT_ROWS_PAGE_SIZE,
        limit: int | None = None,
    ) -> Listing[dict[str, Any]]:
        """The dataset's rows in the order they were appended, fetched lazily page by page."""
        return cursor_pages(
            self._item(dataset_id, "rows"),
            Page[dict[str, Any]],
            page_size=page_size,
            limit=limit,
            max_page_size=MAX_ROWS_PAGE_SIZE,
        )

    # the batch loop shared by append_rows and upload

    def _append(
        self,
        dataset_id: str,
        rows: Iterable[tuple[Any, int | None]],
        *,
        batch_size: int,
        max_batch_bytes: int,
        on_progress: ProgressCallback | None,
        idempotency_key: str | None,
        source: str | None,
    ) -> Steps[AppendResult]:
        """One request per batch; the batching itself (``iter_batches``) is pure."""
        if not 1 <= batch_size <= MAX_BATCH_ROWS:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_ROWS}")
        if not 1 <= max_batch_bytes <= MAX_BATCH_BYTES:
            raise ValueError(f"max_batch_bytes must be between 1 and {MAX_BATCH_BYTES}")
        url = self._item(dataset_id, "rows")
        key_prefix = idempotency_key or uuid.uuid4().hex
        done = AppendResult(rows=0, batches=0, bytes=0, row_count=0)
        batches: Iterator[Batch] = iter_batches(
            rows, batch_size=batch_size, max_batch_bytes=max_batch_bytes
        )
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            except (RowEncodeError, FileRowError) as exc:
                raise _local_row_error(exc, done.rows, source) from None
            try:
                # A refused batch is thrown back in here, as if send raised it.
                answer = yield from send(
                    "POST",
                    url,
                    content=batch.body,
                    headers={"Content-Type": JSONL_MEDIA_TYPE},
                    idempotency_key=f"{key_prefix}-{batch.index}",
                    type=RowsAppended,
                )
            except CLIValidationError as exc:
                raise _platform_row_error(exc, batch, done.rows, source) from None
            done = AppendResult(
                rows=done.rows + answer.appended,
                batches=done.batches + 1,
                bytes=done.bytes + len(batch.body),
                row_count=answer.row_count,
            )
            if on_progress is not None:
                on_progress(done)
        if done.batches == 0:
            dataset = yield from type(self).get.steps(self, dataset_id)
            done = AppendResult(rows=0, batches=0, bytes=0, row_count=dataset.row_count)
        return done


def _where(row_number: int | None, line: int | None, source: str | None) -> str:
    parts = []
    if row_number is not None:
        parts.append(f"row {row_number}")
    if line is not None:
        parts.append(f"line {line} of {source}" if source else f"line {line}")
    if not parts:
        return "a row"
    return parts[0] + (f" ({parts[1]})" if len(parts) > 1 else "")


def _stored(rows_appended: int) -> str:
    if rows_appended == 0:
        return "no row was stored"
    return f"only the {rows_appended} row(s) before its batch were stored"


def _local_row_error(
    exc: RowEncodeError | FileRowError, rows_appended: int, source: str | None
) -> RowValidationError:
    if isinstance(exc, RowEncodeError):
        return RowValidationError(
            f"{_where(exc.row_number, exc.line, source)} {exc.reason}; {_stored(rows_appended)}",
            row_number=exc.row_number,
            line=exc.line,
            rows_appended=rows_appended,
            hint="rows must be JSON objects of str, int, float, bool, None, list and dict",
        )
    return RowValidationError(
        f"{_where(None, exc.line, source)}: {exc.reason}; {_stored(rows_appended)}",
        line=exc.line,
        column=exc.column,
        rows_appended=rows_appended,
        hint=f"fix line {exc.line} and upload the rest (skip the first {rows_appended} rows)",
    )


def _problems(detail: Any) -> builtins.list[tuple[int, str | None, str]]:
    """``(line in batch, column, message)`` of each refused row in a 422's field errors.

    The platform names a row as ``loc: ["body", "line", N]`` (plus the column).
    """
    found = []
    for item in detail if isinstance(detail, builtins.list) else ():
        loc = item.get("loc") if isinstance(item, dict) else None
        if not isinstance(loc, builtins.list) or len(loc) < 3 or loc[:2] != ["body", "line"]:
            continue
        if not isinstance(loc[2], int):
            continue
        column = loc[3] if len(loc) > 3 and isinstance(loc[3], str) else None
        found.append((loc[2], column, str(item.get("msg", "refused"))))
    return found


def _platform_row_error(
    exc: CLIValidationError, batch: Batch, rows_appended: int, source: str | None
) -> CLIValidationError:
    """Re-express the platform's line-in-batch as the row's place in the caller's input."""
    problems = _problems(exc.detail)
    if not problems:
        return exc
    line_in_batch, column, reason = problems[0]
    row_number = batch.first_row + line_in_batch - 1
    line = batch.source_line(line_in_batch)
    more = f" (and {len(problems) - 1} more in the batch)" if len(problems) > 1 else ""
    message = (
        f"{_where(row_number, line, source)}: {reason}{more}; "
        f"its batch (rows {batch.first_row}-{batch.first_row + batch.count - 1}) "
        f"was not stored; {_stored(rows_appended)}"
    )
    fields = exc._fields()
    fields["hint"] = (
        f"fix that row and append again from row {rows_appended + 1} "
        f"(the first {rows_appended} are stored)"
    )
    return RowValidationError(
        message,
        row_number=row_number,
        line=line,
        column=column,
        rows_appended=rows_appended,
        **fields,
    )
