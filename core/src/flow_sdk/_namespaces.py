"""Base classes that plugin namespaces build on, written once for both clients.

``Namespace`` gives a namespace its client's config and URL helpers;
``ResourceNamespace`` is the generic list/get/create/update/delete of one kind
of resource; ``ComponentTypeNamespace`` is that for one component type of the
catalog, plus its version history. Each is generic over its mode, so
``client.agents`` is ``ComponentTypeNamespace[Sync]`` on ``CLIClient`` and
``ComponentTypeNamespace[Async]`` on ``AsyncCLIClient``.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

import msgspec

from ._endpoints import Bound, ModeT, endpoint, paginated, raw_responses
from ._models import Component, ComponentVersion, Page
from ._pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Listing, cursor_pages
from ._steps import Steps, send
from ._urls import API_PREFIX, org_path, path_segment, tenant_path

if TYPE_CHECKING:
    from ._client_base import ClientBase
    from ._config import FlowConfig

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "ComponentTypeNamespace",
    "Namespace",
    "ResourceNamespace",
    "body_of",
    "if_match_headers",
]

M = TypeVar("M")


def body_of(data: Mapping[str, Any] | msgspec.Struct | None, fields: Mapping[str, Any]) -> Any:
    """A request body from a mapping or Struct, plus keyword fields (which win)."""
    if data is None:
        body: dict[str, Any] = {}
    elif isinstance(data, msgspec.Struct):
        body = dict(msgspec.to_builtins(data))
    else:
        body = dict(data)
    body.update(fields)
    return body


def if_match_headers(if_match: int | str | None) -> dict[str, str] | None:
    """``{"If-Match": version}``, or None when no version is given."""
    return None if if_match is None else {"If-Match": str(if_match)}


class Namespace(Bound[ModeT]):
    """Base of every namespace: its client's config, URL helpers and raw responses.

    Subclass it (or ``ResourceNamespace``), keep the class generic over the
    mode (``class NotesNamespace(ResourceNamespace[ModeT, Note])``), and write
    each method once with ``@endpoint`` or ``@paginated``.
    """

    #: ``namespace.with_raw_response.method(...)`` returns a ``RawResponse``.
    with_raw_response = raw_responses()

    def __init__(self, client: ClientBase[ModeT]) -> None:
        self._owner = client
        self._runner = client._runner

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    @property
    def config(self) -> FlowConfig:
        """The client's configuration (platform URL, org, workspace, timeout…)."""
        return self._owner.config

    def _tenant(self, *parts: str) -> str:
        """``/api/v1/orgs/{org}/workspaces/{ws}/<parts>``; ``parts`` already encoded."""
        owner = self._owner
        return tenant_path(owner._require("org_id"), owner._require("workspace_id"), *parts)

    def _org(self, *parts: str) -> str:
        """``/api/v1/orgs/{org}/<parts>``; ``parts`` already encoded."""
        return org_path(self._owner._require("org_id"), *parts)


class ResourceNamespace(Namespace[ModeT], Generic[ModeT, M]):
    """list / get / create / update / delete for one kind of resource.

    Subclasses set ``path`` (e.g. ``"datasets"``), ``scope`` (``"tenant"``,
    ``"org"`` or ``"global"``) and ``model`` (the msgspec type returned).
    """

    path: ClassVar[str] = ""
    scope: ClassVar[Literal["tenant", "org", "global"]] = "tenant"
    model: ClassVar[Any] = dict

    def _collection(self) -> str:
        if self.scope == "tenant":
            return self._tenant(self.path)
        if self.scope == "org":
            return self._org(self.path)
        return f"{API_PREFIX}/{self.path}"

    def _item(self, resource_id: str, *more: str) -> str:
        parts = [self._collection(), path_segment(resource_id, "id"), *more]
        return "/".join(parts)

    def _list(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, limit: int | None = None, **filters: Any
    ) -> Listing[M]:
        """The listing behind ``list``: subclasses with typed filters call it."""
        page_type: Any = Page[self.model]  # type: ignore[name-defined]
        return cursor_pages(
            self._collection(), page_type, params=filters, page_size=page_size, limit=limit
        )

    @paginated
    def list(
        self, /, *, page_size: int = DEFAULT_PAGE_SIZE, limit: int | None = None, **filters: Any
    ) -> Listing[M]:
        """Every resource, fetched lazily page by page; ``filters`` become query parameters."""
        return self._list(page_size=page_size, limit=limit, **filters)

    @endpoint
    def get(self, resource_id: str) -> Steps[M]:
        """One resource by id; ``CLINotFoundError`` when it does not exist."""
        found: M = yield from send("GET", self._item(resource_id), type=self.model)
        return found

    @endpoint
    def create(
        self,
        /,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Steps[M]:
        """Create a resource from ``data`` and/or keyword fields.

        Retried safely: the same ``idempotency_key`` (generated when omitted)
        is sent on every attempt, so a retry never creates a second resource.
        """
        created: M = yield from send(
            "POST",
            self._collection(),
            json=body_of(data, fields),
            idempotency_key=idempotency_key,
            type=self.model,
        )
        return created

    @endpoint
    def update(
        self,
        /,
        resource_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        if_match: int | str | None = None,
        **fields: Any,
    ) -> Steps[M]:
        """Change some fields. With ``if_match=<version>`` a concurrent write is a 409."""
        updated: M = yield from send(
            "PATCH",
            self._item(resource_id),
            json=body_of(data, fields),
            headers=if_match_headers(if_match),
            type=self.model,
        )
        return updated

    @endpoint
    def delete(self, resource_id: str, *, if_match: int | str | None = None) -> Steps[None]:
        """Delete a resource. With ``if_match=<version>`` a concurrent write is a 409."""
        yield from send("DELETE", self._item(resource_id), headers=if_match_headers(if_match))


class ComponentTypeNamespace(ResourceNamespace[ModeT, Component]):
    """The components of one type in the catalog (``client.agents``, ``client.models``, …)."""

    component_type: ClassVar[str] = ""
    model = Component

    def __init__(self, client: ClientBase[ModeT], component_type: str | None = None) -> None:
        super().__init__(client)
        self.type = component_type or self.component_type
        if not self.type:
            raise TypeError("ComponentTypeNamespace needs a component type")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} type={self.type!r}>"

    def _collection(self) -> str:
        return self._tenant("components", path_segment(self.type, "component_type"))

    @paginated
    def list(  # type: ignore[override]
        self,
        *,
        name: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
    ) -> Listing[Component]:
        """Every component of this type (only those called ``name``, if given), lazily."""
        return self._list(page_size=page_size, limit=limit, name=name)

    @endpoint
    def versions(self, component_id: str) -> Steps[builtins.list[ComponentVersion]]:
        """The component's version history, oldest first."""
        page = yield from send(
            "GET", self._item(component_id, "versions"), type=Page[ComponentVersion]
        )
        return page.items
