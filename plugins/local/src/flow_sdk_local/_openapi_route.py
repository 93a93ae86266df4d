"""``GET /openapi.json``: the document of this platform, built once on first request."""

from __future__ import annotations

from typing import Any

from ._app import App
from ._http import Request, Response

__all__ = ["install"]


def install(app: App) -> None:
    """Add ``GET /openapi.json`` to ``app``."""
    cache: dict[str, bytes] = {}

    @app.get("/openapi.json", auth="none", tags=("meta",))
    def openapi(request: Request) -> Any:
        """The OpenAPI 3.1 document of the routes this platform serves."""
        if "doc" not in cache:
            from .openapi import build_document, render

            cache["doc"] = render(build_document(app)).encode()
        return Response(200, cache["doc"])
