"""Cursor pagination that fetches pages only as they are iterated."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from ._errors import CLIClientError
from ._models import Page

__all__ = ["Paginator"]

T = TypeVar("T")


class Paginator(Generic[T]):
    """Iterates over every item of a list, one page request at a time.

    Nothing is fetched until iteration starts; ``limit`` stops after that many
    items (and fetches no page past them).
    """

    def __init__(self, fetch: Callable[[str | None], Page[T]], *, limit: int | None = None):
        if limit is not None and limit < 0:
            raise ValueError("limit must be 0 or more")
        self._fetch = fetch
        self._limit = limit

    def pages(self) -> Iterator[Page[T]]:
        """Each page in turn, as returned by the platform."""
        cursor: str | None = None
        seen = 0
        cursors: set[str] = set()
        while True:
            if self._limit is not None and seen >= self._limit:
                return
            page = self._fetch(cursor)
            seen += len(page.items)
            yield page
            cursor = page.next_cursor
            if not cursor or not page.items:
                return
            if cursor in cursors:
                # A platform bug would otherwise make iteration endless.
                raise CLIClientError(
                    f"the platform returned the page cursor {cursor!r} twice",
                    hint="iterate with limit=... and report the platform bug",
                )
            cursors.add(cursor)

    def __iter__(self) -> Iterator[T]:
        remaining = self._limit
        for page in self.pages():
            for item in page.items:
                if remaining is not None:
                    if remaining <= 0:
                        return
                    remaining -= 1
                yield item

    def to_list(self) -> list[T]:
        """Every item, fetching every page."""
        return list(self)

    def first(self) -> T | None:
        """The first item, or None; fetches one page at most."""
        return next(iter(self), None)
