"""Base classes that plugin namespaces build on.

``Namespace`` gives a namespace its client and request helpers;
``ResourceNamespace`` is the generic list/get/create/update/delete of one kind
of resource; ``ComponentTypeNamespace`` is that for one component type of the
catalog, plus its version history.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

import msgspec

from ._models import Component, ComponentVersion, Page
from ._pagination import Paginator
from ._urls import API_PREFIX, org_path, path_segment

if TYPE_CHECKING:
    from .cli_client import CLIClient

__all__ = ["ComponentTypeNamespace", "Namespace", "ResourceNamespace", "body_of"]

M = TypeVar("M")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


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


def _if_match_headers(if_match: int | str | None) -> dict[str, str] | None:
    return None if if_match is None else {"If-Match": str(if_match)}


class Namespace:
    """Base of every namespace: the client it belongs to and request helpers."""

    def __init__(self, client: CLIClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def _request(self, method: str, path: str, *, type: Any = None, **kwargs: Any) -> Any:
        """Send through the client's safe transport and decode the JSON reply."""
        return self._client._safe.request_json(method, path, type=type, **kwargs)

    def _tenant(self, *parts: str) -> str:
        return self._client._tenant_url("/".join(parts))

    def _org(self, *parts: str) -> str:
        return org_path(self._client._require("org_id"), *parts)


class ResourceNamespace(Namespace, Generic[M]):
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

    def list(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, limit: int | None = None, **filters: Any
    ) -> Paginator[M]:
        """Every resource, fetched lazily page by page; ``filters`` become query parameters."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        url = self._collection()
        page_type = Page[self.model]  # type: ignore[name-defined]

        def fetch(cursor: str | None) -> Page[M]:
            params = {**filters, "limit": page_size, "cursor": cursor}
            return self._request("GET", url, params=params, type=page_type)  # type: ignore[no-any-return]

        return Paginator(fetch, limit=limit)

    def get(self, resource_id: str) -> M:
        """One resource by id; ``CLINotFoundError`` when it does not exist."""
        return self._request("GET", self._item(resource_id), type=self.model)  # type: ignore[no-any-return]

    def create(
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> M:
        """Create a resource from ``data`` and/or keyword fields.

        Retried safely: the same ``idempotency_key`` (generated when omitted)
        is sent on every attempt, so a retry never creates a second resource.
        """
        return self._request(  # type: ignore[no-any-return]
            "POST",
            self._collection(),
            json=body_of(data, fields),
            idempotency_key=idempotency_key,
            type=self.model,
        )

    def update(
        self,
        resource_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        if_match: int | str | None = None,
        **fields: Any,
    ) -> M:
        """Change some fields. With ``if_match=<version>`` a concurrent write is a 409."""
        return self._request(  # type: ignore[no-any-return]
            "PATCH",
            self._item(resource_id),
            json=body_of(data, fields),
            headers=_if_match_headers(if_match),
            type=self.model,
        )

    def delete(self, resource_id: str, *, if_match: int | str | None = None) -> None:
        """Delete a resource. With ``if_match=<version>`` a concurrent write is a 409."""
        self._request("DELETE", self._item(resource_id), headers=_if_match_headers(if_match))


class ComponentTypeNamespace(ResourceNamespace[Component]):
    """The components of one type in the catalog (``client.agents``, ``client.models``, …)."""

    component_type: ClassVar[str] = ""
    model = Component

    def __init__(self, client: CLIClient, component_type: str | None = None) -> None:
        super().__init__(client)
        self.type = component_type or self.component_type
        if not self.type:
            raise TypeError("ComponentTypeNamespace needs a component type")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} type={self.type!r}>"

    def _collection(self) -> str:
        return self._tenant("components", path_segment(self.type, "component_type"))

    def list(  # type: ignore[override]
        self,
        *,
        name: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
    ) -> Paginator[Component]:
        """Every component of this type (only those called ``name``, if given), lazily."""
        return super().list(page_size=page_size, limit=limit, name=name)

    def versions(self, component_id: str) -> builtins.list[ComponentVersion]:
        """The component's version history, oldest first."""
        page = self._request(
            "GET", self._item(component_id, "versions"), type=Page[ComponentVersion]
        )
        return page.items  # type: ignore[no-any-return]
