"""The action, resource and principal strings the local platform evaluates.

- principal: ``user:<user id>`` of the caller, e.g. ``user:usr_dev``.
- resource: the request path after ``/api/v1/orgs/{org}/workspaces/{ws}/``,
  as sent (percent-encoding kept, no query, no trailing ``/``), e.g.
  ``datasets``, ``datasets/ds_1/rows``, ``components/agent/cmp_1``.
- action: ``<collection>:<verb>``, where the collection is the route's first
  segment after the workspace (``datasets``, ``components``, ``policies``,
  ``component-deployments``…) and the verb is ``read`` for GET and HEAD,
  ``update`` for PUT and PATCH, ``delete`` for DELETE, and for POST the
  route's last fixed segment after the collection (``execute``, ``test``,
  ``runs``, ``rows``, ``promote``, ``evaluate``…) or ``create`` when it has none.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["TENANT_DEPTH", "action_for", "principal_for", "resource_for"]

#: Segments of ``/api/v1/orgs/{org_id}/workspaces/{workspace_id}``.
TENANT_DEPTH = 6

_VERBS = {"GET": "read", "HEAD": "read", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def principal_for(user_id: str) -> str:
    """The principal string of a user."""
    return f"user:{user_id}"


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def action_for(method: str, template_segments: Sequence[str]) -> str:
    """The action of a tenant route, from its method and path template."""
    below = list(template_segments[TENANT_DEPTH:])
    collection = below[0] if below else "workspace"
    method = method.upper()
    if method in _VERBS:
        return f"{collection}:{_VERBS[method]}"
    fixed = [segment for segment in below[1:] if not _is_param(segment)]
    return f"{collection}:{fixed[-1] if fixed else 'create'}"


def resource_for(raw_path: str) -> str:
    """The resource string of a tenant request path."""
    parts = raw_path.split("?", 1)[0].strip("/").split("/")
    return "/".join(part for part in parts[TENANT_DEPTH:] if part)
