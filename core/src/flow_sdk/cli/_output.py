"""What ``flow`` prints: data on stdout as a table or JSON, everything else on stderr.

Standard output carries only the data, so ``flow … | jq`` always works:
JSON with ``--json``, and also by default when stdout is not a terminal
(``FLOW_OUTPUT=table`` or ``json`` overrides that default). Messages,
warnings, progress and errors go to standard error.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import msgspec

__all__ = ["Output", "Progress", "format_record", "format_table", "to_plain"]

MAX_CELL = 80


def to_plain(data: Any) -> Any:
    """Structs, dataclasses, datetimes… as plain JSON values."""
    return msgspec.to_builtins(data, enc_hook=str)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, _dt.datetime | _dt.date):
        text = value.isoformat()
    else:
        text = msgspec.json.encode(to_plain(value)).decode()
    if not text.isprintable():  # one row per line, whatever the value holds
        text = "".join(c if c.isprintable() else " " for c in text)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return text


def _header(column: str) -> str:
    return column.replace("_", " ").upper()


def _columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as aligned columns under an upper-case header; '' when there are none."""
    if not rows:
        return ""
    cols = list(columns) if columns else _columns_of(rows)
    cells = [[_cell(row.get(col)) for col in cols] for row in rows]
    headers = [_header(col) for col in cols]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = []
    for row in [headers, *cells]:
        parts = [text.ljust(widths[i]) for i, text in enumerate(row)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def format_record(record: Mapping[str, Any], fields: Sequence[str] | None = None) -> str:
    """One record as ``field  value`` lines."""
    keys = list(fields) if fields else list(record)
    if not keys:
        return ""
    width = max(len(k) for k in keys)
    return "".join(f"{k.ljust(width)}  {_cell(record.get(k))}".rstrip() + "\n" for k in keys)


class Output:
    """Prints command results in the chosen format; messages go to stderr."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, json: bool) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.json = json

    def emit(
        self,
        data: Any,
        *,
        columns: Sequence[str] | None = None,
        empty: str | None = None,
    ) -> None:
        """Print ``data``: a list as a table, a mapping (or record) as fields, JSON with --json.

        ``columns`` picks and orders the table's columns (JSON always has every
        field). ``empty`` is said on stderr when a list has no items.
        """
        plain = to_plain(data)
        if self.json:
            self.print_json(plain)
            return
        if isinstance(plain, list):
            if not plain and empty:
                self.message(empty)
            rows = [r if isinstance(r, dict) else {"value": r} for r in plain]
            self.stdout.write(format_table(rows, columns))
        elif isinstance(plain, dict):
            self.stdout.write(format_record(plain, None))
        elif plain is not None:
            self.stdout.write(f"{plain}\n")

    def table(self, rows: Any, columns: Sequence[str] | None = None) -> None:
        """Print rows as a table (JSON with --json)."""
        self.emit(list(rows), columns=columns)

    def print_json(self, data: Any) -> None:
        """Print ``data`` as indented JSON whatever the mode."""
        encoded = msgspec.json.format(msgspec.json.encode(to_plain(data)), indent=2)
        self.stdout.write(encoded.decode() + "\n")

    def message(self, text: str) -> None:
        """A line for the person at the terminal (stderr)."""
        self.stderr.write(f"{text}\n")

    def warning(self, text: str) -> None:
        """A ``warning:`` line on stderr."""
        self.stderr.write(f"warning: {text}\n")


class Progress:
    """Progress for long work, on stderr: one rewritten line on a terminal, lines otherwise.

    Callable with a message, so it can be passed wherever an
    ``on_progress(message)`` callback is expected.
    """

    def __init__(self, stream: TextIO, *, tty: bool | None = None) -> None:
        self.stream = stream
        self.tty = _isatty(stream) if tty is None else tty
        self._open = False

    def __call__(self, message: str) -> None:
        self.update(message)

    def update(self, message: str) -> None:
        """Show ``message`` as the current state of the work."""
        if self.tty:
            self.stream.write(f"\r\x1b[K{message}")
            self._open = True
        else:
            self.stream.write(f"{message}\n")
        self.stream.flush()

    def done(self, message: str | None = None) -> None:
        """End the progress line, optionally with a final message."""
        if self._open:
            self.stream.write("\r\x1b[K")
            self._open = False
        if message:
            self.stream.write(f"{message}\n")
        self.stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
