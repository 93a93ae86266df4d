"""Cursor pagination that fetches pages only as they are iterated, sync or async.

A list method returns a ``Listing``: how to fetch one page (as steps) and how
many items to stop after. ``CLIClient`` wraps it in a ``Paginator``,
``AsyncCLIClient`` in an ``AsyncPaginator``; both walk the cursors the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from ._errors import CLIClientError
from ._models import Page
from ._steps import Steps, send

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "AsyncPaginator",
    "Listing",
    "Paginator",
    "cursor_pages",
]

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class Listing(Generic[T]):
    """A list as data: ``page(cursor)`` fetches one page (as steps); ``limit`` caps the items."""

    __slots__ = ("limit", "page")

    def __init__(
        self, page: Callable[[str | None], Steps[Page[T]]], *, limit: int | None = None
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError("limit must be 0 or more")
        self.page = page
        self.limit = limit


def cursor_pages(
    url: str,
    page_type: type[Page[T]],
    *,
    params: Mapping[str, Any] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    limit: int | None = None,
    max_page_size: int = MAX_PAGE_SIZE,
) -> Listing[T]:
    """The usual list: ``GET url?limit=page_size&cursor=…`` plus ``params`` (None dropped)."""
    if not 1 <= page_size <= max_page_size:
        raise ValueError(f"page_size must be between 1 and {max_page_size}")
    base = dict(params or {})

    def page(cursor: str | None) -> Steps[Page[T]]:
        query = {**base, "limit": page_size, "cursor": cursor}
        return (yield from send("GET", url, params=query, type=page_type))

    return Listing(page, limit=limit)


class _Walk:
    """Where a walk over the pages stands: the next cursor, and when to stop."""

    __slots__ = ("cursor", "cursors", "done", "limit", "seen")

    def __init__(self, limit: int | None) -> None:
        self.cursor: str | None = None
        self.cursors: set[str] = set()
        self.limit = limit
        self.seen = 0
        self.done = limit is not None and limit <= 0

    def after(self, page: Page[Any]) -> None:
        self.seen += len(page.items)
        cursor = page.next_cursor
        if not cursor or not page.items or (self.limit is not None and self.seen >= self.limit):
            self.done = True
            return
        if cursor in self.cursors:
            # A platform bug would otherwise make iteration endless.
            raise CLIClientError(
                f"the platform returned the page cursor {cursor!r} twice",
                hint="iterate with limit=... and report the platform bug",
            )
        self.cursors.add(cursor)
        self.cursor = cursor


class _Cap:
    """How many more items a ``limit`` lets through."""

    __slots__ = ("remaining",)

    def __init__(self, limit: int | None) -> None:
        self.remaining = limit

    def take(self, items: list[T]) -> list[T]:
        if self.remaining is None:
            return items
        taken = items[: max(self.remaining, 0)]
        self.remaining -= len(taken)
        return taken


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
        walk = _Walk(self._limit)
        while not walk.done:
            page = self._fetch(walk.cursor)
            yield page
            walk.after(page)

    def __iter__(self) -> Iterator[T]:
        cap = _Cap(self._limit)
        for page in self.pages():
            yield from cap.take(page.items)

    def to_list(self) -> list[T]:
        """Every item, fetching every page (a page at a time, not an item at a time)."""
        cap = _Cap(self._limit)
        found: list[T] = []
        for page in self.pages():
            found += cap.take(page.items)
        return found

    def first(self) -> T | None:
        """The first item, or None; fetches one page at most."""
        return next(iter(self), None)


class AsyncPaginator(Generic[T]):
    """``Paginator`` for ``AsyncCLIClient``: ``async for item in client.agents.list()``."""

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[Page[T]]], *, limit: int | None = None
    ):
        if limit is not None and limit < 0:
            raise ValueError("limit must be 0 or more")
        self._fetch = fetch
        self._limit = limit

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Each page in turn, as returned by the platform."""
        walk = _Walk(self._limit)
        while not walk.done:
            page = await self._fetch(walk.cursor)
            yield page
            walk.after(page)

    async def __aiter__(self) -> AsyncIterator[T]:
        cap = _Cap(self._limit)
        async for page in self.pages():
            for item in cap.take(page.items):
                yield item

    async def to_list(self) -> list[T]:
        """Every item, fetching every page (a page at a time, not an item at a time)."""
        cap = _Cap(self._limit)
        found: list[T] = []
        async for page in self.pages():
            found += cap.take(page.items)
        return found

    async def first(self) -> T | None:
        """The first item, or None; fetches one page at most."""
        async for item in self:
            return item
        return None
