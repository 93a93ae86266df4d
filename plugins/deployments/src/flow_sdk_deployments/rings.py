"""``client.rings``: the ordered stages a deployment moves through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from flow_sdk.plugin import (
    Listing,
    ModeT,
    Page,
    ResourceNamespace,
    Steps,
    cursor_pages,
    endpoint,
    paginated,
)

from .models import DeploymentEvent, Ring

__all__ = ["RingsNamespace"]


def _given(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


class RingsNamespace(ResourceNamespace[ModeT, Ring]):
    """Deployment rings of the workspace, listed in their ``order``.

    A deployment is promoted from a ring to the ring with the next higher
    ``order``; a ring cannot be deleted while a deployment uses it.
    Written once for both clients: ``client.rings.get(id)`` returns a ``Ring``,
    ``await aclient.rings.get(id)`` too.
    """

    path = "rings"
    model = Ring

    @endpoint
    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        order: int | None = None,
        traffic_percent: int | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[Ring]:
        """Create a ring; without ``order`` it goes after the last one.

        ``traffic_percent`` (0 to 100, default 100) is the share of traffic the
        ring serves. Names and orders are unique in a workspace (409 otherwise).
        """
        fields = _given(
            name=name, order=order, traffic_percent=traffic_percent, description=description
        )
        created: Ring = yield from ResourceNamespace[ModeT, Ring].create.steps(
            self, data, idempotency_key=idempotency_key, **fields
        )
        return created

    @endpoint
    def update(  # type: ignore[override]
        self,
        ring_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        order: int | None = None,
        traffic_percent: int | None = None,
        description: str | None = None,
        if_match: int | str | None = None,
    ) -> Steps[Ring]:
        """Change a ring's fields; with ``if_match=<version>`` a concurrent write is a 409."""
        fields = _given(
            name=name, order=order, traffic_percent=traffic_percent, description=description
        )
        updated: Ring = yield from ResourceNamespace[ModeT, Ring].update.steps(
            self, ring_id, data, if_match=if_match, **fields
        )
        return updated

    @paginated
    def history(
        self, ring_id: str, *, page_size: int = 50, limit: int | None = None
    ) -> Listing[DeploymentEvent]:
        """Every version that arrived in (or left) the ring, oldest first, fetched lazily."""
        return cursor_pages(
            self._item(ring_id, "history"),
            Page[DeploymentEvent],
            page_size=page_size,
            limit=limit,
        )
