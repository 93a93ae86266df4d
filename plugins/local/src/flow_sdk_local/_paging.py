"""Cursor pagination: ``?limit=`` (default 50, max 500) and an opaque ``?cursor=``.

A cursor encodes the position of the last item of a page (the store's
sequence number), so pages stay stable while items are added.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from ._http import FieldError, HTTPError, Request
from ._routing import QueryParam

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "PAGE_QUERY",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "page_of",
    "page_params",
]

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500

PAGE_QUERY = (
    QueryParam("limit", int, f"items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})"),
    QueryParam("cursor", str, "the next_cursor of the previous page"),
)


class Page(msgspec.Struct, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor names; 422 for a cursor this platform did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("p"):
            raise ValueError(raw)
        return int(raw[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HTTPError(
            422,
            [
                FieldError(
                    ["query", "cursor"], "not a cursor from this list; pass next_cursor as is"
                )
            ],
            "validation_error",
        ) from None


def page_params(request: Request) -> tuple[int, int]:
    """``(limit, after)`` from the query: 422 for a limit outside 1..500 or a bad cursor."""
    raw = request.query_one("limit")
    limit = DEFAULT_LIMIT
    if raw is not None:
        try:
            limit = int(raw)
        except ValueError:
            limit = -1
        if not 1 <= limit <= MAX_LIMIT:
            raise HTTPError(
                422,
                [FieldError(["query", "limit"], f"must be a whole number from 1 to {MAX_LIMIT}")],
                "validation_error",
            )
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
