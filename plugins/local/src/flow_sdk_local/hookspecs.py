"""The hooks through which plugins add routes and console panels to the local platform.

Implement it with ``flow_sdk.hookimpl`` in your plugin's hook module; import
your route module inside the hook body, so it loads only when a local
platform is built::

    @hookimpl
    def flow_sdk_local_routes(app):
        from ._routes import install
        install(app)

The local platform adds this specification to the plugin manager it is
given, so a plugin that implements it works whether or not flow-sdk-local is
installed (without it, the hook is simply never called).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flow_sdk.hookspecs import hookspec

if TYPE_CHECKING:
    from ._app import App
    from .console import Console

__all__ = ["flow_sdk_local_console_panels", "flow_sdk_local_routes"]


@hookspec
def flow_sdk_local_routes(app: App) -> None:
    """Add routes, resources, migrations and reset hooks to the local platform ``app``.

    Called once per local platform, after the core routes are in place.
    See plugins/local/ROUTES.md.
    """


@hookspec
def flow_sdk_local_console_panels(console: Console) -> None:
    """Add panels to the local platform's web console (``/console``) with ``console.panel``.

    Called once per local platform, after every plugin's routes are in place.
    A panel renders server-side HTML from a ``View`` (paged tables, details,
    forms, SVG charts and timelines); see :mod:`flow_sdk_local.console`.
    """
