"""Auth routes: API key → JWT, CLI login requests, and ``/auth/me``.

A CLI login request is created unauthenticated, approved (or denied) by a
signed-in user, and polled by the CLI, which gets the access token exactly
once; it expires after ``LOGIN_TTL_SECONDS``.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

import msgspec

from ._app import API, App
from ._auth import check_api_key
from ._http import HTTPError, Request, not_found, unauthorized
from ._jwt import issue_token
from ._store import Transaction, format_time

__all__ = ["LOGIN_TTL_SECONDS", "approve_login", "find_login", "install", "login_view"]

LOGIN_TTL_SECONDS = 600
LOGIN_TOKEN_TTL_MINUTES = 24 * 60
MAX_TTL_MINUTES = 30 * 24 * 60
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /auth/token``: an org API key and how long the token lives."""

    api_key: str
    ttl_minutes: Annotated[int, msgspec.Meta(ge=1, le=MAX_TTL_MINUTES)] = 60


class TokenReply(msgspec.Struct):
    """An access token (JWT), its type and when it expires."""

    access_token: str
    token_type: str
    expires_at: str


class OrgRef(msgspec.Struct):
    """An org the caller belongs to, as ``/auth/me`` lists it."""

    id: str
    name: str
    slug: str


class Me(msgspec.Struct):
    """The caller's identity and orgs (``GET /auth/me``)."""

    id: str
    email: str
    name: str
    orgs: list[OrgRef]


LoginStatus = Literal["pending", "approved", "denied", "expired"]


class LoginRequest(msgspec.Struct, omit_defaults=True):
    """A CLI login request; ``access_token`` appears on the first poll after approval only."""

    id: str
    user_code: str
    verification_url: str
    poll_interval: int
    expires_at: str
    status: LoginStatus
    access_token: str | None = None
    token_type: str | None = None
    token_expires_at: str | None = None


def _user_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def login_view(doc_id: str, data: dict[str, Any], now: float) -> dict[str, Any]:
    """The public view of a stored CLI login request (``expired`` once past its time)."""
    status = data["status"]
    if status == "pending" and now >= data["expires"]:
        status = "expired"
    return {
        "id": doc_id,
        "user_code": data["user_code"],
        "verification_url": data["verification_url"],
        "poll_interval": data["poll_interval"],
        "expires_at": format_time(data["expires"]),
        "status": status,
    }


def find_login(tx: Transaction, id_or_code: str) -> tuple[str, dict[str, Any]]:
    """A CLI login request by id or user code: ``(id, data)``; 404 when there is none."""
    doc = tx.get("cli_login", "", id_or_code)
    if doc is None:
        code = id_or_code.upper()
        matches = tx.list("cli_login", "", where={"user_code": code}, limit=1)
        doc = matches[0] if matches else None
    if doc is None:
        raise not_found(f"CLI login request {id_or_code!r}")
    return doc.id, doc.data


def approve_login(
    tx: Transaction, id_or_code: str, user_id: str, now: float, *, approve: bool = True
) -> dict[str, Any]:
    """Approve (or deny) a pending login request as ``user_id``; 409 if it is not pending."""
    doc_id, data = find_login(tx, id_or_code)
    view = login_view(doc_id, data, now)
    if view["status"] != "pending":
        raise HTTPError(
            409,
            f"CLI login request {doc_id!r} is {view['status']}, not pending; "
            f"start a new login with `flow login`",
            f"login_{view['status']}",
        )
    data = {**data, "status": "approved" if approve else "denied", "user_id": user_id}
    tx.update("cli_login", "", doc_id, data)
    return login_view(doc_id, data, now)


def install(app: App) -> None:
    """Add the auth routes (token exchange, CLI login requests, ``/auth/me``)."""
    platform = app.platform

    @app.post(
        f"{API}/auth/token", body=TokenRequest, response=TokenReply, auth="none", tags=("auth",)
    )
    def exchange_token(request: Request) -> TokenReply:
        """Exchange an org API key (fl_…) for a JWT access token."""
        body: TokenRequest = request.data
        if not 1 <= body.ttl_minutes <= MAX_TTL_MINUTES:
            raise HTTPError(
                422,
                f"ttl_minutes must be between 1 and {MAX_TTL_MINUTES}, got {body.ttl_minutes}",
                "validation_error",
            )
        with request.store.transaction() as tx:
            record = check_api_key(tx, body.api_key)
            if record is None:
                raise unauthorized(
                    "invalid API key: check it, or create a new one with "
                    "POST /api/v1/orgs/{org_id}/api-keys",
                    "invalid_api_key",
                )
            secret = platform.token_secret(tx)
        token, expires = issue_token(
            secret, record["user_id"], now=app.now(), ttl_seconds=body.ttl_minutes * 60
        )
        return TokenReply(token, "bearer", format_time(expires))

    @app.post(
        f"{API}/auth/cli-login-requests",
        response=LoginRequest,
        status=201,
        auth="none",
        tags=("auth",),
    )
    def create_login(request: Request) -> dict[str, Any]:
        """Start a CLI login: show user_code, open verification_url, poll until approved."""
        now = app.now()
        doc_id = f"clr_{secrets.token_urlsafe(24)}"
        base = request.base_url or platform.url
        data = {
            "user_code": _user_code(),
            "verification_url": f"{base}/_local/cli-login/{doc_id}",
            "poll_interval": 1,
            "expires": now + LOGIN_TTL_SECONDS,
            "status": "pending",
        }
        with request.store.transaction() as tx:
            tx.insert("cli_login", "", doc_id, data)
        return login_view(doc_id, data, now)

    @app.get(
        f"{API}/auth/cli-login-requests/{{id}}",
        response=LoginRequest,
        auth="none",
        tags=("auth",),
    )
    def poll_login(request: Request) -> dict[str, Any]:
        """Poll a CLI login request; the token comes once, on the first poll after approval."""
        now = app.now()
        with request.store.transaction() as tx:
            doc = tx.get("cli_login", "", request.params["id"])
            if doc is None:
                raise not_found(f"CLI login request {request.params['id']!r}")
            view = login_view(doc.id, doc.data, now)
            if view["status"] == "approved" and not doc.data.get("handed_out"):
                token, expires = issue_token(
                    platform.token_secret(tx),
                    doc.data["user_id"],
                    now=now,
                    ttl_seconds=LOGIN_TOKEN_TTL_MINUTES * 60,
                )
                tx.update("cli_login", "", doc.id, {**doc.data, "handed_out": True})
                view["access_token"] = token
                view["token_type"] = "bearer"  # noqa: S105 - the scheme, not a secret
                view["token_expires_at"] = format_time(expires)
        return view

    @app.post(
        f"{API}/auth/cli-login-requests/{{id}}/approve", response=LoginRequest, tags=("auth",)
    )
    def approve(request: Request) -> dict[str, Any]:
        """Approve a pending CLI login request as the signed-in user."""
        with request.store.transaction() as tx:
            return approve_login(tx, request.params["id"], request.user_id, app.now())

    @app.post(f"{API}/auth/cli-login-requests/{{id}}/deny", response=LoginRequest, tags=("auth",))
    def deny(request: Request) -> dict[str, Any]:
        """Deny a pending CLI login request."""
        with request.store.transaction() as tx:
            return approve_login(
                tx, request.params["id"], request.user_id, app.now(), approve=False
            )

    @app.get(f"{API}/auth/me", response=Me, tags=("auth",))
    def me(request: Request) -> dict[str, Any]:
        """The caller's identity and orgs."""
        with request.store.transaction(write=False) as tx:
            user = tx.get("user", "", request.user_id)
            assert user is not None
            orgs = []
            for org_id in user.data.get("orgs", []):
                org = tx.get("org", "", org_id)
                if org is not None:
                    orgs.append({"id": org.id, "name": org.data["name"], "slug": org.data["slug"]})
        return {
            "id": user.id,
            "email": user.data["email"],
            "name": user.data["name"],
            "orgs": orgs,
        }
