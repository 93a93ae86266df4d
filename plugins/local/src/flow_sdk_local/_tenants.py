"""Tenants: orgs, workspaces and org API keys.

``GET /tenants/orgs`` and ``GET /tenants/orgs/{org_id}/workspaces`` answer
bare arrays (the reference's shape); a caller sees only its own orgs, and
another org is 404. API keys are shown once and stored only as hashes.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

import msgspec

from ._app import API, ORG, App
from ._auth import mint_api_key
from ._http import FieldError, HTTPError, Request, not_found
from ._paging import PAGE_QUERY, Page, page_of, page_params
from ._routing import NAME_PATTERN
from ._store import Transaction

__all__ = ["MAX_NAME", "check_name", "create_api_key", "create_tenant", "install"]


class Org(msgspec.Struct):
    """An org as the API shows it."""

    id: str
    name: str
    slug: str


class Workspace(msgspec.Struct):
    """A workspace of an org as the API shows it."""

    id: str
    org_id: str
    name: str
    slug: str


MAX_NAME = 200

TenantName = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_NAME,
        description="1 to 200 characters, not blank",
        extra_json_schema={"minLength": 1, "pattern": NAME_PATTERN},
    ),
]
"""An org's, workspace's or API key's name: what ``check_name`` accepts, said in the schema."""


class OrgCreate(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /tenants/orgs``: the new org's name (and slug)."""

    name: TenantName = msgspec.field()
    slug: str | None = None


class WorkspaceCreate(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /tenants/orgs/{org_id}/workspaces``: the new workspace's name."""

    name: TenantName
    slug: str | None = None


class ApiKeyCreate(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /orgs/{org_id}/api-keys``: the new key's name."""

    name: TenantName = "api key"


class ApiKeyCreated(msgspec.Struct):
    """The new key: ``key`` is shown here once and never again."""

    id: str
    key: str
    name: str
    prefix: str
    created_at: str


class ApiKeyInfo(msgspec.Struct):
    """An API key as lists show it: never the key itself."""

    id: str
    name: str
    prefix: str
    created_at: str


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "org"


def check_name(name: str, field: str = "name") -> str:
    """``name`` stripped; 422 unless 1 to ``MAX_NAME`` characters (control characters are
    refused for every name field before a handler runs)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise HTTPError(
            422,
            [FieldError(["body", field], f"must be 1 to {MAX_NAME} characters (not blank)")],
            "validation_error",
        )
    return name


def create_api_key(tx: Transaction, org_id: str, user_id: str, name: str) -> dict[str, Any]:
    """Store a new key's hash; return its public fields and the key itself (once)."""
    key_id, key, stored = mint_api_key()
    doc = tx.insert("api_key", org_id, key_id, {**stored, "name": name, "user_id": user_id})
    return {
        "id": key_id,
        "key": key,
        "name": name,
        "prefix": stored["prefix"],
        "created_at": doc.created_at,
    }


def create_tenant(
    tx: Transaction, user_id: str, org_name: str, workspace_name: str = "Default"
) -> dict[str, str]:
    """A new org (the user its member) with one workspace; their ids."""
    org_id = f"org_{secrets.token_hex(8)}"
    ws_id = f"ws_{secrets.token_hex(8)}"
    tx.insert("org", "", org_id, {"name": org_name, "slug": _slug(org_name)})
    tx.insert(
        "workspace",
        org_id,
        ws_id,
        {"org_id": org_id, "name": workspace_name, "slug": _slug(workspace_name)},
    )
    user = tx.get("user", "", user_id)
    if user is not None:
        tx.update("user", "", user_id, {**user.data, "orgs": [*user.data["orgs"], org_id]})
    return {"org_id": org_id, "workspace_id": ws_id}


def _org_view(doc: Any) -> dict[str, Any]:
    return {"id": doc.id, "name": doc.data["name"], "slug": doc.data["slug"]}


def _workspace_view(doc: Any) -> dict[str, Any]:
    return {
        "id": doc.id,
        "org_id": doc.scope,
        "name": doc.data["name"],
        "slug": doc.data["slug"],
    }


def install(app: App) -> None:
    """Add the tenant routes (orgs, workspaces, API keys)."""

    @app.get(f"{API}/tenants/orgs", response=list[Org], tags=("tenants",))
    def list_orgs(request: Request) -> list[dict[str, Any]]:
        """The orgs the caller belongs to (a bare array)."""
        assert request.principal is not None
        with request.store.transaction(write=False) as tx:
            docs = [tx.get("org", "", org_id) for org_id in sorted(request.principal.org_ids)]
        return [_org_view(d) for d in docs if d is not None]

    @app.post(f"{API}/tenants/orgs", body=OrgCreate, response=Org, status=201, tags=("tenants",))
    def create_org(request: Request) -> dict[str, Any]:
        """Create an org with a "Default" workspace; the caller becomes its member."""
        body: OrgCreate = request.data
        name = check_name(body.name)
        with request.store.transaction() as tx:
            ids = create_tenant(tx, request.user_id, name)
            doc = tx.get("org", "", ids["org_id"])
            assert doc is not None
            if body.slug:
                slug = _slug(check_name(body.slug, "slug"))
                doc = tx.update("org", "", doc.id, {**doc.data, "slug": slug})
                assert doc is not None
        return _org_view(doc)

    @app.get(
        f"{API}/tenants/orgs/{{org_id}}/workspaces", response=list[Workspace], tags=("tenants",)
    )
    def list_workspaces(request: Request) -> list[dict[str, Any]]:
        """The workspaces of an org the caller belongs to (a bare array)."""
        with request.store.transaction(write=False) as tx:
            docs = tx.list("workspace", request.org_id)
        return [_workspace_view(d) for d in docs]

    @app.post(
        f"{API}/tenants/orgs/{{org_id}}/workspaces",
        body=WorkspaceCreate,
        response=Workspace,
        status=201,
        tags=("tenants",),
    )
    def create_workspace(request: Request) -> dict[str, Any]:
        """Create a workspace in an org the caller belongs to."""
        body: WorkspaceCreate = request.data
        name = check_name(body.name)
        with request.store.transaction() as tx:
            doc = tx.insert(
                "workspace",
                request.org_id,
                f"ws_{secrets.token_hex(8)}",
                {
                    "org_id": request.org_id,
                    "name": name,
                    "slug": _slug(check_name(body.slug, "slug") if body.slug else name),
                },
            )
        return _workspace_view(doc)

    @app.post(
        f"{ORG}/api-keys", body=ApiKeyCreate, response=ApiKeyCreated, status=201, tags=("tenants",)
    )
    def create_key(request: Request) -> dict[str, Any]:
        """Create an org API key; the key is in this answer only, and stored as a hash."""
        body: ApiKeyCreate = request.data
        with request.store.transaction() as tx:
            return create_api_key(tx, request.org_id, request.user_id, check_name(body.name))

    @app.get(f"{ORG}/api-keys", response=Page[ApiKeyInfo], query=PAGE_QUERY, tags=("tenants",))
    def list_keys(request: Request) -> dict[str, Any]:
        """The org's API keys (never the keys themselves)."""
        limit, after = page_params(request)
        with request.store.transaction(write=False) as tx:
            docs = tx.list("api_key", request.org_id, after=after, limit=limit + 1)
        return page_of(
            docs,
            limit,
            lambda d: d.seq,
            lambda d: {
                "id": d.id,
                "name": d.data["name"],
                "prefix": d.data["prefix"],
                "created_at": d.created_at,
            },
        )

    @app.delete(f"{ORG}/api-keys/{{id}}", status=204, tags=("tenants",))
    def revoke_key(request: Request) -> None:
        """Revoke an API key: it can no longer be exchanged for tokens."""
        with request.store.transaction() as tx:
            if tx.delete("api_key", request.org_id, request.params["id"]) is None:
                raise not_found(f"API key {request.params['id']!r}")
