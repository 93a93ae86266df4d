"""``<tenant>/component-deployments`` and ``<tenant>/workflow-deployments``.

One deployment per component and ring. Deploying, promoting into, or rolling
back a ring puts the deployment in ``pending``; a background job moves it to
``active`` after a short delay, or to ``failed`` when its version no longer
exists. Reads settle any deployment whose delay has passed too, so the state
is right even when the process that scheduled the job has gone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flow_sdk_local import (
    App,
    Document,
    FieldError,
    HTTPError,
    Request,
    Response,
    Transaction,
    conflict,
    new_id,
    not_found,
)

from ..models import Deployment
from .bodies import (
    ComponentDeploymentCreate,
    DeploymentAction,
    DeploymentCreate,
    WorkflowDeploymentCreate,
)
from .catalog import check_type, load_component, version_numbers
from .events import record_event
from .kinds import COMPONENT_DEPLOYMENT_KIND, RING_KIND, WORKFLOW_DEPLOYMENT_KIND
from .rings import next_ring, ring_or_422

__all__ = ["ACTIVATION_DELAY_S", "install", "promote_deployment", "rollback_deployment"]

#: How long a deployment stays ``pending`` on the local platform.
ACTIVATION_DELAY_S = 0.05
#: The background job waits at most this long; a later read settles what it left.
_MAX_JOB_WAIT_S = 0.25


@dataclass(frozen=True)
class Flavour:
    """What differs between component and workflow deployments."""

    path: str
    kind: str
    workflow: bool

    def component_type(self, body: DeploymentCreate) -> str:
        """The type a create body deploys; 422 for a type this flavour does not take."""
        if self.workflow:
            if body.component_type not in (None, "workflow"):
                raise _field_error(
                    "component_type",
                    "workflow deployments deploy workflows; deploy other types with "
                    "component-deployments",
                )
            return "workflow"
        if body.component_type is None:
            raise _field_error("component_type", "field required")
        if body.component_type == "workflow":
            raise _field_error(
                "component_type", "deploy workflows with workflow-deployments instead"
            )
        return body.component_type


FLAVOURS = (
    Flavour("component-deployments", COMPONENT_DEPLOYMENT_KIND, workflow=False),
    Flavour("workflow-deployments", WORKFLOW_DEPLOYMENT_KIND, workflow=True),
)


def _field_error(field: str, message: str) -> HTTPError:
    return HTTPError(422, [FieldError(["body", field], message)], "validation_error")


def install(app: Any) -> None:
    """Add the component and workflow deployment routes to ``app``."""
    for flavour in FLAVOURS:
        _install(app, flavour)


def promote_deployment(
    app: App,
    kind: str,
    scope: str,
    deployment_id: str,
    *,
    by: str | None = None,
    reason: str | None = None,
) -> tuple[Document, bool]:
    """Deploy the version of an active deployment to the next ring; (that ring's
    deployment, whether it is new). A function, so the console promotes by the API's rules;
    ``by`` (who) and ``reason`` (why) go into the history."""
    _settle_overdue(app, kind, scope)
    with app.platform.store.transaction() as tx:
        doc = _current(tx, kind, scope, deployment_id)
        ring = tx.get(RING_KIND, scope, doc.data["ring_id"])
        assert ring is not None, "a ring in use cannot be deleted"
        if doc.data["status"] != "active":
            raise conflict(
                f"deployment {doc.id} is {doc.data['status']}; only an active deployment "
                f"can be promoted (wait for it, or deploy a version that exists)",
                "deployment_not_active",
            )
        target = next_ring(tx, scope, ring)
        if target is None:
            raise conflict(
                f"ring {ring.data['name']!r} ({ring.id}) is the last ring; there is no "
                f"ring to promote deployment {doc.id} to",
                "last_ring",
            )
        component = (doc.data["component_type"], doc.data["component_id"])
        number = doc.data["component_version"]
        new, created = _put_version(
            app, kind, tx, scope, component, target.id, number, "promote", by=by, reason=reason
        )
    _schedule(app, kind, new)
    return new, created


def rollback_deployment(
    app: App,
    kind: str,
    scope: str,
    deployment_id: str,
    *,
    by: str | None = None,
    reason: str | None = None,
) -> Document:
    """Put back the version that was in the deployment's ring before the current one; the
    updated deployment. A function, so the console rolls back by the API's rules; ``by``
    (who) and ``reason`` (why) go into the history."""
    _settle_overdue(app, kind, scope)
    with app.platform.store.transaction() as tx:
        doc = _current(tx, kind, scope, deployment_id)
        stack = list(doc.data["stack"])
        if len(stack) < 2:
            raise conflict(
                f"deployment {doc.id} has had no other version in ring {doc.data['ring_id']} "
                f"than v{doc.data['component_version']}; there is nothing to roll back to",
                "nothing_to_roll_back",
            )
        dropped = stack.pop()
        data = {
            **doc.data,
            "status": "pending",
            "error": None,
            "ready_at": app.now() + ACTIVATION_DELAY_S,
            "component_version": stack[-1],
            "stack": stack,
        }
        event = record_event(
            tx,
            scope,
            action="rollback",
            deployment=data,
            deployment_id=doc.id,
            from_version=dropped,
            by=by,
            reason=reason,
        )
        data["history"] = [*doc.data["history"], event]
        updated = tx.update(kind, scope, doc.id, data)
        assert updated is not None
    _schedule(app, kind, updated)
    return updated


def _current(tx: Transaction, kind: str, scope: str, deployment_id: str) -> Document:
    doc = tx.get(kind, scope, deployment_id)
    if doc is None:
        raise not_found(f"deployment {deployment_id!r}")
    return doc


def _settle(app: App, kind: str, tx: Transaction, doc: Document) -> Document:
    """Move a pending deployment whose delay has passed to active or failed."""
    data = doc.data
    if data["status"] != "pending" or float(data.get("ready_at", 0)) > app.now():
        return doc
    ctype, cid, number = data["component_type"], data["component_id"], data["component_version"]
    component = load_component(tx, doc.scope, ctype, cid)
    if component is None:
        error: str | None = f"{ctype} {cid} no longer exists"
    elif number not in version_numbers(tx, component):
        error = f"{ctype} {cid} has no version {number} any more"
    else:
        error = None
    settled = {**data, "status": "failed" if error else "active", "error": error}
    updated = tx.update(kind, doc.scope, doc.id, settled)
    assert updated is not None
    return updated


def _settle_overdue(app: App, kind: str, scope: str) -> None:
    store = app.platform.store
    with store.transaction(write=False) as tx:
        pending = tx.list(kind, scope, where={"status": "pending"})
    if not any(float(d.data.get("ready_at", 0)) <= app.now() for d in pending):
        return
    with store.transaction() as tx:
        for doc in tx.list(kind, scope, where={"status": "pending"}):
            _settle(app, kind, tx, doc)


def _schedule(app: App, kind: str, doc: Document) -> None:
    scope, doc_id = doc.scope, doc.id

    def activate() -> None:
        time.sleep(min(ACTIVATION_DELAY_S, _MAX_JOB_WAIT_S))
        with app.platform.store.transaction() as tx:
            current = tx.get(kind, scope, doc_id)
            if current is not None:
                _settle(app, kind, tx, current)

    app.background(activate, name=f"deployment {doc_id}")


def _put_version(
    app: App,
    kind: str,
    tx: Transaction,
    scope: str,
    component: tuple[str, str],
    ring_id: str,
    number: int,
    action: str,
    *,
    by: str | None = None,
    reason: str | None = None,
) -> tuple[Document, bool]:
    """Deploy ``number`` into the ring's deployment of ``component``; (doc, created).
    ``by`` (who) and ``reason`` (why) go into the event it records."""
    ctype, cid = component
    found = tx.list(
        kind, scope, where={"component_type": ctype, "component_id": cid, "ring_id": ring_id}
    )
    pending = {"status": "pending", "error": None, "ready_at": app.now() + ACTIVATION_DELAY_S}
    if found:
        doc = found[0]
        stack = list(doc.data["stack"])
        if stack[-1] != number:
            stack.append(number)
        data = {**doc.data, **pending, "component_version": number, "stack": stack}
        event = record_event(
            tx,
            scope,
            action=action,
            deployment=data,
            deployment_id=doc.id,
            from_version=doc.data["component_version"],
            by=by,
            reason=reason,
        )
        data["history"] = [*doc.data["history"], event]
        updated = tx.update(kind, scope, doc.id, data)
        assert updated is not None
        return updated, False
    doc_id = new_id("dep")
    data = {
        "component_type": ctype,
        "component_id": cid,
        "component_version": number,
        "ring_id": ring_id,
        **pending,
        "stack": [number],
    }
    event = record_event(
        tx, scope, action=action, deployment=data, deployment_id=doc_id, by=by, reason=reason
    )
    data["history"] = [event]
    return tx.insert(kind, scope, doc_id, data), True


def _install(app: Any, flavour: Flavour) -> None:
    kind = flavour.kind

    def settle_overdue(request: Request) -> None:
        _settle_overdue(app, kind, resource.scope_key(request))

    def record_removal(request: Request, doc: Document) -> None:
        with request.store.transaction() as tx:
            record_event(
                tx,
                doc.scope,
                action="remove",
                deployment=doc.data,
                deployment_id=doc.id,
                by=request.user_id,
            )

    resource = app.resource(
        flavour.path,
        kind=kind,
        model=Deployment,
        create=DeploymentCreate,
        id_prefix="dep",
        filters=("component_type", "component_id", "ring_id", "status"),
        guard=settle_overdue,
        before_delete=record_removal,
        operations=("list", "get", "delete"),
        tags=("deployments",),
    )

    def answer(request: Request, doc: Document, created: bool) -> Response:
        location = f"{request.base_url}{resource.collection_path}/{doc.id}"
        headers = {"ETag": f'"{doc.version}"', "Location": location}
        return Response(201 if created else 200, resource.render(doc), headers)

    def create(request: Request) -> Response:
        """Deploy a version (default: the latest) to a ring."""
        body: DeploymentCreate = request.data
        ctype = flavour.component_type(body)
        check_type(app.component_types, ctype)
        scope = resource.scope_key(request)
        with request.store.transaction() as tx:
            ring = ring_or_422(tx, scope, body.ring_id)
            component = load_component(tx, scope, ctype, body.component_id)
            if component is None:
                raise _field_error(
                    "component_id", f"no {ctype} {body.component_id!r} in this workspace"
                )
            numbers = version_numbers(tx, component)
            number = body.component_version or component.version
            if number not in numbers:
                raise _field_error(
                    "component_version",
                    f"{ctype} {body.component_id} has no version {number}; "
                    f"its versions are {_span(numbers)}",
                )
            doc, created = _put_version(
                app,
                kind,
                tx,
                scope,
                (ctype, body.component_id),
                ring.id,
                number,
                "deploy",
                by=request.user_id,
                reason=body.reason,
            )
        _schedule(app, kind, doc)
        return answer(request, doc, created)

    def promote(request: Request) -> Response:
        """Deploy the same version to the next ring; answers with that ring's deployment."""
        body: DeploymentAction = request.data
        scope = resource.scope_key(request)
        deployment_id = request.params["id"]
        found = promote_deployment(
            app, kind, scope, deployment_id, by=request.user_id, reason=body.reason
        )
        return answer(request, *found)

    def rollback(request: Request) -> Response:
        """Put back the version that was in this ring before the current one."""
        body: DeploymentAction = request.data
        scope = resource.scope_key(request)
        deployment_id = request.params["id"]
        doc = rollback_deployment(
            app, kind, scope, deployment_id, by=request.user_id, reason=body.reason
        )
        return answer(request, doc, False)

    tags = ("deployments",)
    route = app.add_route(
        "POST",
        resource.collection_path,
        create,
        body=DeploymentCreate,
        response=Deployment,
        status=201,
        tags=tags,
        summary="Deploy a version (default: the latest) to a ring: 201 a new deployment, 200 "
        "the ring's deployment of that component, now with this version",
    )
    route.other_statuses = (200,)
    route.documented_body = (
        WorkflowDeploymentCreate if flavour.workflow else ComponentDeploymentCreate
    )
    for verb, handler in (("promote", promote), ("rollback", rollback)):
        app.add_route(
            "POST",
            f"{resource.item_path}/{verb}",
            handler,
            body=DeploymentAction,
            response=Deployment,
            tags=tags,
        )


def _span(numbers: list[int]) -> str:
    if not numbers:
        return "none"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]} to {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
    return ", ".join(str(n) for n in numbers)
