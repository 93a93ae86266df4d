"""What a plugin's console panels are built with (the ``flow_sdk_local_console_panels`` hook).

The hook is given a :class:`Console`; ``console.panel(slug, title, render, action=...)``
adds a page. ``render(view)`` returns HTML made with the :class:`View` helpers
(paged tables, details, forms carrying the CSRF token, SVG bar charts, timelines
and interval charts); ``action(view, form)`` handles the panel's POSTs and
returns the message to show, or raises ``ValueError`` with what to fix. Values
are escaped unless wrapped in :class:`Markup` (as :func:`link` and
``View.badge`` do). Tests get in with :func:`login_link` (or ``COOKIE`` set to
:func:`session_value`), post with :func:`csrf_token` and page with :func:`next_page`.
"""

from __future__ import annotations

from ._console import (
    COOKIE,
    LINK_SECONDS,
    PAGE_SIZE,
    PREFIX,
    Console,
    Interval,
    Markup,
    Panel,
    Span,
    View,
    csrf_token,
    link,
    login_link,
    next_page,
    session_value,
)

__all__ = [
    "COOKIE",
    "LINK_SECONDS",
    "PAGE_SIZE",
    "PREFIX",
    "Console",
    "Interval",
    "Markup",
    "Panel",
    "Span",
    "View",
    "csrf_token",
    "link",
    "login_link",
    "next_page",
    "session_value",
]
