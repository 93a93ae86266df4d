"""Running code around every tenant route's handler of the local platform.

flow-sdk-local has no request hook yet, so this wraps each tenant route's
handler when the router first matches it: routes other plugins add later are
covered too, and a tag keeps a route from being wrapped twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flow_sdk_local import Request, Route

__all__ = ["Around", "wrap_tenant_handlers"]

Around = Callable[[Route, Request, Callable[[Request], Any]], Any]
_lock = threading.Lock()


def wrap_tenant_handlers(app: Any, tag: str, around: Around) -> None:
    """Call ``around(route, request, handler)`` instead of each tenant route's handler."""
    router = app.router
    inner = router.match
    prefix = app.TENANT + "/"

    def match(method: str, raw_path: str) -> Any:
        found = inner(method, raw_path)
        route = found.route if found is not None else None
        if route is not None and route.path.startswith(prefix):
            with _lock:
                wrapped: frozenset[str] = getattr(route, "_flow_wrapped", frozenset())
                if tag not in wrapped:
                    original = route.handler

                    def handler(request: Request) -> Any:
                        return around(route, request, original)

                    route.handler = handler
                    route.__dict__["_flow_wrapped"] = wrapped | {tag}
        return found

    router.match = match
