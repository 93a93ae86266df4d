"""The local platform's routes for ``<org>/services``: definitions, versions, invocation.

Imported only when a local platform is built (hook ``flow_sdk_local_routes``).
A service is one stored document whose published versions are kept inside
it, frozen; invoking runs the matched endpoint's handler with the code runner
of flow-sdk-components, outside any database transaction.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Any
from urllib.parse import unquote

import msgspec
from flow_sdk_components.runner import run_code
from flow_sdk_local import (
    NOT_BLANK,
    PAGE_QUERY,
    Document,
    FieldError,
    HTTPError,
    Page,
    Request,
    Response,
    Transaction,
    conflict,
    not_found,
    page_of,
    page_params,
    parse_if_match,
)

from .endpoints import (
    HTTP_METHODS,
    MAX_ENDPOINTS,
    MAX_HANDLER_TIMEOUT_S,
    check_endpoints,
    match_endpoint,
    normalise_path,
    split_version,
)
from .handlers import ENTRYPOINT, RESPONSE_KEY, handler_inputs, runnable_source
from .models import HostedService, ServiceVersion

__all__ = ["DEFAULT_HANDLER_TIMEOUT_S", "install"]

KIND = "hosted_service"
DEFAULT_HANDLER_TIMEOUT_S = 10.0
INVOKE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_TAGS = ("hosted-services",)
_REMEMBERED_FAILURES = 256
#: ``api``, ``v1``, ``orgs``, the org, ``services``, the service: what precedes an endpoint path.
_SERVICE_SEGMENTS = 6

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]

_LITERAL = r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*|\.[A-Za-z0-9_~-][A-Za-z0-9._~-]*|\.\.[A-Za-z0-9._~-]+"
_SEGMENT = rf"(\{{[A-Za-z_][A-Za-z0-9_]*\}}|{_LITERAL})"
PATH_PATTERN = rf"^/?(?!(versions|v[0-9]+)(/|$)){_SEGMENT}(/{_SEGMENT})*/?$"
"""An endpoint path as ``check_endpoints`` takes it: segments of letters, digits and
``-._~`` (not ``.`` or ``..``) or ``{name}`` parameters, the first neither ``versions`` nor a
version such as ``v2``."""
_HANDLER_OR_BLOCK: dict[str, Any] = {
    "anyOf": [
        {
            "properties": {
                "handler": {"type": "string", "pattern": NOT_BLANK},
                "code_block_id": {"type": "null"},
            },
            "required": ["handler"],
        },
        {
            "properties": {
                "handler": {"type": "null"},
                "code_block_id": {"type": "string", "minLength": 1},
                "workspace_id": {"type": "string", "minLength": 1},
            },
            "required": ["code_block_id", "workspace_id"],
        },
    ]
}


class EndpointIn(msgspec.Struct, kw_only=True):
    """One route of the service, answered by ``handler`` (Python source that compiles) or
    by the code block ``code_block_id`` of workspace ``workspace_id`` (of this org). Within
    a path, parameter names are unique; no two endpoints of a service answer the same
    requests (422 otherwise: rules a schema cannot state). ``check_endpoints`` checks all of
    it, naming each problem; the schema states what it can of the same rules."""

    method: Annotated[str, msgspec.Meta(extra_json_schema={"enum": list(HTTP_METHODS)})]
    path: Annotated[str, msgspec.Meta(extra_json_schema={"pattern": PATH_PATTERN})]
    handler: str | None = None
    code_block_id: str | None = None
    workspace_id: str | None = None
    code_block_version: int | None = None
    timeout_s: (
        Annotated[
            float,
            msgspec.Meta(
                extra_json_schema={"exclusiveMinimum": 0, "maximum": MAX_HANDLER_TIMEOUT_S}
            ),
        ]
        | None
    ) = None


Endpoints = Annotated[
    list[Annotated[EndpointIn, msgspec.Meta(extra_json_schema=_HANDLER_OR_BLOCK)]],
    msgspec.Meta(extra_json_schema={"maxItems": MAX_ENDPOINTS}),
]


class ServiceCreate(msgspec.Struct, kw_only=True):
    """A new service; nothing answers until it is published."""

    name: Name
    description: str = ""
    endpoints: Endpoints = []


class ServiceUpdate(msgspec.Struct, kw_only=True):
    """The fields to change (those sent); published versions never change."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    endpoints: Endpoints | msgspec.UnsetType = msgspec.UNSET


def _unprocessable(loc: list[str | int], message: str) -> HTTPError:
    return HTTPError(422, [FieldError(["body", *loc], message)], "validation_error")


def _validate(request: Request, data: dict[str, Any], existing: Any) -> None:
    for field in ("name", "description", "endpoints"):
        if field in data and data[field] is None:
            if existing is None and field != "name":
                data[field] = "" if field == "description" else []
            else:
                raise _unprocessable([field], "must not be null")
    endpoints = data.get("endpoints") or []
    problems = check_endpoints(endpoints)
    if problems:
        raise HTTPError(
            422,
            [FieldError(["body", "endpoints", *p.loc], p.message) for p in problems],
            "validation_error",
        )
    data["endpoints"] = [
        {**e, "method": str(e["method"]).upper(), "path": normalise_path(e["path"])}
        for e in endpoints
    ]
    with request.store.transaction() as tx:
        for index, endpoint in enumerate(data["endpoints"]):
            if endpoint.get("code_block_id") and _code_block(tx, request.org_id, endpoint) is None:
                raise _unprocessable(
                    ["endpoints", index, "code_block_id"],
                    f"no code block {endpoint['code_block_id']!r} in workspace "
                    f"{endpoint['workspace_id']!r} of this org",
                )
    if existing is None:
        data["versions"] = []
        data["latest_version"] = None


def _code_block(tx: Transaction, org_id: str, endpoint: dict[str, Any]) -> Document | None:
    """The code block an endpoint names, in a workspace of ``org_id``; None if absent."""
    workspace_id = endpoint["workspace_id"]
    if tx.get("workspace", org_id, workspace_id) is None:
        return None
    scope = f"{org_id}/{workspace_id}/code_block"
    doc: Document | None = tx.get("component", scope, endpoint["code_block_id"])
    return doc


def _freeze(tx: Transaction, org_id: str, index: int, endpoint: dict[str, Any]) -> dict[str, Any]:
    """The endpoint as a published version keeps it: a code block's code copied in."""
    if not endpoint.get("code_block_id"):
        return endpoint
    block = _code_block(tx, org_id, endpoint)
    spec = (block.data.get("spec") or {}) if block is not None else {}
    code = spec.get("code")
    if block is None or not isinstance(code, str) or not code.strip():
        raise conflict(
            f"endpoint {index} ({endpoint['method']} {endpoint['path']}) runs code block "
            f"{endpoint['code_block_id']!r}, which no longer exists or has no spec.code; "
            "update the endpoint or the block, then publish again",
            "code_block_unavailable",
        )
    timeout = endpoint.get("timeout_s")
    if timeout is None and isinstance(spec.get("timeout_s"), int | float):
        timeout = min(float(spec["timeout_s"]), MAX_HANDLER_TIMEOUT_S)
    return {**endpoint, "handler": code, "code_block_version": block.version, "timeout_s": timeout}


def _raw_rest(raw_path: str) -> list[str]:
    """The still-encoded segments after ``/api/v1/orgs/{org}/services/{id}/``."""
    return raw_path.strip("/").split("/")[_SERVICE_SEGMENTS:]


def _describe(endpoints: list[dict[str, Any]]) -> str:
    return ", ".join(f"{e['method']} {e['path']}" for e in endpoints) or "none"


def install(app: Any) -> None:
    """Add the hosted services routes (definitions, versions, invocation) to ``app``."""
    resource = app.resource(
        "services",
        scope="org",
        kind=KIND,
        model=HostedService,
        create=ServiceCreate,
        update=ServiceUpdate,
        id_prefix="svc",
        filters=("name",),
        validate=_validate,
        tags=_TAGS,
    )
    # A retried request (same Idempotency-Key) gets the failure again instead of
    # running the handler again: handlers may have side effects.
    failures: OrderedDict[tuple[str, str], HTTPError] = OrderedDict()
    failures_lock = threading.Lock()

    def publish(request: Request) -> Any:
        """Freeze the current definition as the next immutable version vN."""
        expected = parse_if_match(request)
        with request.store.transaction() as tx:
            doc = tx.get(KIND, resource.scope_key(request), request.params["id"])
            if doc is None:
                raise not_found(f"service {request.params['id']!r}")
            if expected is not None and expected != doc.version:
                raise conflict(
                    f"version conflict: If-Match named version {expected}, but the service is "
                    f"at version {doc.version}; review it again and publish with If-Match: "
                    f"{doc.version}",
                    "version_conflict",
                )
            if not doc.data.get("endpoints"):
                raise conflict(
                    f"service {doc.id} has no endpoints to publish; add some with an update first",
                    "nothing_to_publish",
                )
            versions = list(doc.data.get("versions") or [])
            endpoints = [
                _freeze(tx, request.org_id, index, endpoint)
                for index, endpoint in enumerate(doc.data["endpoints"])
            ]
            frozen = {
                "version": len(versions) + 1,
                "name": doc.data["name"],
                "endpoints": endpoints,
                "published_at": tx.now(),
            }
            data = {
                **doc.data,
                "versions": [*versions, frozen],
                "latest_version": frozen["version"],
            }
            tx.update(KIND, doc.scope, doc.id, data)
        return Response(201, msgspec.convert(frozen, ServiceVersion))

    def list_versions(request: Request) -> Any:
        """Every published version, oldest first."""
        limit, after = page_params(request)
        doc = resource.load(request)
        versions = [v for v in doc.data.get("versions") or [] if v["version"] > after]
        return page_of(
            versions, limit, lambda v: v["version"], lambda v: msgspec.convert(v, ServiceVersion)
        )

    def invoke(request: Request) -> Any:
        """Run the endpoint that matches; its handler's return value is the JSON answer."""
        service_id = request.params["id"]
        doc = resource.load(request)
        raw_rest = _raw_rest(request.path)
        number, segments = split_version([unquote(part) for part in raw_rest])
        path = "/" + "/".join(raw_rest[1:] if number is not None else raw_rest)
        versions = doc.data.get("versions") or []
        if not versions:
            raise conflict(
                f"service {service_id} has no published version yet; publish it first "
                f"(flow services publish {service_id}, or client.hosted_services.publish(...))",
                "service_not_published",
            )
        if number is None:
            chosen = versions[-1]
        else:
            found = [v for v in versions if v["version"] == number]
            if not found:
                published = ", ".join(f"v{v['version']}" for v in versions)
                raise HTTPError(
                    404,
                    f"service {service_id} has no version v{number}; published: {published}",
                    "version_not_found",
                )
            chosen = found[0]
        where = f"service {service_id} v{chosen['version']}"
        method = "GET" if request.method == "HEAD" else request.method
        matched = match_endpoint(chosen["endpoints"], method, segments)
        if matched is None:
            raise HTTPError(
                404,
                f"{where} has no endpoint at {path}; its endpoints: "
                f"{_describe(chosen['endpoints'])}",
                "endpoint_not_found",
            )
        if matched.endpoint is None:
            allowed = ", ".join(matched.allowed)
            raise HTTPError(
                405,
                f"{where} answers {path} only to {allowed}, not {method}",
                "method_not_allowed",
                headers={"Allow": allowed},
            )
        endpoint = matched.endpoint
        key = request.header("idempotency-key")
        remembered = (resource.scope_key(request), key) if key else None
        if remembered is not None:
            with failures_lock:
                if remembered in failures:
                    raise failures[remembered]
        inputs = handler_inputs(
            method=method,
            path=path,
            body=request.json(),
            query=request.query,
            params=matched.params,
            version=chosen["version"],
        )
        timeout_s = float(endpoint.get("timeout_s") or DEFAULT_HANDLER_TIMEOUT_S)
        result = run_code(
            runnable_source(endpoint["handler"]), inputs, timeout_s=timeout_s, entrypoint=ENTRYPOINT
        )
        if result.status == "succeeded":
            return Response(200, msgspec.json.encode(result.outputs.get(RESPONSE_KEY)))
        handler = f"the handler of {endpoint['method']} {endpoint['path']} ({where})"
        summary = result.error.summary if result.error else "no error reported"
        if result.status == "timed_out":
            error = HTTPError(
                504, f"{handler} ran longer than its limit of {timeout_s:g}s", "handler_timeout"
            )
        else:
            error = HTTPError(502, f"{handler} failed: {summary}", "handler_failed")
        if remembered is not None:
            with failures_lock:
                failures[remembered] = error
                while len(failures) > _REMEMBERED_FAILURES:
                    failures.popitem(last=False)
        raise error

    item = resource.item_path
    app.add_route(
        "POST", f"{item}/versions", publish, response=ServiceVersion, status=201, tags=_TAGS
    )
    app.add_route(
        "GET",
        f"{item}/versions",
        list_versions,
        response=Page[ServiceVersion],
        query=PAGE_QUERY,
        tags=_TAGS,
    )
    for method in INVOKE_METHODS:
        app.add_route(
            method,
            f"{item}/{{path:path}}",
            invoke,
            transaction=False,
            summary=f"Invoke a service endpoint with {method} (add v{{n}}/ to pick a version)",
            tags=_TAGS,
        )
