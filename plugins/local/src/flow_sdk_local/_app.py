"""The application: routes, and one dispatch that applies every convention.

Plugins add routes with :meth:`App.route` (or :meth:`App.resource` for the
usual list/get/create/update/delete); :meth:`App.handle` turns raw request
parts into a :class:`WireResponse`, taking care of request ids, bearer auth,
tenant checks, typed bodies (422 naming the field), idempotency keys,
transactions and error bodies, so handlers hold only their own logic.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import msgspec
from flow_sdk.plugin import whole_floats_as_ints

from . import _idempotency as idem
from ._auth import authenticate
from ._http import (
    ErrorBody,
    FieldError,
    HTTPError,
    Request,
    Response,
    check_json,
    control_characters,
    not_found,
)
from ._routing import Auth, Handler, QueryParam, Route, Router
from ._store import Migration, Transaction

if TYPE_CHECKING:
    from flow_sdk import ComponentTypeSpec

    from ._platform import LocalPlatform
    from ._resource import Resource

__all__ = [
    "ADMIN_HEADER",
    "API",
    "DEFAULT_MAX_BODY_BYTES",
    "ORG",
    "TENANT",
    "App",
    "AroundHandler",
    "WireResponse",
    "new_request_id",
]

logger = logging.getLogger("flow_sdk")

API = "/api/v1"
ORG = "/api/v1/orgs/{org_id}"
TENANT = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}"

_encode = msgspec.json.Encoder().encode
_JSON = "application/json"
_AT_PATH = re.compile(r" - at `\$(.*)`$")
_MISSING = re.compile(r"^Object missing required field `([^`]+)`")

ADMIN_HEADER = "X-Flow-Local-Admin"
"""The header that carries the local admin secret to a served platform's control plane."""
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""The largest request body a platform accepts (room for 8 MiB dataset batches)."""

_NAME_FIELDS = frozenset({"name", "slug", "email", "id", "key", "type"})
_NAME_SUFFIXES = ("_name", "_id", "_key", "_type", "_slug", "_code")
_NO_CONTROLS = (
    "must not contain control characters (U+0000 to U+001F, U+007F to U+009F), "
    "such as NUL, tab, newline or escape"
)
_JSON_TYPES = ("application/json",)

AroundHandler = Callable[[Route, Request, Callable[[Request], Any]], Any]
"""``fn(route, request, call_next)``, run around a handler; see ``App.around_handler``."""


@dataclass(frozen=True)
class _Around:
    fn: AroundHandler
    prefix: str


@dataclass
class WireResponse:
    """A finished answer: status, header pairs and body bytes."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


def field_errors(exc: msgspec.ValidationError | msgspec.DecodeError) -> list[FieldError]:
    """msgspec's message as ``[{loc, msg}]``: ``["body", "spec", "name"]`` and the reason."""
    message = str(exc)
    loc: list[str | int] = ["body"]
    at = _AT_PATH.search(message)
    if at:
        message = message[: at.start()]
        for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", at.group(1)):
            loc.append(part[0] if part[0] else int(part[1]))
    missing = _MISSING.match(message)
    if missing:
        loc.append(missing.group(1))
        message = "field required"
    return [FieldError(loc, message)]


def error_wire(error: HTTPError) -> WireResponse:
    """The answer for an ``HTTPError``: its status, headers and ``{detail, code}`` body."""
    body = _encode(ErrorBody(error.detail, error.code))
    headers = [("content-type", _JSON), *error.headers.items()]
    return WireResponse(error.status, headers, body)


def new_request_id() -> str:
    """A fresh request id (``req_`` and 16 hex digits), sent as ``X-Request-ID``."""
    return f"req_{secrets.token_hex(8)}"


def too_large(limit: int, size: int | None = None) -> HTTPError:
    """413 for a body over ``limit`` bytes."""
    sent = f" ({size} bytes)" if size is not None else ""
    return HTTPError(
        413,
        f"the request body{sent} is larger than this local platform accepts: at most "
        f"{limit} bytes; send less per request",
        "payload_too_large",
    )


class App:
    """The routes of one local platform, and how a request reaches them."""

    TENANT = TENANT
    ORG = ORG
    API = API

    def __init__(self, platform: LocalPlatform) -> None:
        self.platform = platform
        self.router = Router()
        self.migrations: list[Migration] = []
        self.reset_hooks: list[Callable[[], None]] = []
        self.resources: dict[str, Resource] = {}
        self.owner = ""
        self._arounds: list[_Around] = []
        self._open_control: set[tuple[str, str]] = set()
        self.console: Any = None
        """The web console (``/console``) and its panels, once installed."""

    def __repr__(self) -> str:
        return f"<App {len(self.router.routes)} routes>"

    # what plugins call

    @property
    def component_types(self) -> dict[str, ComponentTypeSpec]:
        """Every component type the installed plugins register (type → spec)."""
        return self.platform.component_types

    @property
    def routes(self) -> list[Route]:
        """Every route, in the order they were added."""
        return list(self.router.routes)

    def add_route(
        self,
        method: str,
        path: str,
        handler: Handler,
        *,
        body: Any = None,
        response: Any = None,
        status: int = 200,
        auth: Auth = "user",
        query: Sequence[QueryParam] = (),
        summary: str = "",
        tags: Sequence[str] = (),
        transaction: bool = True,
        raw_body: str | None = None,
    ) -> Route:
        """Add one route; see :meth:`route`."""
        route = Route(
            method,
            path,
            handler,
            body=body,
            response=response,
            status=status,
            auth=auth,
            query=tuple(query),
            summary=summary or (handler.__doc__ or "").strip().split("\n")[0],
            tags=tuple(tags),
            transaction=transaction,
            raw_body=raw_body,
            owner=self.owner,
        )
        self.router.add(route)
        return route

    def route(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator: ``@app.route("POST", TENANT + "/things", body=ThingIn, status=201)``.

        ``body``/``response`` are msgspec types (the body is decoded and
        validated into ``request.data``; both go into the OpenAPI document);
        ``auth`` is ``"user"`` (bearer token, the default), ``"none"`` or
        ``"control"`` (the ``/_local`` plane); ``transaction=False`` leaves
        a write handler to open its own transactions (for long work).
        """

        def decorate(handler: Handler) -> Handler:
            self.add_route(method, path, handler, **options)
            return handler

        return decorate

    def get(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator for a GET route; see :meth:`route`."""
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator for a POST route; see :meth:`route`."""
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator for a PUT route; see :meth:`route`."""
        return self.route("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator for a PATCH route; see :meth:`route`."""
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator for a DELETE route; see :meth:`route`."""
        return self.route("DELETE", path, **options)

    def resource(self, path: str, **options: Any) -> Resource:
        """The usual list/get/create/update/delete of one stored kind; see ``Resource``."""
        from ._resource import Resource

        resource = Resource(self, path, **options)
        self.resources[resource.kind] = resource
        return resource

    def around_handler(self, fn: AroundHandler, *, prefix: str = "") -> AroundHandler:
        """Run ``fn(route, request, call_next)`` around the handler of every matched route.

        It runs after authentication and body decoding, inside the route's
        transaction (when it has one), so what it raises or writes shares the
        handler's fate; ``call_next(request)`` runs the rest of the chain and
        returns the handler's result (a value, ``None`` or a ``Response``).
        ``prefix`` limits it to routes whose path template starts with it
        (e.g. ``TENANT + "/"``). The first registered runs outermost. Returns
        ``fn``, so it also works as a decorator.
        """
        self._arounds.append(_Around(fn, prefix))
        return fn

    def open_control_route(self, method: str, path: str) -> None:
        """Let a served platform answer this ``auth="control"`` route without the local
        admin secret (the handler checks what it needs itself, e.g. a form token)."""
        self._open_control.add((method.upper(), path))

    def migration(self, name: str, apply: str | Callable[[Any], None]) -> None:
        """Declare a run-once schema step (SQL text or a function of the sqlite3 connection)."""
        self.migrations.append(Migration(name, apply))

    def on_reset(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` after ``/_local/reset`` wiped the store (e.g. to stop workers)."""
        self.reset_hooks.append(hook)

    def background(self, work: Callable[..., Any], *args: Any, name: str = "") -> Any:
        """Run ``work(*args)`` in a background thread; returns a ``concurrent.futures.Future``."""
        return self.platform.background.submit(work, *args, name=name)

    def now(self) -> float:
        """The platform's clock (epoch seconds; tests can move it forward)."""
        return self.platform.clock.now()

    # dispatch

    def handle(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        *,
        base_url: str = "",
        admin: bool = True,
        max_body_bytes: int | None = None,
    ) -> WireResponse:
        """Answer one request; never raises.

        ``admin`` says whether the caller may use the control plane (a served
        platform passes whether the local admin secret came with the request);
        ``max_body_bytes`` (default: the platform's) bounds the body.
        """
        request_id = new_request_id()
        limit = self.platform.max_body_bytes if max_body_bytes is None else max_body_bytes
        try:
            if len(body) > limit:
                raise too_large(limit, len(body))
            wire = self._dispatch(
                method.upper(), raw_path, query_string, headers, body, base_url, request_id, admin
            )
        except HTTPError as error:
            wire = error_wire(error)
        except msgspec.DecodeError as exc:  # a handler decoded input itself and did not say so
            wire = error_wire(HTTPError(422, field_errors(exc), "validation_error"))
        except UnicodeDecodeError as exc:
            wire = error_wire(
                HTTPError(
                    422,
                    [FieldError(["body"], f"the body is not valid UTF-8: {exc.reason}")],
                    "validation_error",
                )
            )
        except RecursionError:
            logger.warning(
                "local platform: %s %s nested too deeply [%s]", method, raw_path, request_id
            )
            wire = error_wire(
                HTTPError(
                    422, [FieldError(["body"], "the body nests too deeply")], "validation_error"
                )
            )
        except Exception:
            logger.exception("local platform: %s %s failed [%s]", method, raw_path, request_id)
            wire = error_wire(
                HTTPError(
                    500,
                    f"the local platform failed on this request; its log has the traceback "
                    f"(request id {request_id})",
                    "internal_error",
                )
            )
        wire.headers.append(("x-request-id", request_id))
        if method.upper() == "HEAD":
            wire.body = b""
        return wire

    def _dispatch(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        base_url: str,
        request_id: str,
        admin: bool,
    ) -> WireResponse:
        match = self.router.match(method, raw_path or "/")
        if match is None:
            raise route_not_found(method, raw_path)
        route = match.route
        if route is None:
            raise HTTPError(
                405,
                f"{method} is not allowed on {raw_path}; allowed: {', '.join(match.allowed)}",
                "method_not_allowed",
                headers={"Allow": ", ".join(match.allowed)},
            )
        bad = [k for k, v in match.params.items() if control_characters(v)] if match.params else ()
        if bad:
            raise HTTPError(
                422, [FieldError(["path", name], _NO_CONTROLS) for name in bad], "validation_error"
            )
        request = Request(
            method=method,
            path=raw_path,
            params=match.params,
            query=parse_qs(query_string, keep_blank_values=True) if query_string else {},
            headers=headers,
            body=body,
            request_id=request_id,
            platform=self.platform,
            base_url=base_url,
            admin=admin,
        )
        key = headers.get("idempotency-key") if method == "POST" else None
        if key is not None:
            idem.check_key(key)
        store = self.platform.store
        if not route.transaction:
            with store.transaction(write=False) as tx:
                self._admit(route, request, tx)
                if body or route.body is not None:  # after auth: a stranger learns nothing
                    _read_body(route, request)
                if key:
                    owner, fp = (
                        self._idempotency_owner(request),
                        idem.fingerprint(method, f"{raw_path}?{query_string}", body),
                    )
                    replay = idem.lookup(tx, owner, key, fp, self.now())
                    if replay is not None:
                        return _replayed(replay)
            wire = self._call(route, request)
            if key and wire.status < 400:
                with store.transaction() as tx:
                    idem.remember(tx, owner, key, fp, _stored(wire), self.now())
            return wire
        with store.transaction(write=method != "GET" and method != "HEAD") as tx:
            self._admit(route, request, tx)
            if body or route.body is not None:
                _read_body(route, request)
            if key:
                owner, fp = (
                    self._idempotency_owner(request),
                    idem.fingerprint(method, f"{raw_path}?{query_string}", body),
                )
                replay = idem.lookup(tx, owner, key, fp, self.now())
                if replay is not None:
                    return _replayed(replay)
            wire = self._call(route, request)
            if key and wire.status < 400:
                idem.remember(tx, owner, key, fp, _stored(wire), self.now())
            return wire

    def _idempotency_owner(self, request: Request) -> str:
        return request.principal.user_id if request.principal else "anonymous"

    def _admit(self, route: Route, request: Request, tx: Transaction) -> None:
        """Authenticate the caller and check it may see the org and workspace in the path."""
        if route.auth == "control":
            if not request.admin and (route.method, route.path) not in self._open_control:
                raise HTTPError(
                    403,
                    f"the control plane of a served local platform needs the local admin "
                    f"secret: send it in the {ADMIN_HEADER} header (it is in the file "
                    f"admin-secret of the platform's data directory, readable only by its owner)",
                    "admin_secret_required",
                )
            return
        if route.auth != "user":
            return
        principal = authenticate(request, tx, self.platform.token_secret(tx), self.now())
        request.principal = principal
        org_id = request.params.get("org_id")
        if org_id is None:
            return
        if not principal.can_see_org(org_id) or tx.get("org", "", org_id) is None:
            raise not_found(f"org {org_id!r}")
        workspace_id = request.params.get("workspace_id")
        if workspace_id is not None and tx.get("workspace", org_id, workspace_id) is None:
            raise not_found(f"workspace {workspace_id!r} in org {org_id!r}")

    def _chain(self, route: Route) -> Callable[[Request], Any]:
        """The route's handler wrapped in every around handler that applies to it."""
        call: Callable[[Request], Any] = route.handler
        for around in reversed(self._arounds):
            if route.path.startswith(around.prefix):
                call = _wrapped(around.fn, route, call)
        return call

    def _call(self, route: Route, request: Request) -> WireResponse:
        result = self._chain(route)(request) if self._arounds else route.handler(request)
        if isinstance(result, Response):
            response = result
        elif result is None:
            response = Response(204)
        else:
            response = Response(route.status, result)
        headers = [(k.lower(), v) for k, v in response.headers.items()]
        if response.status == 204 or response.body is None:
            return WireResponse(response.status, headers, b"")
        if isinstance(response.body, bytes | bytearray):
            content = bytes(response.body)
        else:
            content = _encode(response.body)
        headers.insert(0, ("content-type", response.media_type))
        return WireResponse(response.status, headers, content)


def _wrapped(
    fn: AroundHandler, route: Route, call_next: Callable[[Request], Any]
) -> Callable[[Request], Any]:
    return lambda request: fn(route, request, call_next)


def _read_body(route: Route, request: Request) -> None:
    """Decode a typed body into ``request.data``; check the limits of a body a handler reads
    itself when the route or the request says it is JSON (or JSON Lines)."""
    content_type = request.headers.get("content-type")
    if route.body is not None:
        request.data = _decode_body(route.body, request.body, content_type)
    elif request.body and (
        (route.raw_body and "json" in route.raw_body)
        or (content_type is not None and "json" in content_type.lower())
    ):
        check_json(request.body)


def _is_json(content_type: str | None) -> bool:
    """A JSON media type in UTF-8 (or no Content-Type at all: JSON is assumed)."""
    if content_type is None:
        return True
    media, *params = (part.strip().lower() for part in content_type.split(";"))
    if media not in _JSON_TYPES and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            return False
    return True


def route_not_found(method: str, path: str) -> HTTPError:
    """The 404 for a request no route serves, saying where the routes are listed."""
    return HTTPError(
        404,
        f"no route for {method} {path}; /openapi.json lists the routes "
        f"this local platform serves (a plugin may not be installed)",
        "route_not_found",
    )


def _decode_body(body_type: Any, body: bytes, content_type: str | None = None) -> Any:
    if not body:
        body = b"{}"
    elif not _is_json(content_type):
        raise HTTPError(
            415,
            f"this route takes a JSON body (Content-Type: application/json), not {content_type!r}",
            "unsupported_media_type",
        )
    check_json(body)
    try:
        data = msgspec.json.decode(body, type=body_type)
    except msgspec.ValidationError as exc:
        data = _with_whole_floats(body, body_type, exc)
    except msgspec.DecodeError as exc:
        raise HTTPError(422, field_errors(exc), "validation_error") from None
    _check_names(data)
    return data


def _with_whole_floats(body: bytes, body_type: Any, refused: msgspec.ValidationError) -> Any:
    """``body`` decoded again with whole floats (``2.0``) read as integers, as JSON
    Schema counts them; the first refusal stands when that does not help either."""
    try:
        loose = whole_floats_as_ints(msgspec.json.decode(body))
        return msgspec.convert(loose, type=body_type)
    except (msgspec.ValidationError, msgspec.DecodeError):
        raise HTTPError(422, field_errors(refused), "validation_error") from None


def _is_name(field: str) -> bool:
    return field in _NAME_FIELDS or field.endswith(_NAME_SUFFIXES)


def _check_names(data: Any) -> None:
    """422 for a control character in a top-level name or id field of a body (``name``,
    ``slug``, ``…_id``, ``…_name``…); free text such as descriptions may hold them."""
    if isinstance(data, msgspec.Struct):
        names = zip(data.__struct_fields__, data.__struct_encode_fields__, strict=True)
        fields = [(field, sent, getattr(data, field)) for field, sent in names]
    elif isinstance(data, dict):
        fields = [(key, key, value) for key, value in data.items()]
    else:
        return
    bad = [
        FieldError(["body", sent], _NO_CONTROLS)
        for field, sent, value in fields
        if isinstance(field, str)
        and isinstance(value, str)
        and _is_name(field)
        and control_characters(value)
    ]
    if bad:
        raise HTTPError(422, bad, "validation_error")


def _stored(wire: WireResponse) -> idem.Stored:
    return idem.Stored(wire.status, [h for h in wire.headers if h[0] != "x-request-id"], wire.body)


def _replayed(stored: idem.Stored) -> WireResponse:
    return WireResponse(
        stored.status, [*stored.headers, ("idempotent-replayed", "true")], stored.body
    )
