"""The local platform's webhook routes, and the events every tenant write emits.

``GET/POST <tenant>/webhooks``, ``GET/PATCH/DELETE <tenant>/webhooks/{id}``,
``POST <tenant>/webhooks/{id}/test`` (a ping), ``GET <tenant>/webhooks/{id}/deliveries``,
``GET <tenant>/webhooks/{id}/deliveries/{delivery_id}`` and
``POST <tenant>/webhooks/{id}/deliveries/{delivery_id}/redeliver`` (the same event again).

Events: after a successful create (POST to a collection), update (PATCH or
PUT of an item) or delete (DELETE of an item) under the workspace, an event
``<kind>.<created|updated|deleted>`` is queued, in the write's own
transaction, for each active webhook of the workspace that subscribes to it.
"""

from __future__ import annotations

import weakref
from typing import Any

import msgspec
from flow_sdk_local import (
    PAGE_QUERY,
    Document,
    FieldError,
    HTTPError,
    Page,
    Request,
    Response,
    Route,
    conflict,
    encode_cursor,
    new_id,
    not_found,
    page_params,
)

from .._models import Delivery, Webhook, WebhookCreate, WebhookUpdate, WebhookWithSecret
from ._engine import MIGRATIONS, WEBHOOK_KIND, DeliveryEngine, make_event, new_secret
from ._events import PING, event_data, event_type
from ._targets import allowed_extra_hosts, target_problem

__all__ = ["engine_of", "install"]

_TENANT_DEPTH = 6
_engines: weakref.WeakKeyDictionary[Any, DeliveryEngine] = weakref.WeakKeyDictionary()


def engine_of(platform: Any) -> DeliveryEngine:
    """The delivery engine of a local platform (tests tune its schedule)."""
    return _engines[platform]


def _tenant_scope(request: Request) -> str:
    return f"{request.org_id}/{request.workspace_id}"


def _check_url(url: str) -> None:
    problem = target_problem(url, allowed_extra_hosts())
    if problem is not None:
        raise HTTPError(
            422, [FieldError(["body", "url"], f"the webhook URL {problem}")], "validation_error"
        )


def _present(doc: Document) -> dict[str, Any]:
    public: dict[str, Any] = doc.public()
    public.pop("secret", None)
    return public


def _written(route: Route, request: Request, result: Any) -> tuple[str, dict[str, Any]] | None:
    """The (event type, data) of a successful tenant write, or None when it is not one."""
    below = route.segments[_TENANT_DEPTH:]
    if not below:
        return None
    fixed = [s for s in below[1:] if not (s.startswith("{") and s.endswith("}"))]
    if fixed:
        return None  # a sub-resource or an action (runs, rows, test…), not a create/update/delete
    kind = event_type(below[0], request.method)
    if kind is None:
        return None
    if isinstance(result, Response):
        status, body = result.status, result.body
    elif result is None:
        status, body = 204, None
    else:
        status, body = route.status, result
    if not 200 <= status < 300:
        return None
    is_item = below[-1] == "{id}"
    if (request.method == "POST" and is_item) or (request.method != "POST" and not is_item):
        return None
    if body is None or isinstance(body, (bytes, bytearray)):
        data = {k: v for k, v in request.params.items() if k not in ("org_id", "workspace_id")}
    else:
        data = event_data(msgspec.to_builtins(body))
    return kind, data


def install(app: Any) -> None:
    """Add the webhook routes, delivery engine and event emission to a local platform."""
    platform = app.platform
    engine = DeliveryEngine(platform.store, clock=app.now)
    _engines[platform] = engine
    for migration in MIGRATIONS:
        app.migration(migration.name, migration.apply)

    def validate(request: Request, data: dict[str, Any], existing: Document | None) -> None:
        _check_url(data["url"])

    def before_delete(request: Request, doc: Document) -> None:
        with request.store.transaction() as tx:
            engine.forget(tx, doc.id)

    resource = app.resource(
        "webhooks",
        model=Webhook,
        create=WebhookCreate,
        update=WebhookUpdate,
        id_prefix="wh",
        filters=("url",),
        validate=validate,
        before_delete=before_delete,
        present=_present,
        operations=("list", "get", "update", "delete"),
        tags=("webhooks",),
    )

    def create(request: Request) -> Response:
        """Create a webhook; the response holds its signing secret, shown only this once."""
        body: WebhookCreate = request.data
        _check_url(body.url)
        data = {**msgspec.to_builtins(body), "secret": new_secret()}
        with request.store.transaction() as tx:
            doc = tx.insert(WEBHOOK_KIND, _tenant_scope(request), new_id("wh"), data)
        shown = msgspec.convert({**doc.public()}, WebhookWithSecret)
        return Response(
            201,
            shown,
            {"ETag": f'"{doc.version}"', "Location": f"{request.path.rstrip('/')}/{doc.id}"},
        )

    def test(request: Request) -> Any:
        """Send a ping event to the webhook now; the answer is its (pending) delivery."""
        doc = resource.load(request)
        with request.store.transaction() as tx:
            event_id, payload = make_event(
                tx.now(),
                request.org_id,
                request.workspace_id,
                PING,
                {"webhook_id": doc.id, "message": "a test delivery from Flow"},
            )
            delivery = engine.enqueue(tx, doc, event_id=event_id, event_type=PING, payload=payload)
        engine.wake()
        return Response(202, delivery)

    def redeliver(request: Request) -> Any:
        """Send one of the webhook's deliveries again: the same event and payload bytes, as a
        new delivery (the answer, pending)."""
        doc = resource.load(request)
        if not doc.data.get("active", True):
            raise conflict(
                "the webhook is inactive: activate it first (PATCH active=true)",
                code="webhook_inactive",
            )
        with request.store.transaction() as tx:
            delivery = engine.redeliver(tx, doc, request.params["delivery_id"])
        if delivery is None:
            raise not_found(f"delivery {request.params['delivery_id']!r}")
        engine.wake()
        return Response(202, delivery)

    def deliveries(request: Request) -> Any:
        """The webhook's deliveries, newest first, with every attempt."""
        doc = resource.load(request)
        limit, before = page_params(request)
        with request.store.transaction(write=False) as tx:
            rows = engine.page(tx, doc.id, before=before, limit=limit + 1)
        items = rows[:limit]
        more = len(rows) > limit
        return {
            "items": [item for _, item in items],
            "next_cursor": encode_cursor(items[-1][0]) if more and items else None,
        }

    def delivery(request: Request) -> Any:
        """One delivery of the webhook, with every attempt."""
        doc = resource.load(request)
        with request.store.transaction(write=False) as tx:
            found = engine.get(tx, doc.id, request.params["delivery_id"])
        if found is None:
            raise not_found(f"delivery {request.params['delivery_id']!r}")
        return found

    tenant, tag = app.TENANT + "/webhooks", ("webhooks",)
    app.add_route(
        "POST",
        tenant,
        create,
        body=WebhookCreate,
        response=WebhookWithSecret,
        status=201,
        tags=tag,
    )
    app.add_route("POST", tenant + "/{id}/test", test, response=Delivery, status=202, tags=tag)
    app.add_route(
        "GET",
        tenant + "/{id}/deliveries",
        deliveries,
        response=Page[Delivery],
        query=PAGE_QUERY,
        tags=tag,
    )
    app.add_route(
        "GET", tenant + "/{id}/deliveries/{delivery_id}", delivery, response=Delivery, tags=tag
    )
    app.add_route(
        "POST",
        tenant + "/{id}/deliveries/{delivery_id}/redeliver",
        redeliver,
        response=Delivery,
        status=202,
        tags=tag,
    )

    def emit_events(route: Route, request: Request, call: Any) -> Any:
        result = call(request)
        written = _written(route, request, result)
        if written is not None:
            kind, data = written
            with request.store.transaction() as tx:
                queued = engine.emit(
                    tx,
                    scope=_tenant_scope(request),
                    org_id=request.org_id,
                    workspace_id=request.workspace_id,
                    event_type=kind,
                    data=data,
                )
            if queued:
                engine.wake()
        return result

    app.around_handler(emit_events, prefix=app.TENANT + "/")
