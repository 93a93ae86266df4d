"""The local platform's policy routes (docs/openapi.json, governance).

``GET/POST <tenant>/policies``, ``GET/PATCH/DELETE <tenant>/policies/{id}``,
``POST <tenant>/policies/evaluate``, the recovery route
``DELETE /_local/orgs/{org_id}/workspaces/{workspace_id}/policies``, and the
enforcement of a workspace's policies on every tenant route.
"""

from __future__ import annotations

from typing import Any

from flow_sdk_local import Document, HTTPError, Request

from .._evaluation import evaluate
from .._models import (
    EvaluateRequest,
    Evaluation,
    MatchedPolicy,
    Policy,
    PolicyCreate,
    PolicyUpdate,
)
from ._enforce import (
    KIND,
    StoredPolicy,
    enforce,
    load_policies,
    tenant_scope,
)
from ._naming import principal_for

__all__ = ["install"]

_NEW_ID = "pol_new"


def _lockout(request: Request, after: list[StoredPolicy]) -> None:
    """409 when a policy change would leave its caller unable to manage policies.

    Checked on the policies as they would be after the change: the caller must
    still be allowed to read and create policies, and to update and delete each one.
    """
    if not after or request.principal is None:
        return
    principal = principal_for(request.principal.user_id)
    needed = [("policies:read", "policies"), ("policies:create", "policies")]
    for policy in after:
        needed += [
            ("policies:update", f"policies/{policy.id}"),
            ("policies:delete", f"policies/{policy.id}"),
        ]
    for action, resource in needed:
        decision = evaluate(after, principal, action, resource)
        if not decision.allowed:
            blame = ", ".join(i for i in decision.deciding_ids if i != _NEW_ID)
            why = f"it would be denied by {blame}" if blame else "no policy would allow it"
            raise HTTPError(
                409,
                f"this change would lock you ({principal}) out of managing policies: "
                f"{action} on {resource} — {why}. Allow yourself first, e.g. a policy "
                f'{{"effect": "allow", "principals": ["{principal}"], "actions": ["policies:*"], '
                f'"resources": ["policies", "policies/*"]}}',
                "policy_lockout",
            )


def _validate(request: Request, data: dict[str, Any], existing: Document | None) -> None:
    with request.store.transaction(write=False) as tx:
        current = load_policies(tx, tenant_scope(request))
    changed_id = existing.id if existing is not None else _NEW_ID
    after = [p for p in current if p.id != changed_id]
    after.append(StoredPolicy.from_data(changed_id, data))
    _lockout(request, after)


def _before_delete(request: Request, doc: Document) -> None:
    with request.store.transaction(write=False) as tx:
        current = load_policies(tx, tenant_scope(request))
    _lockout(request, [p for p in current if p.id != doc.id])


def evaluate_handler(request: Request) -> Evaluation:
    """Evaluate a (principal, action, resource) against the workspace's policies."""
    body: EvaluateRequest = request.data
    with request.store.transaction(write=False) as tx:
        policies = load_policies(tx, tenant_scope(request))
    decision = evaluate(policies, body.principal, body.action, body.resource)
    return Evaluation(
        allowed=decision.allowed,
        matched_policies=[
            MatchedPolicy(id=p.id, name=getattr(p, "name", ""), effect=p.effect)  # type: ignore[arg-type]
            for p in decision.matched
        ],
        reason=decision.reason,
    )


def clear_handler(request: Request) -> dict[str, Any]:
    """Remove every policy of a workspace: the way back in after a lock-out."""
    scope = f"{request.params['org_id']}/{request.params['workspace_id']}"
    with request.store.transaction() as tx:
        removed = [doc.id for doc in tx.list(KIND, scope)]
        for policy_id in removed:
            tx.delete(KIND, scope, policy_id)
    return {"removed": removed}


def install(app: Any) -> None:
    """Add the policy routes and enforcement to a local platform ``app``."""
    app.resource(
        "policies",
        model=Policy,
        create=PolicyCreate,
        update=PolicyUpdate,
        id_prefix="pol",
        filters=("name", "effect"),
        validate=_validate,
        before_delete=_before_delete,
        tags=("policies",),
    )
    app.add_route(
        "POST",
        app.TENANT + "/policies/evaluate",
        evaluate_handler,
        body=EvaluateRequest,
        response=Evaluation,
        transaction=False,
        tags=("policies",),
    )
    app.add_route(
        "DELETE",
        "/_local/orgs/{org_id}/workspaces/{workspace_id}/policies",
        clear_handler,
        auth="control",
        status=200,
        tags=("local",),
    )
    app.around_handler(enforce, prefix=app.TENANT + "/")
