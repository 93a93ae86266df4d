"""HTML a panel's values are made of: :class:`Markup` (not escaped), :func:`link`,
status tones, durations, hidden form fields; and :func:`next_page` for tests."""

from __future__ import annotations

import html
import re

e = html.escape


_BAD = {"failed", "error", "errored", "cancelled", "canceled", "timed_out", "bad", "rolled_back"}
_OK = {
    "succeeded",
    "success",
    "ok",
    "completed",
    "done",
    "delivered",
    "active",
    "good",
    "applied",
    "ready",
}


def _tone(status: str) -> str:
    lowered = status.lower()
    if lowered in _BAD:
        return "bad"
    if lowered in _OK:
        return "ok"
    return "bar" if lowered in ("", "running", "pending") else "muted"


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def _hidden(values: dict[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in values.items() if v
    )


class Markup(str):
    """Text already HTML (a table cell or detail value not to escape)."""


_NEXT = re.compile(r'rel="next" href="([^"]+)"')


def next_page(page: str) -> str:
    """The "Next page →" link of a rendered console page, as a path to get; "" on the last
    page. What a panel's test follows to check its paging."""
    found = _NEXT.search(page)
    return html.unescape(found.group(1)) if found else ""


def link(href: str, text: str) -> Markup:
    """A link as a table cell."""
    return Markup(f'<a href="{e(href)}">{e(text)}</a>')
