"""What a stream can show: colour, its width, and how wide a text is on screen.

Colour is decided per stream, in this order: ``--no-color`` and ``NO_COLOR``
turn it off; ``FORCE_COLOR`` turns it on (even for a file or a pipe: the
user asked for it); otherwise only a terminal gets it (and never one whose
``TERM`` is ``dumb``). Nothing here imports more than the standard library's
smallest modules, so the ``flow`` command pays nothing for it at start-up.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = [
    "Style",
    "display_width",
    "isatty",
    "shorten",
    "terminal_width",
    "wants_color",
]

DEFAULT_WIDTH = 80
ELLIPSIS = "…"

_CODES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "cyan": "36",
}


def isatty(stream: Any) -> bool:
    """True when ``stream`` is a terminal (False for anything that cannot say)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _set(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "") != ""


def wants_color(stream: Any, environ: Mapping[str, str], *, no_color: bool = False) -> bool:
    """Whether to colour what goes to ``stream``: see the module's docstring."""
    if no_color or _set(environ, "NO_COLOR"):
        return False
    force = environ.get("FORCE_COLOR", "")
    if force not in ("", "0", "false", "no"):
        return True
    return isatty(stream) and environ.get("TERM", "") != "dumb"


def terminal_width(stream: Any, environ: Mapping[str, str]) -> int:
    """Columns of the terminal behind ``stream``: ``COLUMNS`` when set, else asked, else 80."""
    raw = environ.get("COLUMNS", "")
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    try:
        return os.get_terminal_size(stream.fileno()).columns or DEFAULT_WIDTH
    except (AttributeError, ValueError, OSError):
        return DEFAULT_WIDTH


class Style:
    """Paints text with ANSI colours when enabled; returns it unchanged otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __repr__(self) -> str:
        return f"Style(enabled={self.enabled})"

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not text or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _char_width(char: str) -> int:
    if char < "\u0300":  # everything before the combining marks is one column
        return 1
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """How many columns ``text`` takes on a terminal (wide characters count two)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending in an ellipsis when it was cut."""
    if display_width(text) <= width:
        return text
    if width <= 0:
        return ""
    kept: list[str] = []
    used = 0
    for char in text:
        w = _char_width(char)
        if used + w > width - 1:
            break
        kept.append(char)
        used += w
    return "".join(kept) + ELLIPSIS


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns."""
    return text + " " * max(0, width - display_width(text))
