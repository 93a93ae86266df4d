"""``client.notes``: a resource namespace with a typed model, on ``<tenant>/notes``."""

from __future__ import annotations

from datetime import datetime

from flow_sdk.plugin import (
    Listing,
    Model,
    ModeT,
    ResourceNamespace,
    Steps,
    endpoint,
    paginated,
    send,
)

__all__ = ["Note", "NotesNamespace"]


class Note(Model):
    """A short text note in a workspace."""

    id: str
    title: str
    body: str = ""
    pinned: bool = False
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class NotesNamespace(ResourceNamespace[ModeT, Note]):
    """Notes of the selected workspace: list, get, create, update, delete, pin.

    Everything but ``pin`` comes from ``ResourceNamespace``: lazy cursor
    pagination, idempotent creates, ``if_match`` on update and delete, and
    ``Note`` records instead of dicts. Written once, it serves both clients:
    ``client.notes.pin(id)`` returns a ``Note``, ``await aclient.notes.pin(id)`` too.
    """

    path = "notes"
    scope = "tenant"
    model = Note

    @paginated
    def list(  # type: ignore[override]
        self, *, title: str | None = None, page_size: int = 50, limit: int | None = None
    ) -> Listing[Note]:
        """Every note (only those titled ``title``, if given), fetched page by page."""
        return self._list(page_size=page_size, limit=limit, title=title)

    @endpoint
    def pin(self, note_id: str) -> Steps[Note]:
        """Pin a note; a pinned note cannot be deleted until it is unpinned."""
        return (yield from send("POST", self._item(note_id, "pin"), type=Note))

    @endpoint
    def unpin(self, note_id: str) -> Steps[Note]:
        """Unpin a note, so it can be deleted again."""
        return (yield from send("POST", self._item(note_id, "unpin"), type=Note))
