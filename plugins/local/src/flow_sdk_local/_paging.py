"""Cursor pagination: ``?limit=`` (default 50, max 500) and an opaque ``?cursor=``.

A cursor encodes the position of the last item of a page (the store's
sequence number), so pages stay stable while items are added: 11 URL-safe
base64 characters (a 64-bit position). ``Cursor`` and ``Limit`` are the types
the OpenAPI document states and :func:`page_params` checks.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import msgspec

from ._http import FieldError, HTTPError, Request
from ._routing import QueryParam

__all__ = [
    "CURSOR_PATTERN",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "PAGE_QUERY",
    "Cursor",
    "Limit",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "page_of",
    "page_params",
]

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{11}$"
_CURSOR = re.compile(r"[A-Za-z0-9_-]{11}")

Limit = Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[
    str,
    msgspec.Meta(
        pattern=CURSOR_PATTERN,
        description="the next_cursor of the previous page, as it was given",
    ),
]

LIMIT_QUERY = QueryParam(
    "limit",
    Limit,
    f"items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})",
    error=f"must be a whole number from 1 to {MAX_LIMIT}",
)
CURSOR_QUERY = QueryParam("cursor", Cursor, "the next_cursor of the previous page")
PAGE_QUERY = (LIMIT_QUERY, CURSOR_QUERY)


class Page(msgspec.Struct, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(position: int) -> str:
    """The cursor of a position (a signed 64-bit integer): 11 URL-safe base64 characters."""
    raw = position.to_bytes(8, "big", signed=True)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, message: str = "") -> int:
    """The position a cursor names; 422 for anything but 11 URL-safe base64 characters."""
    if not _CURSOR.fullmatch(cursor):
        raise HTTPError(
            422,
            [
                FieldError(
                    ["query", "cursor"],
                    message or "not a cursor from this list; pass next_cursor as is",
                )
            ],
            "validation_error",
        )
    return int.from_bytes(base64.urlsafe_b64decode(cursor + "="), "big", signed=True)


def page_params(
    request: Request, *, limit_query: QueryParam = LIMIT_QUERY, default: int = DEFAULT_LIMIT
) -> tuple[int, int]:
    """``(limit, after)`` from the query: 422 for a limit outside 1..500 or a bad cursor
    (``limit_query``: a route's own ``limit`` parameter, e.g. with another maximum)."""
    limit: int = limit_query.value(request, default)
    cursor = request.query_one("cursor")
    return limit, decode_cursor(cursor) if cursor else 0


def page_of(
    rows: Sequence[Any], limit: int, position: Callable[[Any], int], render: Callable[[Any], Any]
) -> dict[str, Any]:
    """A page from up to ``limit + 1`` rows (the extra one says there is a next page)."""
    items = rows[:limit]
    more = len(rows) > limit
    return {
        "items": [render(row) for row in items],
        "next_cursor": encode_cursor(position(items[-1])) if more and items else None,
    }
