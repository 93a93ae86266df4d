"""``client.notes``: a resource namespace with a typed model, on ``<tenant>/notes``."""

from __future__ import annotations

from datetime import datetime

from flow_sdk import Model, ResourceNamespace

__all__ = ["Note", "NotesNamespace"]


class Note(Model):
    """A short text note in a workspace."""

    id: str
    title: str
    body: str = ""
    tags: list[str] = []
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class NotesNamespace(ResourceNamespace[Note]):
    """Notes of the selected workspace: list, get, create, update, delete.

    Everything comes from ``ResourceNamespace``: lazy cursor pagination,
    idempotent creates, ``if_match`` on update and delete, typed results.
    """

    path = "notes"
    scope = "tenant"
    model = Note
