"""What ``flow`` prints: data on stdout as a table or JSON, everything else on stderr.

Standard output carries only the data, so ``flow … | jq`` always works:
JSON with ``--json``, JSON Lines (one object a line, streamed as pages
arrive) with ``--jsonl``, and JSON by default when stdout is not a terminal
(``FLOW_OUTPUT=table`` or ``json`` overrides that default). Messages,
warnings, progress and errors go to standard error.

On a terminal a table fits the terminal's width (long cells end in "…") and
timestamps read as ``2026-12-06 18:03`` (local time); headers, errors,
warnings and successes are coloured unless ``NO_COLOR`` or ``--no-color``
says otherwise. A file or a pipe never gets an escape code (unless
``FORCE_COLOR`` asks for colour).
"""

from __future__ import annotations

import datetime as _dt
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO, overload

import msgspec

from ._terminal import Style, display_width, isatty, pad, shorten

__all__ = [
    "Output",
    "Progress",
    "ProgressBar",
    "format_record",
    "format_table",
    "readable_time",
    "to_plain",
]

MAX_CELL = 80
MIN_COLUMN = 8
MIN_RECORD_VALUE = 20
_json_line = msgspec.json.Encoder()

_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
)


def to_plain(data: Any) -> Any:
    """Structs, dataclasses, datetimes… as plain JSON values."""
    return msgspec.to_builtins(data, enc_hook=str)


def readable_time(text: str, *, seconds: bool = False) -> str | None:
    """An ISO 8601 timestamp as ``2026-12-06 18:03`` in local time; None if it is not one."""
    if len(text) < 16 or not _TIMESTAMP.fullmatch(text):
        return None
    try:
        moment = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _text(value: Any, *, readable: bool, seconds: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value
        if readable:
            text = readable_time(value, seconds=seconds) or value
    elif isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, _dt.datetime | _dt.date):
        text = value.isoformat()
    else:
        text = msgspec.json.encode(to_plain(value)).decode()
    if not text.isprintable():  # one row per line, whatever the value holds
        text = "".join(c if c.isprintable() else " " for c in text)
    return text


def _cell(value: Any, limit: int | None = MAX_CELL, *, readable: bool = False) -> str:
    text = _text(value, readable=readable)
    return shorten(text, limit) if limit is not None else text


def _header(column: str) -> str:
    return column.replace("_", " ").upper()


def _columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns


def fit_widths(widths: Sequence[int], available: int, *, minimum: int = MIN_COLUMN) -> list[int]:
    """Column widths that add up to at most ``available``: the widest are cut first,
    none below ``minimum`` (or its own width when narrower); the rest is shared out again."""
    natural = list(widths)
    if sum(natural) <= available:
        return natural
    floors = [min(w, minimum) for w in natural]
    low, high = 0, max(natural)
    while low < high:  # the largest cap under which everything fits
        cap = (low + high + 1) // 2
        if sum(max(f, min(w, cap)) for w, f in zip(natural, floors, strict=True)) <= available:
            low = cap
        else:
            high = cap - 1
    fitted = [max(f, min(w, low)) for w, f in zip(natural, floors, strict=True)]
    spare = available - sum(fitted)
    for i, w in enumerate(natural):
        if spare <= 0:
            break
        extra = min(spare, w - fitted[i])
        if extra > 0:
            fitted[i] += extra
            spare -= extra
    return fitted


def format_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    width: int | None = None,
    style: Style | None = None,
) -> str:
    """Rows as aligned columns under an upper-case header; '' when there are none.

    With ``width`` (a terminal's), the table fits it: long cells are cut with
    "…" and timestamps are shown as ``2026-12-06 18:03``. Without it, each
    cell is cut at 80 characters.
    """
    if not rows:
        return ""
    cols = list(columns) if columns else _columns_of(rows)
    terminal = width is not None
    limit = None if terminal else MAX_CELL
    cells = [[_cell(row.get(col), limit, readable=terminal) for col in cols] for row in rows]
    headers = [_header(col) for col in cols]
    widths = [
        max(display_width(h), *(display_width(r[i]) for r in cells)) for i, h in enumerate(headers)
    ]
    if width is not None:
        widths = fit_widths(widths, max(width - 2 * (len(cols) - 1), len(cols)))
    paint = style or Style(False)
    lines = []
    for index, row in enumerate([headers, *cells]):
        parts = [pad(shorten(text, widths[i]), widths[i]) for i, text in enumerate(row)]
        line = "  ".join(parts).rstrip()
        lines.append(paint(line, "bold") if index == 0 else line)
    return "\n".join(lines) + "\n"


def format_record(
    record: Mapping[str, Any],
    fields: Sequence[str] | None = None,
    *,
    width: int | None = None,
    style: Style | None = None,
) -> str:
    """One record as ``field  value`` lines (fitted to ``width`` when given)."""
    keys = list(fields) if fields else list(record)
    if not keys:
        return ""
    key_width = max(len(k) for k in keys)
    paint = style or Style(False)
    lines = []
    for key in keys:
        if width is None:
            value = _cell(record.get(key))
        else:
            text = _text(record.get(key), readable=True, seconds=True)
            value = shorten(text, max(width - key_width - 2, MIN_RECORD_VALUE))
        label = paint(key.ljust(key_width), "bold") if value else key
        lines.append(f"{label}  {value}".rstrip() + "\n")
    return "".join(lines)


class Output:
    """Prints command results in the chosen format; messages go to stderr.

    ``json`` is True for both JSON forms; ``jsonl`` says it is JSON Lines.
    ``width`` is the terminal's width when stdout is one (tables fit it), else None.
    """

    def __init__(
        self,
        stdout: TextIO,
        stderr: TextIO,
        *,
        json: bool,
        jsonl: bool = False,
        color: bool = False,
        err_color: bool = False,
        width: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.jsonl = jsonl
        self.json = json or jsonl
        self.style = Style(color)
        self.err_style = Style(err_color)
        self.width = width
        self.progress = progress

    # data

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
            if isinstance(plain, list) and not plain and empty and self.jsonl:
                self.message(empty)
            self.print_json(plain)
            return
        if isinstance(plain, list):
            if not plain and empty:
                self.message(empty)
            rows = [r if isinstance(r, dict) else {"value": r} for r in plain]
            self.stdout.write(format_table(rows, columns, width=self.width, style=self.style))
        elif isinstance(plain, dict):
            self.stdout.write(format_record(plain, None, width=self.width, style=self.style))
        elif plain is not None:
            self.stdout.write(f"{plain}\n")

    def stream(
        self,
        items: Iterable[Any],
        *,
        columns: Sequence[str] | None = None,
        empty: str | None = None,
        what: str = "items",
    ) -> int:
        """Print the items an iterator (a paginator) yields; returns how many.

        With ``--jsonl`` each item is written (and flushed) as soon as it
        arrives, so memory stays flat and ``| head`` answers at once; a table
        or ``--json`` needs them all first (progress shows on stderr, when it is
        a terminal, if the pages take more than half a second).
        """
        if self.jsonl:
            count = 0
            for item in items:
                self.stdout.write(_json_line.encode(to_plain(item)).decode() + "\n")
                self.stdout.flush()
                count += 1
            if not count and empty:
                self.message(empty)
            return count
        if self.progress is None:
            rows = list(items)
        else:  # a table or --json: all of them first, counted on stderr if it takes long
            rows = []
            with self.progress(unit=what, description="fetching", delay=0.5) as bar:
                for item in items:
                    rows.append(item)
                    bar.update()
        self.emit(rows, columns=columns, empty=empty)
        return len(rows)

    def table(self, rows: Any, columns: Sequence[str] | None = None) -> None:
        """Print rows as a table (JSON with --json)."""
        self.emit(list(rows), columns=columns)

    def print_json(self, data: Any) -> None:
        """Print ``data`` as indented JSON whatever the mode (with ``--jsonl``: a list
        one item a line, anything else on one line)."""
        plain = to_plain(data)
        if self.jsonl:
            items = plain if isinstance(plain, list) else [plain]
            for item in items:
                self.stdout.write(_json_line.encode(item).decode() + "\n")
            return
        encoded = msgspec.json.format(msgspec.json.encode(plain), indent=2)
        self.stdout.write(encoded.decode() + "\n")

    # messages (stderr)

    def _line(self, text: str) -> None:
        if self.progress is not None:
            self.progress.clear()
        self.stderr.write(f"{text}\n")

    def message(self, text: str) -> None:
        """A line for the person at the terminal (stderr)."""
        self._line(text)

    def success(self, text: str) -> None:
        """A line saying something was done (green on a terminal)."""
        self._line(self.err_style(text, "green"))

    def warning(self, text: str) -> None:
        """A ``warning:`` line on stderr (yellow on a terminal)."""
        self._line(f"{self.err_style('warning:', 'yellow', 'bold')} {text}")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0) + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _rate(value: float, unit: str) -> str:
    per = f"{unit}/s" if unit else "/s"
    if value >= 100:
        return f"{value:,.0f} {per}"
    return f"{value:.1f} {per}"


_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(fraction: float, width: int, *, unicode: bool) -> str:
    fraction = min(max(fraction, 0.0), 1.0)
    if not unicode:
        filled = int(fraction * width)
        return "#" * filled + "-" * (width - filled)
    eighths = int(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if full < width else "")
    return text.ljust(width)


class ProgressBar:
    """Long work measured in units: a bar with percentage when the total is known,
    the rate, and the time left (or elapsed), redrawn on one line of stderr.

    Shown only on a terminal and without ``--quiet``; everywhere else every
    method is a no-op, so a command calls it unconditionally::

        with ctx.progress(total=len(rows), unit="rows", description="appending") as bar:
            for batch in batches:
                send(batch)
                bar.update(len(batch))
    """

    def __init__(
        self,
        owner: Progress,
        *,
        total: float | None,
        unit: str,
        description: str | None,
        delay: float,
    ) -> None:
        self._owner = owner
        self.total = total
        self.unit = unit
        self.description = description
        self.completed: float = 0
        self._started = owner.clock()
        self._shown_at: float | None = None
        self._delay = delay
        self._closed = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def visible(self) -> bool:
        """Whether this bar is drawn at all (a terminal, no --quiet)."""
        return self._owner.tty and not self._owner.quiet

    def update(self, advance: float = 1, *, total: float | None = None) -> None:
        """Count ``advance`` more units done (and change the total if given)."""
        self.completed += advance
        if total is not None:
            self.total = total
        self._draw()

    def set(self, completed: float, *, total: float | None = None) -> None:
        """Say how many units are done in all."""
        self.completed = completed
        if total is not None:
            self.total = total
        self._draw()

    def _draw(self, *, force: bool = False) -> None:
        if self._closed or not self.visible:
            return
        now = self._owner.clock()
        if not force:
            if now - self._started < self._delay:
                return
            if self._shown_at is not None and now - self._shown_at < self._owner.interval:
                return
        self._shown_at = now
        self._owner._show(self.render(now))

    def render(self, now: float | None = None) -> str:
        """The line as it is drawn now (for tests and custom displays)."""
        now = self._owner.clock() if now is None else now
        elapsed = max(now - self._started, 0.0)
        rate = self.completed / elapsed if elapsed > 0 else 0.0
        unit = f" {self.unit}" if self.unit else ""
        head = f"{self.description} " if self.description else ""
        if self.total:
            fraction = self.completed / self.total
            left = (self.total - self.completed) / rate if rate > 0 else None
            tail = (
                f" {_number(self.completed)}/{_number(self.total)}{unit}"
                f"  {_rate(rate, self.unit)}"
                f"  {_duration(left) + ' left' if left is not None else '--:-- left'}"
            )
            percent = f"{fraction * 100:3.0f}% "
            room = self._owner.width() - display_width(head + percent + tail) - 2
            if room >= 10:
                bar = _bar(fraction, min(room, 40), unicode=self._owner.unicode)
                return f"{head}{percent}{self._owner.style(bar, 'cyan')}{tail}"
            return shorten(f"{head}{percent}{tail.lstrip()}", self._owner.width() - 1)
        line = (
            f"{head}{_number(self.completed)}{unit}  {_rate(rate, self.unit)}  {_duration(elapsed)}"
        )
        return shorten(line, self._owner.width() - 1)

    def close(self, message: str | None = None) -> None:
        """Remove the bar (and print ``message``, if given, in its place)."""
        if self._closed:
            return
        self._closed = True
        self._owner.done(message)


class Progress:
    """Progress for long work, on stderr: one rewritten line on a terminal, lines otherwise.

    Called with a message (``ctx.progress("uploading")``) it shows that message
    as the current state, so it can be passed wherever an
    ``on_progress(message)`` callback is expected. Called with keywords
    (``ctx.progress(total=10_000, unit="rows")``) it returns a ``ProgressBar``.
    ``quiet`` (``--quiet``) hides everything but ``done``'s final message.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        tty: bool | None = None,
        quiet: bool = False,
        color: bool = False,
        width: Callable[[], int] | int | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.1,
    ) -> None:
        self.stream = stream
        self.tty = isatty(stream) if tty is None else tty
        self.quiet = quiet
        self.style = Style(color)
        self.clock = clock
        self.interval = interval
        self._width = width
        self._open = False
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
        self.unicode = encoding in ("utf8", "utf16", "utf32")

    def width(self) -> int:
        """The terminal's width now (it may change while the work runs)."""
        if callable(self._width):
            return self._width()
        return self._width or 80

    @overload
    def __call__(self, message: str) -> None: ...

    @overload
    def __call__(
        self,
        message: None = None,
        *,
        total: float | None = None,
        unit: str = "",
        description: str | None = None,
        delay: float = 0.0,
    ) -> ProgressBar: ...

    def __call__(
        self,
        message: str | None = None,
        *,
        total: float | None = None,
        unit: str = "",
        description: str | None = None,
        delay: float = 0.0,
    ) -> ProgressBar | None:
        if message is not None:
            self.update(message)
            return None
        return self.bar(total=total, unit=unit, description=description, delay=delay)

    def bar(
        self,
        *,
        total: float | None = None,
        unit: str = "",
        description: str | None = None,
        delay: float = 0.0,
    ) -> ProgressBar:
        """A ``ProgressBar`` for ``total`` units (None: not known); ``delay`` seconds
        pass before it first shows, so quick work shows nothing."""
        return ProgressBar(self, total=total, unit=unit, description=description, delay=delay)

    def update(self, message: str) -> None:
        """Show ``message`` as the current state of the work."""
        if self.quiet:
            return
        if self.tty:
            self._show(message)
        else:
            self.stream.write(f"{message}\n")
            self.stream.flush()

    def _show(self, line: str) -> None:
        self.stream.write(f"\r\x1b[K{line}")
        self._open = True
        self.stream.flush()

    def clear(self) -> None:
        """Erase the progress line, if one is shown (before printing another line)."""
        if self._open:
            self.stream.write("\r\x1b[K")
            self._open = False
            self.stream.flush()

    def done(self, message: str | None = None) -> None:
        """End the progress line, optionally with a final message."""
        self.clear()
        if message:
            self.stream.write(f"{message}\n")
        self.stream.flush()


class Waiting:
    """The state of what a command waits for, on one line of stderr with the time waited
    (redrawn while the client sleeps between polls). Only on a terminal and without
    --quiet: into a pipe or a file nothing is written. Build it before the first
    ``ctx.client()``: the client sleeps through ``ctx.sleep``, which it wraps."""

    TICK = 0.25

    def __init__(self, ctx: Any) -> None:
        self._progress = ctx.progress
        self._clock = ctx.settings.clock
        self._started = self._clock()
        self._line = ""
        self.visible = ctx.progress.tty and not ctx.progress.quiet
        if self.visible:
            sleep = ctx.sleep

            def pause(seconds: float) -> None:
                while seconds > 0:
                    step = min(seconds, self.TICK)
                    sleep(step)
                    seconds -= step
                    self._draw()

            ctx.sleep = pause

    def show(self, line: str) -> None:
        """Make ``line`` the state shown (the time waited is added to it)."""
        self._line = line
        self._draw()

    def _draw(self) -> None:
        if self.visible and self._line:
            waited = int(max(self._clock() - self._started, 0))
            minutes, seconds = divmod(waited, 60)
            self._progress(f"{self._line}  {minutes}:{seconds:02d}")

    def done(self) -> None:
        """Erase the line."""
        self._progress.done()
