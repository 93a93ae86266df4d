"""The generic resource: list/get/create/update/delete with every convention, in one call.

``app.resource("datasets", model=Dataset, create=DatasetCreate,
update=DatasetUpdate, id_prefix="ds")`` adds::

    GET    <scope>/datasets            cursor page, ?limit= ?cursor= and the declared filters
    POST   <scope>/datasets            201, Idempotency-Key honoured
    GET    <scope>/datasets/{id}
    PATCH  <scope>/datasets/{id}       only the fields sent; If-Match: <version> → 409 on mismatch
    DELETE <scope>/datasets/{id}       204; If-Match honoured
    GET    <scope>/datasets/{id}/versions   (with history=True)

Documents live in the store's generic table under ``kind`` and a scope key
made of the collection path's parameters (``org/workspace`` for tenant
scope), so another tenant's resource is simply not found (404).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from ._http import HTTPError, Request, Response, not_found
from ._paging import PAGE_QUERY, Page, page_of, page_params
from ._routing import QueryParam
from ._store import Document, Transaction, VersionConflict

if TYPE_CHECKING:
    from ._app import App

__all__ = ["Resource", "StoredModel", "VersionEntry", "parse_if_match"]

Scope = Literal["tenant", "org", "global"]


class StoredModel(msgspec.Struct, kw_only=True):
    """Base of a resource's response model: the fields every stored resource has."""

    id: str
    version: int
    created_at: str
    updated_at: str


class VersionEntry(msgspec.Struct, kw_only=True):
    """The fields every version-history entry has (the data's fields come with them)."""

    version: int
    created_at: str


def parse_if_match(request: Request) -> int | None:
    """The version ``If-Match`` names (``"3"``, the ETag as sent, or a bare ``3``), compared
    strongly as RFC 9110 section 13.1.1 says; None when absent or ``*``.

    A weak tag (``W/"3"``) never matches, nor does a well-formed tag that is no
    version of ours (``"03"``, ``"abc"``): 409 ``version_conflict``, as for a
    stale version. A malformed value (unclosed quotes, spaces, an empty value,
    a list of several tags) is a 400 ``bad_if_match``.
    """
    raw = request.header("if-match")
    if raw is None:
        return None
    value = raw.strip(" \t")
    if value == "*":
        return None
    weak = value.startswith("W/")
    tag = value[2:] if weak else value
    quoted = len(tag) >= 2 and tag[0] == tag[-1] == '"'
    opaque = tag[1:-1] if quoted else tag
    # etagc = %x21 / %x23-7E / obs-text; a bare value is this API's plain version number
    well_formed = all(c == "\x21" or "\x23" <= c <= "\x7e" or "\x80" <= c <= "\xff" for c in opaque)
    digits = opaque.isascii() and opaque.isdigit()
    if not well_formed or (not quoted and (weak or not digits)):
        raise HTTPError(
            400,
            f'If-Match must be one version, as the ETag gave it ("3") or bare (3); got {raw!r}',
            "bad_if_match",
        )
    if weak:
        raise HTTPError(
            409,
            f"If-Match {raw!r} is a weak entity tag, and If-Match compares strongly, so it never "
            f'matches; send the ETag as given: If-Match: "{opaque}"',
            "version_conflict",
        )
    if digits and len(opaque) <= 18 and (not quoted or opaque == "0" or opaque[0] != "0"):
        return int(opaque)
    raise HTTPError(
        409,
        f'If-Match {raw!r} names no version of this resource (versions are ETags like "3"); '
        f"fetch it again and send its ETag",
        "version_conflict",
    )


def new_id(prefix: str) -> str:
    """A fresh id: ``<prefix>_`` and 16 random hex digits."""
    return f"{prefix}_{secrets.token_hex(8)}"


class Resource:
    """One kind of stored resource and its routes. Hooks (all optional):

    - ``guard(request)``: runs before every operation (e.g. 404 for an unknown type);
    - ``validate(request, data, existing)``: the data about to be stored (a dict),
      with the existing ``Document`` on update; return a changed dict or None;
      raise ``HTTPError`` to refuse;
    - ``before_delete(request, doc)``: raise ``HTTPError`` to refuse (e.g. 409 in use);
    - ``after_write(request, action, doc)``: ``action`` is create, update or delete;
      runs in the same transaction;
    - ``history=True`` keeps every version: ``GET .../{id}/versions`` pages through
      ``{**data, version, created_at}`` entries (typed by ``version_model``);
    - ``present(doc)``: the public dict of a document (default: data plus id,
      version and timestamps), converted to ``model``.
    """

    def __init__(
        self,
        app: App,
        path: str,
        *,
        model: Any,
        create: Any,
        update: Any = None,
        id_prefix: str,
        scope: Scope = "tenant",
        kind: str | None = None,
        filters: Sequence[str] = ("name",),
        history: bool = False,
        version_model: Any = None,
        tags: Sequence[str] = (),
        guard: Callable[[Request], None] | None = None,
        validate: Callable[[Request, dict[str, Any], Document | None], Any] | None = None,
        before_delete: Callable[[Request, Document], None] | None = None,
        after_write: Callable[[Request, str, Document], None] | None = None,
        present: Callable[[Document], dict[str, Any]] | None = None,
        operations: Sequence[str] = ("list", "get", "create", "update", "delete"),
    ) -> None:
        from ._app import API, ORG, TENANT

        prefix = {"tenant": TENANT, "org": ORG, "global": API}[scope]
        self.app = app
        self.collection_path = f"{prefix}/{path.strip('/')}"
        self.item_path = f"{self.collection_path}/{{id}}"
        self.kind = kind or path.strip("/").split("/")[0]
        self.model = model
        self.create_type = create
        self.update_type = update
        self.id_prefix = id_prefix
        self.scope = scope
        self.filters = tuple(filters)
        self.history = history
        self.guard = guard
        self.validate = validate
        self.before_delete = before_delete
        self.after_write = after_write
        self.present = present
        self._scope_params = [s[1:-1] for s in self.collection_path.split("/") if s.startswith("{")]
        tag = tuple(tags) or (self.kind,)
        noun = self.kind.rstrip("s") if self.kind.endswith("s") else self.kind
        filter_query = tuple(
            QueryParam(f, str, f"only those whose {f} equals this") for f in filters
        )
        if "list" in operations:
            app.add_route(
                "GET",
                self.collection_path,
                self.list_handler,
                response=Page[model],
                query=PAGE_QUERY + filter_query,
                summary=f"List {self.kind}",
                tags=tag,
            )
        if "create" in operations:
            app.add_route(
                "POST",
                self.collection_path,
                self.create_handler,
                body=create,
                response=model,
                status=201,
                summary=f"Create a {noun}",
                tags=tag,
            )
        if "get" in operations:
            app.add_route(
                "GET",
                self.item_path,
                self.get_handler,
                response=model,
                summary=f"Get a {noun}",
                tags=tag,
            )
        if "update" in operations and update is not None:
            app.add_route(
                "PATCH",
                self.item_path,
                self.update_handler,
                body=update,
                response=model,
                summary=f"Update a {noun} (If-Match: <version> for a safe write)",
                tags=tag,
            )
        if "delete" in operations:
            app.add_route(
                "DELETE",
                self.item_path,
                self.delete_handler,
                status=204,
                summary=f"Delete a {noun} (If-Match honoured)",
                tags=tag,
            )
        if history:
            app.add_route(
                "GET",
                f"{self.item_path}/versions",
                self.versions_handler,
                response=Page[version_model] if version_model else Page[dict[str, Any]],
                query=PAGE_QUERY,
                summary=f"Version history of a {noun}",
                tags=tag,
            )

    def __repr__(self) -> str:
        return f"<Resource {self.kind} at {self.collection_path}>"

    # for custom routes

    def scope_key(self, request: Request) -> str:
        """The store scope of the collection a request names (its path parameters)."""
        return "/".join(request.params[name] for name in self._scope_params)

    def load(self, request: Request, resource_id: str | None = None) -> Document:
        """The document the request names (``{id}`` unless given); 404 when absent."""
        doc_id = resource_id if resource_id is not None else request.params["id"]
        with request.store.transaction(write=False) as tx:
            doc = tx.get(self.kind, self.scope_key(request), doc_id)
        if doc is None:
            raise not_found(f"{self.kind.rstrip('s')} {doc_id!r}")
        return doc

    def render(self, doc: Document) -> Any:
        """The response model of a document."""
        public = self.present(doc) if self.present else doc.public()
        return msgspec.convert(public, self.model)

    # handlers

    def _guard(self, request: Request) -> None:
        if self.guard is not None:
            self.guard(request)

    def list_handler(self, request: Request) -> Any:
        """``GET <collection>``: a page of the scope's documents, filtered."""
        self._guard(request)
        limit, after = page_params(request)
        where = {f: request.query_one(f) for f in self.filters if request.query_one(f) is not None}
        with request.store.transaction(write=False) as tx:
            docs = tx.list(
                self.kind, self.scope_key(request), where=where, after=after, limit=limit + 1
            )
        return page_of(docs, limit, lambda d: d.seq, self.render)

    def get_handler(self, request: Request) -> Any:
        """``GET <item>``: the document, with its version as ETag."""
        self._guard(request)
        doc = self.load(request)
        return Response(200, self.render(doc), {"ETag": f'"{doc.version}"'})

    def create_handler(self, request: Request) -> Any:
        """``POST <collection>``: 201 with the new document, its ETag and Location."""
        self._guard(request)
        data = msgspec.to_builtins(request.data)
        with request.store.transaction() as tx:
            if self.validate is not None:
                changed = self.validate(request, data, None)
                data = changed if changed is not None else data
            doc_id = new_id(self.id_prefix)
            doc = tx.insert(self.kind, self.scope_key(request), doc_id, data, history=self.history)
            if self.after_write is not None:
                self.after_write(request, "create", doc)
            rendered = self._checked_render(doc)
        return Response(
            201,
            rendered,
            {"ETag": f'"{doc.version}"', "Location": f"{request.path.rstrip('/')}/{doc.id}"},
        )

    def update_handler(self, request: Request) -> Any:
        """``PATCH <item>``: the fields sent change; If-Match guards the version."""
        self._guard(request)
        expected = parse_if_match(request)
        sent = request.json() or {}
        changes = (
            {k: v for k, v in msgspec.to_builtins(request.data).items() if k in sent}
            if isinstance(sent, dict)
            else {}
        )
        with request.store.transaction() as tx:
            current = self._current(request, tx)
            data = {**current.data, **changes}
            # The merged data must still fit the model before a hook sees it.
            self._checked_render(dataclasses.replace(current, data=data))
            if self.validate is not None:
                changed = self.validate(request, data, current)
                data = changed if changed is not None else data
            try:
                doc = tx.update(
                    self.kind,
                    current.scope,
                    current.id,
                    data,
                    expected_version=expected,
                    history=self.history,
                )
            except VersionConflict as exc:
                raise _stale(expected, exc.current) from None
            assert doc is not None
            if self.after_write is not None:
                self.after_write(request, "update", doc)
            rendered = self._checked_render(doc)
        return Response(200, rendered, {"ETag": f'"{doc.version}"'})

    def delete_handler(self, request: Request) -> None:
        """``DELETE <item>``: 204; If-Match guards the version."""
        self._guard(request)
        expected = parse_if_match(request)
        with request.store.transaction() as tx:
            current = self._current(request, tx)
            if expected is not None and expected != current.version:
                raise _stale(expected, current.version)
            if self.before_delete is not None:
                self.before_delete(request, current)
            tx.delete(self.kind, current.scope, current.id)
            if self.after_write is not None:
                self.after_write(request, "delete", current)

    def versions_handler(self, request: Request) -> Any:
        """``GET <item>/versions``: a page of the document's history."""
        self._guard(request)
        limit, after = page_params(request)
        doc = self.load(request)
        with request.store.transaction(write=False) as tx:
            rows = tx.versions(self.kind, doc.scope, doc.id, after=after, limit=limit + 1)
        return page_of(
            rows,
            limit,
            lambda r: r[0],
            lambda r: {**r[1], "version": r[0], "created_at": r[2]},
        )

    def _checked_render(self, doc: Document) -> Any:
        """The response model of a document about to be committed; 422 (and no write) when
        the stored data no longer fits the model, e.g. a PATCH that set a field to null."""
        try:
            return self.render(doc)
        except msgspec.ValidationError as exc:
            from ._app import field_errors

            raise HTTPError(422, field_errors(exc), "validation_error") from None

    def _current(self, request: Request, tx: Transaction) -> Document:
        doc_id = request.params["id"]
        doc = tx.get(self.kind, self.scope_key(request), doc_id)
        if doc is None:
            raise not_found(f"{self.kind.rstrip('s')} {doc_id!r}")
        return doc


def _stale(expected: int | None, current: int) -> HTTPError:
    return HTTPError(
        409,
        f"version conflict: If-Match named version {expected}, but the current version is "
        f"{current}; fetch it again and retry with If-Match: {current}",
        "version_conflict",
    )
