"""The OpenAPI 3.1 document of a local platform, generated from its routes' msgspec types.

``python -m flow_sdk_local.openapi > docs/openapi.json`` writes the document
of a platform with every installed plugin; ``GET /openapi.json`` serves the
document of the running platform.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from typing import TYPE_CHECKING, Any

import msgspec

from ._app import ADMIN_HEADER
from ._components import COMPONENT_TYPE_MARK
from ._http import ErrorBody
from ._routing import NO_CONTROLS

if TYPE_CHECKING:
    from ._app import App
    from ._routing import QueryParam, Route

__all__ = ["IF_MATCH_PATTERN", "NO_CONTROLS", "build_document", "main", "render"]

_REF = "#/components/schemas/{name}"
_METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}
_STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}

IF_MATCH_PATTERN = r'^(\*|(W/)?"[\x21\x23-\x7e]*"|[0-9]+)$'
"""What ``If-Match`` may hold (``parse_if_match`` refuses anything else, 400): ``*``, one
entity tag (RFC 9110), or a bare version number. Only the ETag of the current version
(``"3"``, or ``3``) matches; another tag, a weak one included, is a 409."""
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""Every integer of a request (body or query) fits in 64 bits (``_http.check_json``)."""
_DAY = (
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_DAY = r"([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29"
DATE_TIME_PATTERN = (
    rf"^(?!0000)([0-9]{{4}}-{_DAY}|{_LEAP_DAY})[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
"""An RFC 3339 date-time (the ``format`` alone is an annotation a reader may ignore); the
platform reads such a value with msgspec, which refuses anything else."""
JSON_VALUE = "JsonValue"
"""The component for free-form JSON (``Any``): any value whose integers fit in 64 bits."""

_ERRORS = {
    400: "The request cannot be read: an If-Match that is not a version, or an "
    "Idempotency-Key that is empty, too long or holds control characters",
    401: "No valid access token (missing, expired or revoked)",
    403: "The control plane of a served platform needs the local admin secret",
    404: "Not found: what the path names does not exist or is in a tenant the caller cannot see",
    409: "Conflict with the current state: a version that is no longer current (If-Match), "
    "an Idempotency-Key used for another request, or a state that does not allow this",
    422: "A path, query or body value that does not fit its schema",
}
_RAW_BODIES: dict[str, dict[str, Any]] = {
    "application/x-ndjson": {
        "description": "JSON Lines: each item of this array is one line, a JSON object",
        "type": "array",
        "items": {"type": "object", "additionalProperties": {"$ref": _REF.format(name=JSON_VALUE)}},
    },
}
"""What a raw body of each media type holds (a media type not listed: a string)."""
_ANY_KEYS = frozenset({"title", "description", "default", "examples"})
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs")
_SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _operation_id(route: Route) -> str:
    words = [s.strip("{}").split(":")[0] for s in route.segments if s not in ("api", "v1")]
    slug = re.sub(r"[^A-Za-z0-9]+", "_", "_".join(words)).strip("_")
    return f"{route.method.lower()}_{slug}"


def _error_statuses(route: Route) -> list[int]:
    """The error statuses the conventions give a route (any route may also answer others,
    e.g. 413, 415, 500 or an injected 429/503: ``default``)."""
    statuses = set()
    if route.auth == "user":
        statuses.add(401)
    if route.auth == "control":
        statuses.add(403)
    if route.param_names or route.auth == "user":
        statuses.add(404)
    if route.method in ("POST", "PUT", "PATCH", "DELETE"):
        statuses.add(409)
    if route.method == "POST" or _has_if_match(route):
        statuses.add(400)
    if route.body is not None or route.raw_body or route.query or route.param_names:
        statuses.add(422)
    return sorted(statuses)


def _has_if_match(route: Route) -> bool:
    return route.method in ("PATCH", "DELETE") and "{id}" in route.path


def _json_value() -> dict[str, Any]:
    ref = {"$ref": _REF.format(name=JSON_VALUE)}
    return {
        "description": "Any JSON value; its integers fit in 64 bits",
        "anyOf": [
            {"type": ["null", "boolean", "string"]},
            {"type": "number", "not": {"type": "integer"}},
            {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX},
            {"type": "array", "items": ref},
            {"type": "object", "additionalProperties": ref},
        ],
    }


def _harden(node: Any) -> Any:
    """What the platform checks of every request, written into a schema (in place): a
    free-form value (``{}``) is a ``JsonValue``, an integer is bounded to 64 bits, and a
    date-time has the pattern of one."""
    if not isinstance(node, dict):
        return node
    if set(node) <= _ANY_KEYS:
        node["$ref"] = _REF.format(name=JSON_VALUE)
        return node
    kinds = node.get("type")
    if node.get("format") == "date-time" and "pattern" not in node:
        node["pattern"] = DATE_TIME_PATTERN
    if kinds == "object" and "additionalProperties" not in node:
        node["additionalProperties"] = {"$ref": _REF.format(name=JSON_VALUE)}
    if kinds == "array" and "items" not in node and "prefixItems" not in node:
        node["items"] = {"$ref": _REF.format(name=JSON_VALUE)}
    if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
        if "minimum" not in node and "exclusiveMinimum" not in node:
            node["minimum"] = INT64_MIN
        if "maximum" not in node and "exclusiveMaximum" not in node:
            node["maximum"] = INT64_MAX
    for key in _SUBSCHEMA_LISTS:
        for item in node.get(key, ()):
            _harden(item)
    for key in _SUBSCHEMA_MAPS:
        for item in node.get(key, {}).values():
            _harden(item)
    for key in _SUBSCHEMAS:
        if isinstance(node.get(key), dict):
            _harden(node[key])
    return node


def _without_controls(node: dict[str, Any]) -> None:
    """Add ``NO_CONTROLS`` to the string form(s) of a property schema without a pattern."""
    is_string = node.get("type") in ("string", ["string"])
    if is_string and not {"pattern", "enum", "const"} & set(node):
        node["pattern"] = NO_CONTROLS
    for item in node.get("anyOf", ()):
        if isinstance(item, dict):
            _without_controls(item)


def _name_fields(body: Any, schemas: dict[str, Any]) -> None:
    """The top-level name and id fields of a body hold no control characters (the check
    ``_app`` makes of every decoded body); write that into the body's schema."""
    from ._app import _is_name

    info = msgspec.inspect.type_info(body)
    members = info.types if isinstance(info, msgspec.inspect.UnionType) else (info,)
    for member in members:
        if not isinstance(member, msgspec.inspect.StructType):
            continue
        properties = schemas.get(member.cls.__name__, {}).get("properties", {})
        for field in member.fields:
            if _is_name(field.name) and field.encode_name in properties:
                _without_controls(properties[field.encode_name])


def _body_type(route: Route) -> Any:
    return route.documented_body if route.documented_body is not None else route.body


def _body_required(route: Route) -> bool:
    """Whether a request must carry a body: not when every field of it may be left out
    (an empty body is read as ``{}``)."""
    body = route.body
    if isinstance(body, type) and issubclass(body, msgspec.Struct):
        return any(field.required for field in msgspec.structs.fields(body))
    return True


def _component_type_enums(node: Any, component_types: list[str]) -> None:
    """A string marked as a component type (``ComponentTypeName``) lists the registered ones."""
    if isinstance(node, dict):
        excluded = node.pop(COMPONENT_TYPE_MARK, None)
        if excluded is not None and component_types:
            node["enum"] = [name for name in component_types if name not in excluded]
        for value in node.values():
            _component_type_enums(value, component_types)
    elif isinstance(node, list):
        for item in node:
            _component_type_enums(item, component_types)


def _path_parameter(route: Route, name: str, component_types: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": NO_CONTROLS}
    if name == "component_type" and component_types:
        schema = {"type": "string", "enum": component_types}
    param: dict[str, Any] = {"name": name, "in": "path", "required": True, "schema": schema}
    if name == route.rest_param:
        param["description"] = "the rest of the path (it may hold /)"
    return param


def _query_parameter(query: QueryParam) -> dict[str, Any]:
    param: dict[str, Any] = {
        "name": query.name,
        "in": "query",
        "required": query.required,
        "schema": _harden(copy.deepcopy(msgspec.json.schema(query.type))),
    }
    if query.description:
        param["description"] = query.description
    return param


def _idempotency_key() -> dict[str, Any]:
    from ._idempotency import MAX_KEY_LENGTH

    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "same key and body within 24 h: the first answer, nothing done twice; "
        "same key, other body: 409",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_KEY_LENGTH,
            "pattern": NO_CONTROLS,
        },
    }


def _if_match() -> dict[str, Any]:
    return {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": 'the ETag of the version you read (e.g. "3"); 409 when it is not the '
        "current one (a weak tag never is: If-Match compares strongly)",
        "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
    }


def build_document(app: App) -> dict[str, Any]:
    """The OpenAPI document covering exactly ``app``'s routes."""
    # the console's HTML pages (and the way a browser is sent to them) are not the API
    api = [r for r in app.routes if "console" not in r.tags]
    routes = sorted(api, key=lambda r: (r.path, _METHOD_ORDER.get(r.method, 9)))
    types: list[Any] = [ErrorBody]
    for route in routes:
        for kind in (_body_type(route), route.response):
            if kind is not None and kind not in types:
                types.append(kind)
    # a copy: what msgspec returns may share dicts with the types' extra_json_schema
    refs, schemas = copy.deepcopy(msgspec.json.schema_components(types, ref_template=_REF))
    ref_of = dict(zip(range(len(types)), refs, strict=True))
    index = {id(kind): i for i, kind in enumerate(types)}
    for schema in (*schemas.values(), *refs):
        _harden(schema)
    schemas[JSON_VALUE] = _json_value()
    for route in routes:
        if route.body is not None:
            _name_fields(_body_type(route), schemas)
    _component_type_enums(schemas, sorted(app.component_types))

    def schema_for(kind: Any) -> dict[str, Any]:
        return ref_of[index[id(kind)]]

    error = {
        "description": "An error: detail (a sentence, or field errors for 422) and code",
        "content": {"application/json": {"schema": schema_for(ErrorBody)}},
    }
    component_types = sorted(app.component_types)
    open_control: set[tuple[str, str]] = getattr(app, "_open_control", set())
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        parameters = [_path_parameter(route, n, component_types) for n in route.param_names]
        parameters += [_query_parameter(query) for query in route.query]
        if _has_if_match(route):
            parameters.append(_if_match())
        if route.method == "POST":
            parameters.append(_idempotency_key())
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
            "responses": {
                str(route.status): success,
                **{
                    str(status): {**success, "description": _STATUS_TEXT.get(status, "OK")}
                    for status in route.other_statuses
                },
                **{
                    str(status): {**error, "description": _ERRORS[status]}
                    for status in _error_statuses(route)
                },
                "default": error,
            },
        }
        if route.auth == "user":
            operation["security"] = [{"bearerAuth": []}]
        elif route.auth == "control" and (route.method, route.path) not in open_control:
            operation["security"] = [{"localAdmin": []}]
        else:
            operation["security"] = []
        if route.body is not None:
            operation["requestBody"] = {
                "required": _body_required(route),
                "content": {"application/json": {"schema": schema_for(_body_type(route))}},
            }
        elif route.raw_body:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    route.raw_body: {"schema": _RAW_BODIES.get(route.raw_body, {"type": "string"})}
                },
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
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "localAdmin": {
                    "type": "apiKey",
                    "in": "header",
                    "name": ADMIN_HEADER,
                    "description": "the local admin secret of a served platform (the file "
                    "admin-secret of its data directory); in-process calls need none",
                },
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
