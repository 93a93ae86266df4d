"""``client.notes``: a resource namespace with a typed model, on ``<tenant>/notes``."""

from __future__ import annotations

from datetime import datetime

from flow_sdk import Model, Paginator, ResourceNamespace

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


class NotesNamespace(ResourceNamespace[Note]):
    """Notes of the selected workspace: list, get, create, update, delete, pin.

    Everything but ``pin`` comes from ``ResourceNamespace``: lazy cursor
    pagination, idempotent creates, ``if_match`` on update and delete, and
    ``Note`` records instead of dicts.
    """

    path = "notes"
    scope = "tenant"
    model = Note

    def list(  # type: ignore[override]
        self, *, title: str | None = None, page_size: int = 50, limit: int | None = None
    ) -> Paginator[Note]:
        """Every note (only those titled ``title``, if given), fetched page by page."""
        return super().list(page_size=page_size, limit=limit, title=title)

    def pin(self, note_id: str) -> Note:
        """Pin a note; a pinned note cannot be deleted until it is unpinned."""
        return self._request("POST", self._item(note_id, "pin"), type=Note)  # type: ignore[no-any-return]

    def unpin(self, note_id: str) -> Note:
        """Unpin a note, so it can be deleted again."""
        return self._request("POST", self._item(note_id, "unpin"), type=Note)  # type: ignore[no-any-return]
