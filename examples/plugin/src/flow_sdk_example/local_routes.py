"""The notes routes of the local platform (flow-sdk-local), as plugins/local/ROUTES.md shows.

Imported only when a local platform is built, so the plugin needs
flow-sdk-local only to run against it (the ``local`` extra), never at import.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from flow_sdk_local import (
    NOT_BLANK,
    TENANT,
    App,
    HTTPError,
    Request,
    StoredModel,
    conflict,
    is_blank,
)
from flow_sdk_local.console import Console, View

__all__ = ["console_panel", "install"]


class StoredNote(StoredModel):
    """What the platform returns for a note (``id``, ``version`` and times come from the base)."""

    title: str
    body: str = ""
    pinned: bool = False


Title = Annotated[
    str,
    msgspec.Meta(description="not blank", extra_json_schema={"minLength": 1, "pattern": NOT_BLANK}),
]
"""A note's title: ``validate`` refuses a blank one with a sentence that says what to do;
the pattern says the same in the OpenAPI document."""


class NoteCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The body of ``POST <tenant>/notes``."""

    title: Title
    body: str = ""


class NoteUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The body of ``PATCH <tenant>/notes/{id}``: only the fields sent change."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    body: str | msgspec.UnsetType = msgspec.UNSET


def install(app: App) -> None:
    """Add ``<tenant>/notes`` (list/get/create/update/delete) and ``…/{id}/pin|unpin``."""

    def validate(request: Request, data: dict[str, Any], existing: Any) -> None:
        if is_blank(str(data.get("title", ""))):
            raise HTTPError(
                422, "title must not be blank: give the note a title", "validation_error"
            )

    def before_delete(request: Request, doc: Any) -> None:
        if doc.data.get("pinned"):
            raise conflict("the note is pinned: unpin it (flow notes unpin ID) before deleting it")

    notes = app.resource(
        "notes",
        model=StoredNote,
        create=NoteCreate,
        update=NoteUpdate,
        id_prefix="note",
        filters=("title",),
        validate=validate,
        before_delete=before_delete,
    )

    def set_pinned(request: Request, pinned: bool) -> Any:
        doc = notes.load(request)
        with request.store.transaction() as tx:
            updated = tx.update(doc.kind, doc.scope, doc.id, {**doc.data, "pinned": pinned})
        if updated is None:  # deleted by another writer meanwhile
            raise HTTPError(404, f"note {doc.id!r} not found", "not_found")
        return notes.render(updated)

    @app.post(TENANT + "/notes/{id}/pin", response=StoredNote, tags=("notes",))
    def pin(request: Request) -> Any:
        """Pin a note (a pinned note cannot be deleted)."""
        return set_pinned(request, True)

    @app.post(TENANT + "/notes/{id}/unpin", response=StoredNote, tags=("notes",))
    def unpin(request: Request) -> Any:
        """Unpin a note."""
        return set_pinned(request, False)


def console_panel(console: Console) -> None:
    """The console's "Notes" panel: the chosen workspace's notes, paged, and one in detail."""
    kind = console.app.resources["notes"].kind

    def render(view: View) -> str:
        scope = view.scope()
        if not scope:
            return view.needs_workspace("notes")
        out = ""
        note_id = view.arg("id")
        if note_id:
            with view.store.transaction(write=False) as tx:
                doc = tx.get(kind, scope, note_id)
            if doc is None:
                out += view.missing(f"No note {note_id!r} in this workspace.")
            else:
                pinned = view.badge("pinned", "ok") if doc.data.get("pinned") else "no"
                fields = [
                    ("Title", doc.data.get("title")),
                    ("Body", doc.data.get("body")),
                    ("Pinned", pinned),
                    ("Version", doc.version),
                    ("Updated", doc.updated_at),
                ]
                out += view.section(view.detail(f"Note {doc.id}", fields))
        docs, cursor = view.page(kind, scope)
        rows = [
            (view.link(view.url(id=d.id), d.data.get("title", d.id)), d.id, d.version) for d in docs
        ]
        return out + view.section(view.table("Notes", ("Title", "Id", "Version"), rows, cursor))

    console.panel("notes", "Notes", render)
