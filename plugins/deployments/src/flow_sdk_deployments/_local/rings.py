"""``<tenant>/rings``: ordered stages with unique names and orders, listed in order."""

from __future__ import annotations

from typing import Any

from flow_sdk_local import (
    PAGE_QUERY,
    Document,
    FieldError,
    HTTPError,
    Page,
    Request,
    Transaction,
    conflict,
    decode_cursor,
    encode_cursor,
    page_params,
)

from ..models import DeploymentEvent, Ring
from .bodies import RingCreate, RingUpdate
from .events import delete_ring_events, ring_events
from .kinds import DEPLOYMENT_KINDS, RING_KIND

__all__ = ["install", "next_ring", "ring_or_422"]


def _tenant_rings(tx: Transaction, scope: str) -> list[Document]:
    return sorted(tx.list(RING_KIND, scope), key=lambda doc: int(doc.data["order"]))


def ring_or_422(tx: Transaction, scope: str, ring_id: str) -> Document:
    """The ring a body names; 422 when there is none in this workspace."""
    ring = tx.get(RING_KIND, scope, ring_id)
    if ring is None:
        raise HTTPError(
            422,
            [FieldError(["body", "ring_id"], f"no ring {ring_id!r} in this workspace")],
            "validation_error",
        )
    return ring


def next_ring(tx: Transaction, scope: str, ring: Document) -> Document | None:
    """The ring with the next higher ``order``, or None after the last one."""
    later = [r for r in _tenant_rings(tx, scope) if r.data["order"] > ring.data["order"]]
    return later[0] if later else None


def install(app: Any) -> None:
    """Add the ring routes (ordered stages, their history) to the local platform."""
    resource: Any = None

    def validate(request: Request, data: dict[str, Any], existing: Document | None) -> None:
        for field in ("name", "order", "traffic_percent", "description"):
            if field in data and data[field] is None and (existing is not None or field == "name"):
                raise HTTPError(
                    422, [FieldError(["body", field], "must not be null")], "validation_error"
                )
        scope = resource.scope_key(request)
        with request.store.transaction() as tx:
            others = [
                r for r in tx.list(RING_KIND, scope) if existing is None or r.id != existing.id
            ]
        if data.get("order") is None:
            data["order"] = max((int(r.data["order"]) for r in others), default=-1) + 1
        data.setdefault("description", "")
        data.setdefault("traffic_percent", 100)
        for other in others:
            if other.data["name"] == data["name"]:
                raise conflict(
                    f"a ring named {data['name']!r} already exists ({other.id}); "
                    "pick another name or update that ring",
                    "duplicate_ring_name",
                )
            if other.data["order"] == data["order"]:
                raise conflict(
                    f"ring {other.data['name']!r} ({other.id}) already has order "
                    f"{data['order']}; orders are unique, pick another",
                    "duplicate_ring_order",
                )

    def before_delete(request: Request, doc: Document) -> None:
        scope = resource.scope_key(request)
        with request.store.transaction() as tx:
            users = [
                dep
                for kind in DEPLOYMENT_KINDS
                for dep in tx.list(kind, scope, where={"ring_id": doc.id}, limit=5)
            ]
            if users:
                ids = ", ".join(dep.id for dep in users)
                raise conflict(
                    f"ring {doc.data['name']!r} ({doc.id}) is used by deployments ({ids}); "
                    "delete or promote them first",
                    "ring_in_use",
                )
            delete_ring_events(tx, scope, doc.id)

    resource = app.resource(
        "rings",
        kind=RING_KIND,
        model=Ring,
        create=RingCreate,
        update=RingUpdate,
        id_prefix="ring",
        filters=(),
        validate=validate,
        before_delete=before_delete,
        operations=("get", "create", "update", "delete"),
        tags=("deployments",),
    )

    def list_rings(request: Request) -> Any:
        """List the rings in their order."""
        limit, _ = page_params(request)
        after = _order_cursor(request)
        with request.store.transaction(write=False) as tx:
            rings = _tenant_rings(tx, resource.scope_key(request))
        if after is not None:
            rings = [r for r in rings if int(r.data["order"]) > after]
        page = rings[:limit]
        more = len(rings) > limit
        return {
            "items": [resource.render(r) for r in page],
            "next_cursor": encode_cursor(int(page[-1].data["order"])) if more else None,
        }

    def history(request: Request) -> Any:
        """Every version that arrived in or left the ring, oldest first."""
        ring = resource.load(request)
        limit, after = page_params(request)
        with request.store.transaction(write=False) as tx:
            return ring_events(tx, ring.scope, ring.id, after=after, limit=limit)

    app.add_route(
        "GET",
        f"{resource.collection_path}",
        list_rings,
        response=Page[Ring],
        query=PAGE_QUERY,
        tags=("deployments",),
    )
    app.add_route(
        "GET",
        f"{resource.item_path}/history",
        history,
        response=Page[DeploymentEvent],
        query=PAGE_QUERY,
        tags=("deployments",),
    )


def _order_cursor(request: Request) -> int | None:
    cursor = request.query_one("cursor")
    return decode_cursor(cursor) if cursor else None
