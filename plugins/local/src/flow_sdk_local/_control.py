"""The control plane for tests and tools: ``/_local/...``.

No authentication: the local platform is a development tool, served
in-process or on 127.0.0.1 only. It offers health, reset, the seeded dev
tenant and a fresh dev API key, extra tenants (for isolation tests),
approving CLI logins without a browser, fault injection and moving the
platform's clock forward.
"""

from __future__ import annotations

import html
import secrets
from typing import Any

import msgspec

from ._app import App
from ._auth_routes import approve_login
from ._faults import FaultsConfig
from ._http import HTTPError, Request, Response
from ._platform import DEV_USER_ID
from ._store import SCHEMA_VERSION
from ._tenants import create_api_key, create_tenant

__all__ = ["PREFIX", "install"]

PREFIX = "/_local"


class Health(msgspec.Struct):
    status: str
    url: str
    database: str
    schema_version: int
    component_types: list[str]
    routes: int


class DevTenant(msgspec.Struct):
    """The seeded dev user, org and workspace; ``api_key`` only when just minted."""

    user_id: str
    org_id: str
    workspace_id: str
    api_key: str | None = None


class TenantCreate(msgspec.Struct, forbid_unknown_fields=True):
    org_name: str = "Other org"
    email: str | None = None
    name: str = "Other user"


class ClockAdvance(msgspec.Struct, forbid_unknown_fields=True):
    seconds: float


class ClockState(msgspec.Struct):
    now: float
    offset: float


def install(app: App) -> None:
    platform = app.platform
    control: dict[str, Any] = {"auth": "control", "tags": ("local control plane",)}

    @app.get(f"{PREFIX}/health", response=Health, **control)
    def health(request: Request) -> Health:
        """Is the platform up, and what does it serve."""
        return Health(
            "ok",
            platform.url,
            platform.store.where,
            SCHEMA_VERSION,
            sorted(platform.component_types),
            len(app.routes),
        )

    @app.post(f"{PREFIX}/reset", response=DevTenant, transaction=False, **control)
    def reset(request: Request) -> dict[str, Any]:
        """Wipe all state, clear faults and the clock, seed the dev tenant with a new API key."""
        return platform.reset()

    @app.get(f"{PREFIX}/dev", response=DevTenant, **control)
    def dev(request: Request) -> dict[str, Any]:
        """The fixed ids of the seeded dev user, org (org_dev) and workspace (ws_dev)."""
        return {**platform.dev_info(), "api_key": None}

    @app.post(f"{PREFIX}/dev-key", response=DevTenant, status=201, **control)
    def dev_key(request: Request) -> dict[str, Any]:
        """Mint a new API key for the dev user in the dev org (what `flow local init` stores)."""
        key = platform.mint_dev_key()
        return {**platform.dev_info(), "api_key": key}

    @app.post(f"{PREFIX}/tenants", body=TenantCreate, response=DevTenant, status=201, **control)
    def tenant(request: Request) -> dict[str, Any]:
        """Create another user with its own org, workspace and API key (isolation tests)."""
        body: TenantCreate = request.data
        with request.store.transaction() as tx:
            user_id = f"usr_{secrets.token_hex(8)}"
            tx.insert(
                "user",
                "",
                user_id,
                {"email": body.email or f"{user_id}@flow.local", "name": body.name, "orgs": []},
            )
            ids = create_tenant(tx, user_id, body.org_name)
            key = create_api_key(tx, ids["org_id"], user_id, "test key")["key"]
        return {"user_id": user_id, **ids, "api_key": key}

    @app.post(f"{PREFIX}/cli-login-requests/{{id}}/approve", **control)
    def approve(request: Request) -> dict[str, Any]:
        """Approve a CLI login request (by id or user code) as the dev user, without a browser."""
        with request.store.transaction() as tx:
            return approve_login(tx, request.params["id"], DEV_USER_ID, app.now())

    @app.post(f"{PREFIX}/cli-login-requests/{{id}}/deny", **control)
    def deny(request: Request) -> dict[str, Any]:
        """Deny a CLI login request (by id or user code)."""
        with request.store.transaction() as tx:
            return approve_login(tx, request.params["id"], DEV_USER_ID, app.now(), approve=False)

    @app.get(f"{PREFIX}/cli-login/{{id}}", **control)
    def login_page(request: Request) -> Response:
        """The verification page of a CLI login request: a button that approves it."""
        login_id = html.escape(request.params["id"], quote=True)
        page = (
            "<!doctype html><title>Flow local login</title>"
            "<h1>Approve this CLI login?</h1>"
            f'<form method="post" action="{PREFIX}/cli-login-requests/{login_id}/approve">'
            '<button type="submit">Approve as the local developer</button></form>'
        )
        return Response(200, page.encode(), media_type="text/html; charset=utf-8")

    @app.get(f"{PREFIX}/faults", response=FaultsConfig, **control)
    def get_faults(request: Request) -> FaultsConfig:
        """The fault rules in force, with how many faults each has caused."""
        return platform.faults.snapshot()

    @app.post(f"{PREFIX}/faults", body=FaultsConfig, response=FaultsConfig, **control)
    def set_faults(request: Request) -> FaultsConfig:
        """Replace the fault rules (429, 503, delay, drop for a share of /api requests)."""
        try:
            platform.faults.configure(request.data)
        except ValueError as exc:
            raise HTTPError(422, str(exc), "validation_error") from None
        return platform.faults.snapshot()

    @app.delete(f"{PREFIX}/faults", status=204, **control)
    def clear_faults(request: Request) -> None:
        """Stop injecting faults."""
        platform.faults.clear()

    @app.post(f"{PREFIX}/clock", body=ClockAdvance, response=ClockState, **control)
    def clock(request: Request) -> ClockState:
        """Move the platform's clock forward (token expiry, login expiry, idempotency window)."""
        seconds = request.data.seconds
        if seconds < 0:
            raise HTTPError(422, "the clock only moves forward: seconds >= 0", "validation_error")
        now = platform.clock.advance(seconds)
        return ClockState(now, platform.clock.offset)
