"""The control plane for tests and tools: ``/_local/...``.

In-process it needs nothing (the caller is the process itself). A served
platform (on 127.0.0.1) answers it only with the local admin secret in the
``X-Flow-Local-Admin`` header, except ``/_local/health`` and the CLI login
page, whose form is bound to the page by a token (CSRF-proof) and approves
without the secret. It offers health, reset, the seeded dev tenant and a
fresh dev API key, extra tenants (for isolation tests), approving CLI logins
without a browser, fault injection and moving the platform's clock forward;
every value is bounded (422 otherwise).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from typing import Annotated, Any
from urllib.parse import parse_qs

import msgspec

from ._app import App
from ._auth_routes import approve_login, login_view
from ._console import plain_page
from ._faults import FaultError, FaultsConfig
from ._http import FieldError, HTTPError, Request, Response, not_found
from ._platform import DEV_USER_ID, MAX_CLOCK_OFFSET, LocalPlatform
from ._store import SCHEMA_VERSION
from ._tenants import TenantName, check_name, create_api_key, create_tenant

__all__ = ["PREFIX", "form_token", "install"]

PREFIX = "/_local"
MAX_EMAIL = 254
_FORM = "application/x-www-form-urlencoded"


class Health(msgspec.Struct):
    """``GET /_local/health``: what the platform is and serves."""

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
    """``POST /_local/tenants``: another user with its own org."""

    org_name: TenantName = "Other org"
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=MAX_EMAIL)] | None = None
    name: TenantName = "Other user"


class ClockAdvance(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /_local/clock``: how far to move the clock forward."""

    seconds: Annotated[float, msgspec.Meta(ge=0, le=MAX_CLOCK_OFFSET)]
    """Seconds to move forward (the offset may reach about a century in all)."""


class ClockState(msgspec.Struct):
    """The platform clock after a move: now, and its offset from the wall clock."""

    now: float
    offset: float


def form_token(platform: LocalPlatform, login_id: str) -> str:
    """The approval form's token for one login request: only its page shows it, and it
    approves only that request (an HMAC under the database's own secret)."""
    key = platform.token_secret().encode()
    return hmac.new(key, f"cli-login-approve:{login_id}".encode(), hashlib.sha256).hexdigest()


def _wants_html(request: Request) -> bool:
    """A browser (it asks for text/html) gets errors as a page; programs get JSON."""
    return "text/html" in (request.header("accept") or "")


def _account(tx: Any, user_id: str) -> dict[str, str]:
    """Who approving makes the terminal: the user's name and email, and its orgs."""
    user = tx.get("user", "", user_id)
    data = user.data if user is not None else {}
    orgs = []
    for org_id in data.get("orgs", ()):
        org = tx.get("org", "", org_id)
        if org is not None:
            orgs.append(str(org.data.get("name", org_id)))
    return {
        "name": str(data.get("name", user_id)),
        "email": str(data.get("email", "")),
        "orgs": ", ".join(orgs) or "none",
    }


def _account_list(account: dict[str, str], platform_url: str) -> str:
    e = html.escape
    who = e(account["name"]) + (f" &lt;{e(account['email'])}&gt;" if account["email"] else "")
    return (
        f'<dl><dt>Account</dt><dd id="account">{who}</dd>'
        f'<dt>Organisations</dt><dd id="orgs">{e(account["orgs"])}</dd>'
        f"<dt>Platform</dt><dd>{e(platform_url)}</dd></dl>"
    )


def _login_form(
    login_id: str, code: str, token: str, account: dict[str, str], platform_url: str, error: str
) -> Response:
    """The approval page: the account, the code to compare with the terminal's, a box to
    tick to say they match, Approve and Deny (both post the page's form token)."""
    e = html.escape
    action = e(f"{PREFIX}/cli-login-requests/{login_id}/approve", quote=True)
    warning = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    body = (
        "<p>A <code>flow login</code> is waiting. Approving it lets that terminal act as:</p>"
        f"{_account_list(account, platform_url)}"
        "<p>Your terminal shows a code. Approve only if it is this one:</p>"
        f'<p class="code" id="user-code">{e(code)}</p>{warning}'
        f'<form method="post" action="{action}">'
        f'<input type="hidden" name="form_token" value="{e(token, quote=True)}">'
        '<label class="check"><input type="checkbox" name="confirm" value="yes" id="confirm" '
        f"required><span>My terminal shows the code <strong>{e(code)}</strong></span></label>"
        '<div class="actions">'
        '<button type="submit" name="decision" value="approve" id="approve">Approve</button>'
        '<button type="submit" name="decision" value="deny" id="deny" class="secondary" '
        "formnovalidate>Deny</button></div></form>"
        '<p class="muted">If the codes differ, or you did not just run <code>flow login</code>, '
        "deny it.</p>"
    )
    status = 400 if error else 200
    return plain_page("Approve this CLI login?", body, status)


def _form_fields(request: Request) -> dict[str, list[str]]:
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if content_type != _FORM:
        return {}
    return parse_qs(request.body.decode("utf-8", "replace"), max_num_fields=16)


def _refused(request: Request, error: HTTPError, title: str, text: str) -> Response:
    """An error of the login form: a page for a browser, the usual JSON otherwise."""
    if not _wants_html(request):
        raise error
    return plain_page(title, f"<p>{html.escape(text)}</p>", error.status)


def _decide_from_form(
    request: Request, platform: LocalPlatform, now: float, platform_url: str
) -> Response:
    """The login page's form, posted by a browser without the admin secret: the form
    token of this very request must come with it (CSRF), and approving needs the box
    ticked that says the terminal shows the same code. Answers with a page."""
    login_id = request.params["id"]
    form = _form_fields(request)
    sent = (form.get("form_token") or [""])[-1]
    decision = (form.get("decision") or ["approve"])[-1]
    confirmed = (form.get("confirm") or [""])[-1] == "yes"
    with request.store.transaction() as tx:
        doc = tx.get("cli_login", "", login_id)  # by full id only: a user code is guessable
        if doc is None or not hmac.compare_digest(sent, form_token(platform, login_id)):
            error = HTTPError(
                403,
                "this approval needs the form of its login page (open the verification_url "
                "that `flow login` printed), or the local admin secret",
                "form_token_invalid",
            )
            return _refused(
                request,
                error,
                "This form has expired",
                "Open the link that `flow login` printed in your terminal again.",
            )
        if decision not in ("approve", "deny"):
            raise HTTPError(422, "decision must be approve or deny", "validation_error")
        view = login_view(doc.id, doc.data, now)
        code = view["user_code"]
        account = _account(tx, DEV_USER_ID)
        if view["status"] != "pending":
            error = HTTPError(
                409,
                f"CLI login request {doc.id!r} is {view['status']}, not pending; "
                f"start a new login with `flow login`",
                f"login_{view['status']}",
            )
            return _refused(
                request,
                error,
                f"This login is {view['status']}",
                f"The login with code {code} is {view['status']}: nothing was changed. "
                "Run `flow login` again for a new one.",
            )
        if decision == "approve" and not confirmed:
            token = form_token(platform, doc.id)
            return _login_form(
                doc.id,
                code,
                token,
                account,
                platform_url,
                "Tick the box once you have checked that your terminal shows this code.",
            )
        approved = decision == "approve"
        approve_login(tx, login_id, DEV_USER_ID, now, approve=approved)
    e = html.escape
    if approved:
        return plain_page(
            "Login approved",
            f'<p class="ok" id="outcome">The login with code <strong>{e(code)}</strong> is '
            "approved.</p>"
            f"<p>Your terminal logs in as {e(account['name'])} at its next check, within "
            "seconds. You can close this page and return to it.</p>",
        )
    return plain_page(
        "Login denied",
        f'<p class="bad" id="outcome">The login with code <strong>{e(code)}</strong> is '
        "denied.</p><p>That terminal gets no access. You can close this page.</p>",
    )


def install(app: App) -> None:
    """Add the ``/_local`` control-plane routes."""
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
        org_name, name = check_name(body.org_name, "org_name"), check_name(body.name)
        if body.email is not None and not 3 <= len(body.email) <= MAX_EMAIL:
            raise HTTPError(
                422,
                [FieldError(["body", "email"], f"must be 3 to {MAX_EMAIL} characters")],
                "validation_error",
            )
        with request.store.transaction() as tx:
            user_id = f"usr_{secrets.token_hex(8)}"
            tx.insert(
                "user",
                "",
                user_id,
                {"email": body.email or f"{user_id}@flow.local", "name": name, "orgs": []},
            )
            ids = create_tenant(tx, user_id, org_name)
            key = create_api_key(tx, ids["org_id"], user_id, "test key")["key"]
        return {"user_id": user_id, **ids, "api_key": key}

    @app.post(f"{PREFIX}/cli-login-requests/{{id}}/approve", **control)
    def approve(request: Request) -> Any:
        """Approve a CLI login request (by id or user code) as the dev user, without a browser.

        Without the admin secret (a browser on a served platform) only the login
        page's own form is accepted: the full request id and its form token, and
        ``confirm=yes`` (the box saying the terminal shows the same code) to
        approve; its ``decision=deny`` denies instead. The answer is then a page.
        """
        if not request.admin:
            base = request.base_url or platform.url
            return _decide_from_form(request, platform, app.now(), base)
        with request.store.transaction() as tx:
            return approve_login(tx, request.params["id"], DEV_USER_ID, app.now())

    app.open_control_route("POST", f"{PREFIX}/cli-login-requests/{{id}}/approve")

    @app.post(f"{PREFIX}/cli-login-requests/{{id}}/deny", **control)
    def deny(request: Request) -> dict[str, Any]:
        """Deny a CLI login request (by id or user code)."""
        with request.store.transaction() as tx:
            return approve_login(tx, request.params["id"], DEV_USER_ID, app.now(), approve=False)

    @app.get(f"{PREFIX}/cli-login/{{id}}", **control)
    def login_page(request: Request) -> Response:
        """The verification page of a CLI login request: a button that approves it.

        It shows the account the terminal would act as and the code to compare
        with the terminal's; approving needs a box ticked saying they match, and
        a Deny button denies. Once decided, it says how the request stands.
        """
        login_id = request.params["id"]
        with request.store.transaction(write=False) as tx:
            doc = tx.get("cli_login", "", login_id)
            if doc is None:
                raise not_found(f"CLI login request {login_id!r}")
            account = _account(tx, DEV_USER_ID)
        view = login_view(doc.id, doc.data, app.now())
        code = html.escape(view["user_code"])
        if view["status"] != "pending":
            return plain_page(
                f"This login is {view['status']}",
                f'<p id="outcome">The login with code <strong>{code}</strong> is '
                f"{view['status']}; run <code>flow login</code> again for a new one.</p>",
            )
        base = request.base_url or platform.url
        token = form_token(platform, doc.id)
        return _login_form(doc.id, view["user_code"], token, account, base, "")

    app.open_control_route("GET", f"{PREFIX}/health")
    app.open_control_route("GET", f"{PREFIX}/cli-login/{{id}}")

    @app.get(f"{PREFIX}/faults", response=FaultsConfig, **control)
    def get_faults(request: Request) -> FaultsConfig:
        """The fault rules in force, with how many faults each has caused."""
        return platform.faults.snapshot()

    @app.post(f"{PREFIX}/faults", body=FaultsConfig, response=FaultsConfig, **control)
    def set_faults(request: Request) -> FaultsConfig:
        """Replace the fault rules (429, 503, delay, drop for a share of /api requests)."""
        try:
            platform.faults.configure(request.data)
        except FaultError as exc:
            raise HTTPError(
                422, [FieldError(["body", *exc.loc], exc.message)], "validation_error"
            ) from None
        return platform.faults.snapshot()

    @app.delete(f"{PREFIX}/faults", status=204, **control)
    def clear_faults(request: Request) -> None:
        """Stop injecting faults."""
        platform.faults.clear()

    @app.post(f"{PREFIX}/clock", body=ClockAdvance, response=ClockState, **control)
    def clock(request: Request) -> ClockState:
        """Move the platform's clock forward (token expiry, login expiry, idempotency window)."""
        try:
            now = platform.clock.advance(request.data.seconds)
        except ValueError as exc:
            raise HTTPError(
                422, [FieldError(["body", "seconds"], str(exc))], "validation_error"
            ) from None
        return ClockState(now, platform.clock.offset)
