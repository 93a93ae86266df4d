"""Enforcing a workspace's policies on the local platform's tenant routes.

Once a workspace has any policy, every request to a route under
``/api/v1/orgs/{org}/workspaces/{ws}/`` is evaluated (principal, action,
resource: see ``_naming``) before its handler runs; a denied request is 403
``policy_denied`` naming the deciding policies. A workspace with no policy is
open, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flow_sdk_local import Document, HTTPError, Request, Route, Transaction

from .._evaluation import Decision, evaluate
from ._naming import action_for, principal_for, resource_for

__all__ = ["KIND", "StoredPolicy", "check", "enforce", "load_policies", "tenant_scope"]

KIND = "policies"


@dataclass(frozen=True)
class StoredPolicy:
    """A stored policy as evaluation reads it."""

    id: str
    name: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: tuple[str, ...]

    @classmethod
    def of(cls, doc: Document) -> StoredPolicy:
        """The policy stored in ``doc``."""
        return cls.from_data(doc.id, doc.data)

    @classmethod
    def from_data(cls, policy_id: str, data: dict[str, Any]) -> StoredPolicy:
        """The policy ``policy_id`` from its stored fields."""
        return cls(
            policy_id,
            str(data.get("name", "")),
            str(data["effect"]),
            tuple(data.get("actions", ())),
            tuple(data.get("resources", ())),
            tuple(data.get("principals", ("*",))),
        )


def tenant_scope(request: Request) -> str:
    """The store scope of the request's workspace (as ``app.resource`` uses it)."""
    return f"{request.org_id}/{request.workspace_id}"


def load_policies(tx: Transaction, scope: str) -> list[StoredPolicy]:
    """Every policy of a workspace."""
    return [StoredPolicy.of(doc) for doc in tx.list(KIND, scope)]


def denial(decision: Decision, principal: str, action: str, resource: str) -> HTTPError:
    """The 403 for a denied request, naming the deciding policies and what to do."""
    ids = decision.deciding_ids
    if ids:
        because = f"denied by policy {', '.join(ids)}"
    else:
        because = "no policy of this workspace allows it (once a workspace has policies, "
        because += "what none allows is denied)"
    return HTTPError(
        403,
        f"{principal} may not {action} on {resource}: {because}; ask a policy admin, or check "
        f"with POST .../policies/evaluate",
        "policy_denied",
    )


def check(route: Route, request: Request) -> None:
    """Raise 403 when the workspace has policies and they do not allow this request."""
    if request.principal is None or "workspace_id" not in request.params:
        return
    with request.store.transaction(write=False) as tx:
        policies = load_policies(tx, tenant_scope(request))
    if not policies:
        return
    principal = principal_for(request.principal.user_id)
    action = action_for(request.method, route.segments)
    resource = resource_for(request.path)
    decision = evaluate(policies, principal, action, resource)
    if not decision.allowed:
        raise denial(decision, principal, action, resource)


def enforce(route: Route, request: Request, call: Callable[[Request], Any]) -> Any:
    """Run a route's handler only if the workspace's policies allow the caller its action."""
    check(route, request)
    return call(request)
