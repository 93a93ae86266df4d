"""Reading rows from JSON Lines and CSV files, one at a time, with their line numbers."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from ._schema import DatasetSchema, convert_cell

__all__ = ["FileRowError", "file_format", "read_csv", "read_jsonl"]

_decoder = msgspec.json.Decoder()
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


class FileRowError(ValueError):
    """A line of the file that is not a row; ``line`` is its 1-based line number."""

    def __init__(self, line: int, message: str, column: str | None = None) -> None:
        self.line = line
        self.column = column
        self.reason = message
        super().__init__(f"line {line}: {message}")


def file_format(path: Path, format: str | None) -> str:
    """``jsonl`` or ``csv``, from ``format`` or else the file's suffix."""
    if format is not None:
        if format not in ("jsonl", "csv"):
            raise ValueError(f"format must be 'jsonl' or 'csv', not {format!r}")
        return format
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise ValueError(
            f"cannot tell the format of {path.name!r} from its suffix; "
            "name it .jsonl or .csv, or pass format='jsonl' / format='csv'"
        )
    return found


def read_jsonl(stream: Iterable[bytes] | Iterable[str]) -> Iterator[tuple[Any, int]]:
    """Each non-blank line (of a binary or text stream) decoded as JSON, with its line number."""
    lines: Iterable[bytes | str] = stream
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield _decoder.decode(raw), number
        except msgspec.DecodeError as exc:
            raise FileRowError(number, f"not valid JSON: {exc}") from None


def read_csv(stream: IO[str], schema: DatasetSchema) -> Iterator[tuple[dict[str, Any], int]]:
    """Each CSV record as a row (cells converted by the schema's types), with its first line.

    The first record is the header; a cell left empty in a non-string column is
    left out of the row, so an optional column stays absent.
    """
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise FileRowError(reader.line_num or 1, f"not valid CSV: {exc}") from None
    names = [name.strip() for name in header]
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise FileRowError(1, f"the header names column {duplicate!r} twice")
    columns = [schema.column(name) for name in names]
    previous_end = reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRowError(previous_end + 1, f"not valid CSV: {exc}") from None
        line = previous_end + 1
        previous_end = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if len(record) != len(names):
            raise FileRowError(
                line, f"has {len(record)} cells but the header has {len(names)} columns"
            )
        row: dict[str, Any] = {}
        for name, column, text in zip(names, columns, record, strict=True):
            try:
                value = convert_cell(column, text)
            except ValueError as exc:
                raise FileRowError(line, f"column {name!r}: {exc}", column=name) from None
            if value is not None:
                row[name] = value
        yield row, line
