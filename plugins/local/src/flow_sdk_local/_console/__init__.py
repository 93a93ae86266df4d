"""The web console of the local platform: server-rendered pages under ``/console``.

Getting in: ``flow local console`` prints a one-time link
``/console/login?token=…`` whose token is an HMAC under the local admin secret
with an expiry (:data:`LINK_SECONDS`) and a nonce the server accepts once (used
nonces are kept in the platform's store until they expire, so neither a restart
nor a reset makes a used link work again).
Following it sets the session cookie (HttpOnly, SameSite=Strict,
Path=/console), itself derived from the admin secret: rotating the secret
logs every browser out. Without the cookie every page is a 403 saying how to
get in. A served platform's Host and Origin checks apply as to every route;
each form that changes state carries a CSRF token, checked on POST.

Panels: flow-sdk-local's overview and platform controls (faults, the CLI logins
waiting for approval, the clock, reset), and whatever plugins
add through the ``flow_sdk_local_console_panels(console)`` hook, each with
:meth:`Console.panel`. A panel renders HTML from a :class:`View` (the request,
the org/workspace chosen, and helpers for paged tables, details and bar charts).
"""

from __future__ import annotations

from ._markup import Markup, link, next_page
from ._model import Console, Panel
from ._pages import plain_page
from ._routes import install
from ._tokens import (
    COOKIE,
    LINK_SECONDS,
    NONCE_TABLE,
    PREFIX,
    csrf_token,
    login_link,
    session_value,
)
from ._view import PAGE_SIZE, Interval, Span, View

__all__ = [
    "COOKIE",
    "LINK_SECONDS",
    "NONCE_TABLE",
    "PAGE_SIZE",
    "PREFIX",
    "Console",
    "Interval",
    "Markup",
    "Panel",
    "Span",
    "View",
    "csrf_token",
    "install",
    "link",
    "login_link",
    "next_page",
    "plain_page",
    "session_value",
]
