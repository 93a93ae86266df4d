"""Turning an iterable of rows of any length into JSON Lines batches, in bounded memory.

Pure: no I/O. Rows are encoded one at a time into one reused buffer, so a
generator of millions of rows never holds more than one batch in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import msgspec

__all__ = ["Batch", "RowEncodeError", "iter_batches"]

_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class Batch:
    """One request body: ``count`` rows as JSON Lines.

    ``first_row`` is the 1-based position of the batch's first row in the whole
    input; ``lines`` holds each row's line in its source file, when there is one.
    """

    body: bytes
    count: int
    first_row: int
    index: int
    lines: tuple[int, ...] | None = None

    def source_line(self, line_in_batch: int) -> int | None:
        """The source file line of the batch's ``line_in_batch``-th row (1-based)."""
        if self.lines is None or not 1 <= line_in_batch <= len(self.lines):
            return None
        return self.lines[line_in_batch - 1]


class RowEncodeError(ValueError):
    """A row that cannot be written as JSON; ``row_number`` is its 1-based position."""

    def __init__(self, row_number: int, line: int | None, cause: str) -> None:
        self.row_number = row_number
        self.line = line
        self.reason = f"cannot be encoded as JSON: {cause}"
        where = f"row {row_number}" + (f" (line {line})" if line is not None else "")
        super().__init__(f"{where} cannot be encoded as JSON: {cause}")


def iter_batches(
    rows: Iterable[tuple[object, int | None]],
    *,
    batch_size: int,
    max_batch_bytes: int,
) -> Iterator[Batch]:
    """Group ``(row, source_line)`` pairs into batches of at most ``batch_size`` rows.

    A batch is also closed once its body reaches ``max_batch_bytes``; a single
    row larger than that travels alone (the platform decides whether to take it).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be 1 or more")
    if max_batch_bytes < 1:
        raise ValueError("max_batch_bytes must be 1 or more")
    buffer = bytearray()
    lines: list[int] = []
    count = 0
    first_row = 1
    index = 0
    for position, (row, line) in enumerate(rows, start=1):
        try:
            _encoder.encode_into(row, buffer, -1)
        except (TypeError, ValueError, OverflowError, msgspec.EncodeError) as exc:
            raise RowEncodeError(position, line, str(exc)) from None
        buffer += b"\n"
        count += 1
        if line is not None:
            lines.append(line)
        if count >= batch_size or len(buffer) >= max_batch_bytes:
            yield Batch(bytes(buffer), count, first_row, index, tuple(lines) or None)
            buffer.clear()
            lines.clear()
            first_row += count
            count = 0
            index += 1
    if count:
        yield Batch(bytes(buffer), count, first_row, index, tuple(lines) or None)
