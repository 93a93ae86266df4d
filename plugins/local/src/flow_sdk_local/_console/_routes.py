"""The routes: ``/console/login`` (a one-time link), ``/console`` and a panel's GET and
POST (behind the cookie, forms behind the CSRF token), ``/`` for a browser; and the
order of the panels in the navigation."""

from __future__ import annotations

import hmac
import logging
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from flow_sdk.plugin import per_plugin

from .._app import route_not_found
from .._http import Request, Response
from ._model import Console
from ._pages import _HEADERS, _refused, _show
from ._panels import _control_action, _controls, _overview
from ._tokens import _NONCE_MIGRATION, COOKIE, PREFIX, session_value
from ._view import View

if TYPE_CHECKING:
    from .._app import App

logger = logging.getLogger("flow_sdk")

_FORM = "application/x-www-form-urlencoded"

_HOW_TO_GET_IN = (
    "Run <code>flow local console</code> in a terminal: it prints a one-time link that "
    "lets this browser in."
)


def _cookie(request: Request, name: str) -> str:
    for part in (request.header("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def install(app: App) -> Console:
    """Add the ``/console`` routes; panels come from flow-sdk-local and the hook."""
    console = Console(app)
    platform = app.platform
    app.migration("local-0001-console-login-nonces", _NONCE_MIGRATION)
    app.on_reset(console._restore_nonces)
    opts: dict[str, Any] = {"auth": "none", "transaction": False, "tags": ("console",)}

    def admitted(request: Request) -> bool:
        return hmac.compare_digest(_cookie(request, COOKIE), session_value(platform.admin_secret))

    @app.get(f"{PREFIX}/login", **opts)
    def login(request: Request) -> Response:
        """Redeem a one-time link: set the console cookie and go to the overview."""
        if not console.redeem(request.query_one("token") or ""):
            return _refused(
                "This link has expired",
                "Each link works once, for a few minutes. " + _HOW_TO_GET_IN,
            )
        cookie = (
            f"{COOKIE}={session_value(platform.admin_secret)}; Path={PREFIX}; HttpOnly; "
            "SameSite=Strict"
        )
        return Response(
            303,
            b"",
            {**_HEADERS, "Location": f"{PREFIX}/overview", "Set-Cookie": cookie},
            media_type="text/plain",
        )

    def view_of(request: Request, slug: str) -> View | Response:
        if not admitted(request):
            return _refused("Sign in to the console", _HOW_TO_GET_IN)
        panel = console.panels.get(slug)
        if panel is None:
            return _refused("No such panel", "A plugin may not be installed.", 404)
        return View(console, panel, request)

    @app.get("/", **opts)
    def root(request: Request) -> Response:
        """A browser opening the served platform's address is sent to the console; any
        other client gets the 404 of a path no route serves."""
        if "text/html" not in (request.header("accept") or ""):
            raise route_not_found("GET", "/")
        return Response(303, b"", {**_HEADERS, "Location": PREFIX}, media_type="text/plain")

    @app.get(PREFIX, **opts)
    def home(request: Request) -> Response:
        """The console's first panel."""
        view = view_of(request, next(iter(console.panels), ""))
        return view if isinstance(view, Response) else _show(view)

    @app.get(f"{PREFIX}/{{panel}}", **opts)
    def show(request: Request) -> Response:
        """One console panel."""
        view = view_of(request, request.params["panel"])
        return view if isinstance(view, Response) else _show(view)

    @app.post(f"{PREFIX}/{{panel}}", **opts)
    def act(request: Request) -> Response:
        """A console form: the CSRF token must come with it."""
        view = view_of(request, request.params["panel"])
        if isinstance(view, Response):
            return view
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        fields = (
            parse_qs(request.body.decode("utf-8", "replace"), max_num_fields=32)
            if content_type == _FORM
            else {}
        )
        form = {k: v[-1] for k, v in fields.items()}
        if not hmac.compare_digest(form.get("csrf", ""), view.csrf):
            return _refused("This form has expired", "Reload the page and send the form again.")
        if view.panel.action is None:
            return _refused("Nothing to do here", "This panel has no forms.", 405)
        try:
            notice = view.panel.action(view, form)
        except ValueError as exc:
            return _show(view, error=str(exc), status=422)
        return _show(view, notice=notice)

    console.owner = "flow-sdk-local"
    console.panel("overview", "Overview", _overview)
    console.panel("platform", "Platform", _controls, action=_control_action)
    for name, call in per_plugin(platform.plugin_manager, "flow_sdk_local_console_panels"):
        console.owner = name
        try:
            call(console=console)
        except Exception:
            logger.exception("local platform: plugin %s failed to add console panels", name)
            if os.environ.get("FLOW_STRICT_PLUGINS", "") not in ("", "0", "false", "no"):
                raise
    console.owner = ""
    # The navigation: the overview first, the plugins' panels by title (the same order
    # whatever order the plugins load in), the platform's own controls last.
    contributed = sorted(
        (p for p in console.panels.values() if p.owner != "flow-sdk-local"),
        key=lambda p: p.title.lower(),
    )
    panels = [console.panels["overview"], *contributed, console.panels["platform"]]
    console.panels = {p.slug: p for p in panels}
    app.console = console
    return console
