"""The OpenAPI 3.1 document of a local platform, generated from its routes' msgspec types.

``python -m flow_sdk_local.openapi > docs/openapi.json`` writes the document
of a platform with every installed plugin; ``GET /openapi.json`` serves the
document of the running platform.
"""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING, Any

import msgspec

from ._http import ErrorBody

if TYPE_CHECKING:
    from ._app import App
    from ._routing import Route

__all__ = ["build_document", "main", "render"]

_REF = "#/components/schemas/{name}"
_METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}
_STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}


def _operation_id(route: Route) -> str:
    words = [s.strip("{}").split(":")[0] for s in route.segments if s not in ("api", "v1")]
    slug = re.sub(r"[^A-Za-z0-9]+", "_", "_".join(words)).strip("_")
    return f"{route.method.lower()}_{slug}"


def _scalar_schema(kind: Any) -> dict[str, Any]:
    return msgspec.json.schema(kind)


def build_document(app: App) -> dict[str, Any]:
    """The OpenAPI document covering exactly ``app``'s routes."""
    routes = sorted(app.routes, key=lambda r: (r.path, _METHOD_ORDER.get(r.method, 9)))
    types: list[Any] = [ErrorBody]
    for route in routes:
        for kind in (route.body, route.response):
            if kind is not None and kind not in types:
                types.append(kind)
    refs, schemas = msgspec.json.schema_components(types, ref_template=_REF)
    ref_of = dict(zip(range(len(types)), refs, strict=True))
    index = {id(kind): i for i, kind in enumerate(types)}

    def schema_for(kind: Any) -> dict[str, Any]:
        return ref_of[index[id(kind)]]

    error = {
        "description": "An error: detail (a sentence, or field errors for 422) and code",
        "content": {"application/json": {"schema": schema_for(ErrorBody)}},
    }
    component_types = sorted(app.component_types)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        parameters: list[dict[str, Any]] = []
        for name in route.param_names:
            schema: dict[str, Any] = {"type": "string"}
            if name == "component_type" and component_types:
                schema["enum"] = component_types
            parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        for query in route.query:
            param: dict[str, Any] = {
                "name": query.name,
                "in": "query",
                "required": query.required,
                "schema": _scalar_schema(query.type),
            }
            if query.description:
                param["description"] = query.description
            parameters.append(param)
        if route.method in ("PATCH", "DELETE") and "{id}" in route.path:
            parameters.append(
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": False,
                    "description": "the version you read; 409 when it is no longer current",
                    "schema": {"type": "string"},
                }
            )
        if route.method == "POST":
            parameters.append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "same key and body within 24 h: the first answer, nothing "
                    "done twice; same key, other body: 409",
                    "schema": {"type": "string"},
                }
            )
        success: dict[str, Any] = {
            "description": _STATUS_TEXT.get(route.status, "OK"),
        }
        if route.response is not None and route.status != 204:
            success["content"] = {"application/json": {"schema": schema_for(route.response)}}
        operation: dict[str, Any] = {
            "operationId": _operation_id(route),
            "summary": route.summary,
            "tags": list(route.tags),
            "parameters": parameters,
            "responses": {str(route.status): success, "default": error},
        }
        if route.auth == "user":
            operation["security"] = [{"bearerAuth": []}]
        else:
            operation["security"] = []
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema_for(route.body)}},
            }
        elif route.raw_body:
            operation["requestBody"] = {
                "required": True,
                "content": {route.raw_body: {"schema": {"type": "string"}}},
            }
        if route.owner:
            operation["x-flow-plugin"] = route.owner
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Flow platform API (local platform)",
            "version": "1",
            "description": "The routes served by the local platform with the plugins installed. "
            "Conventions: errors {detail, code}, X-Request-ID on every response, cursor lists "
            "{items, next_cursor}, If-Match on PATCH/DELETE, Idempotency-Key on POST.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def render(document: dict[str, Any]) -> str:
    """The document as stable, diff-friendly JSON text."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Print the OpenAPI document of an in-memory platform with every installed plugin."""
    from ._platform import LocalPlatform

    platform = LocalPlatform("local://memory-openapi")
    try:
        sys.stdout.write(render(build_document(platform.app)))
    finally:
        platform.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
