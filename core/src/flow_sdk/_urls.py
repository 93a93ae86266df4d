"""Tenant and org URL building.

Every id becomes exactly one percent-encoded path segment, so no id, whatever
its characters, can change which resource a URL names or leave its tenant.
"""

from __future__ import annotations

from urllib.parse import quote

from ._errors import CLIClientError

__all__ = ["API_PREFIX", "org_path", "path_segment", "tenant_path"]

API_PREFIX = "/api/v1"


def path_segment(value: object, name: str = "id") -> str:
    """Encode one id as a single path segment, refusing what cannot be one."""
    if not isinstance(value, str):
        raise CLIClientError(
            f"{name} must be a string, not {type(value).__name__}",
            hint=f"pass the {name} as text, e.g. str({name})",
        )
    if not value:
        raise CLIClientError(f"{name} is empty", hint=f"pass a non-empty {name}")
    try:
        encoded = quote(value, safe="")
    except UnicodeEncodeError:
        raise CLIClientError(
            f"{name} is not valid text (it holds a lone surrogate character)",
            hint=f"pass the {name} exactly as the platform returned it",
        ) from None
    # '.' and '..' are unreserved, so quote() keeps them, but as whole
    # segments URL normalisation would resolve them: encode the dots.
    if encoded in {".", ".."}:
        encoded = encoded.replace(".", "%2E")
    return encoded


def _join(prefix: str, parts: tuple[str, ...]) -> str:
    suffix = "/".join(part.strip("/") for part in parts if part.strip("/"))
    return f"{prefix}/{suffix}" if suffix else prefix


def org_path(org_id: object, *parts: str) -> str:
    """``/api/v1/orgs/{org_id}`` followed by already-encoded ``parts``."""
    return _join(f"{API_PREFIX}/orgs/{path_segment(org_id, 'org_id')}", parts)


def tenant_path(org_id: object, workspace_id: object, *parts: str) -> str:
    """``/api/v1/orgs/{org_id}/workspaces/{workspace_id}`` followed by ``parts``."""
    prefix = (
        f"{API_PREFIX}/orgs/{path_segment(org_id, 'org_id')}"
        f"/workspaces/{path_segment(workspace_id, 'workspace_id')}"
    )
    return _join(prefix, parts)
