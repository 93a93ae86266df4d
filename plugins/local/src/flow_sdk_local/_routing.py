"""Routes and matching: ``(method, path template) -> handler``.

A template is a ``/``-separated path whose ``{name}`` segments match exactly
one segment of the raw (still percent-encoded) request path, decoded after
splitting, so an id holding ``/`` or ``..`` can never change which route or
resource a URL names. A final ``{name:path}`` segment matches the rest of
the path; the route's ``path`` (its OpenAPI template) names it ``{name}``.
Static segments win over parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

import msgspec

if TYPE_CHECKING:
    from ._http import Request

__all__ = [
    "NAME_PATTERN",
    "NOT_BLANK",
    "NO_CONTROLS",
    "Auth",
    "Handler",
    "Match",
    "QueryParam",
    "Route",
    "Router",
    "is_blank",
]

Handler = Callable[..., Any]
Auth = Literal["user", "none", "control"]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

NO_CONTROLS = r"^[^\x00-\x1f\x7f-\x9f]*$"
"""A string without C0 or C1 control characters (U+0000-U+001F, U+007F-U+009F)."""
_SPACE = r"\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = rf"[^{_SPACE}]"
"""Some character is not whitespace (``text.strip()`` is not empty). Whitespace is listed as
Python knows it, not written ``\\s``: Python's and ECMA's ``\\s`` differ (U+001C to U+001F,
U+0085, U+FEFF), and msgspec and the OpenAPI document's readers must agree on every string."""
NAME_PATTERN = (
    r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
    r"\u205f\u3000][^\x00-\x1f\x7f-\x9f]*$"
)
"""A name: ``NOT_BLANK`` and ``NO_CONTROLS`` at once (the platform refuses control characters
in the name and id fields of a body)."""
_VISIBLE = re.compile(NOT_BLANK)


def is_blank(text: str) -> bool:
    """Whether ``text`` is empty or whitespace only (``not text.strip()``, as ``NOT_BLANK``
    says it)."""
    return _VISIBLE.search(text) is None


@dataclass(frozen=True)
class QueryParam:
    """A query parameter: its OpenAPI schema is ``msgspec.json.schema(type)``, and
    :meth:`value` reads it with the same type, so what is documented is what is checked.

    ``type`` may carry constraints (``Annotated[int, msgspec.Meta(ge=1, le=500)]``,
    a ``Literal`` of the allowed values); ``error`` replaces msgspec's message in a 422.
    """

    name: str
    type: Any = str
    description: str = ""
    required: bool = False
    error: str = ""

    def value(self, request: Request, default: Any = None) -> Any:
        """The (last) value of this parameter converted to ``type``, or ``default`` when
        absent; 422 naming ``["query", name]`` when it does not fit the type."""
        from ._http import FieldError, HTTPError

        raw = request.query_one(self.name)
        if raw is None:
            if self.required:
                raise HTTPError(
                    422, [FieldError(["query", self.name], "field required")], "validation_error"
                )
            return default
        try:
            return msgspec.convert(raw, self.type, strict=False)
        except msgspec.ValidationError as exc:
            message = self.error or str(exc).split(" - at `")[0]
            raise HTTPError(
                422, [FieldError(["query", self.name], message)], "validation_error"
            ) from None


@dataclass
class Route:
    """One route and everything the OpenAPI document says about it.

    ``path`` is the OpenAPI path template: a final ``{name:path}`` as declared is
    written ``{name}`` there (``segments`` keep the declared form for matching).
    """

    method: str
    path: str
    handler: Handler
    body: Any = None
    response: Any = None
    status: int = 200
    auth: Auth = "user"
    query: tuple[QueryParam, ...] = ()
    summary: str = ""
    tags: tuple[str, ...] = ()
    transaction: bool = True
    raw_body: str | None = None
    """Media type of a body the handler reads itself (``request.body``), e.g. JSON Lines."""
    owner: str = ""
    other_statuses: tuple[int, ...] = ()
    """Success statuses the handler may answer with besides ``status`` (same ``response``
    type), e.g. 200 for a create that found the thing already there: set it on the ``Route``
    that ``app.add_route`` returns."""
    documented_body: Any = None
    """The type the OpenAPI document gives the body instead of ``body``, when the handler
    checks more than ``body`` says (e.g. ``body=dict`` read as a versioned format): set it on
    the ``Route`` that ``app.add_route`` returns."""
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        if not self.path.startswith("/"):
            raise ValueError(f"route path must start with '/': {self.path!r}")
        self.segments = tuple(self.path.strip("/").split("/")) if self.path != "/" else ()
        for index, segment in enumerate(self.segments):
            if segment.endswith(":path}") and index != len(self.segments) - 1:
                raise ValueError(f"{{name:path}} must be the last segment: {self.path!r}")
        if self.segments and _is_rest(self.segments[-1]):
            self.path = self.path[: self.path.rindex("{")] + f"{{{_param_name(self.segments[-1])}}}"
        if self.method not in WRITE_METHODS:
            self.transaction = False

    @property
    def param_names(self) -> list[str]:
        """The names of the path parameters, in order."""
        return [_param_name(s) for s in self.segments if _is_param(s)]

    @property
    def rest_param(self) -> str | None:
        """The name of a final ``{name:path}`` parameter (it may hold ``/``), else None."""
        if self.segments and _is_rest(self.segments[-1]):
            return _param_name(self.segments[-1])
        return None


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _is_rest(segment: str) -> bool:
    return _is_param(segment) and segment.endswith(":path}")


def _param_name(segment: str) -> str:
    return segment[1:-1].split(":", 1)[0]


@dataclass(frozen=True)
class Match:
    route: Route | None
    params: dict[str, str]
    allowed: tuple[str, ...] = ()


class _Node:
    __slots__ = ("param", "param_name", "rest", "rest_name", "routes", "static")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.param_name = ""
        self.rest: dict[str, Route] = {}
        self.rest_name = ""
        self.routes: dict[str, Route] = {}


class Router:
    """A segment trie of routes."""

    def __init__(self) -> None:
        self._root = _Node()
        self.routes: list[Route] = []

    def add(self, route: Route) -> None:
        """Add a route; ``ValueError`` for a duplicate or a parameter named apart from the
        route that shares its position."""
        node = self._root
        for segment in route.segments:
            if _is_rest(segment):
                if route.method in node.rest:
                    raise ValueError(f"duplicate route {route.method} {route.path}")
                node.rest[route.method] = route
                node.rest_name = _param_name(segment)
                self.routes.append(route)
                return
            if _is_param(segment):
                name = _param_name(segment)
                if node.param is None:
                    node.param = _Node()
                    node.param_name = name
                elif node.param_name != name:
                    raise ValueError(
                        f"route {route.path!r} names a parameter {{{name}}} where another route "
                        f"has {{{node.param_name}}}: use the same name"
                    )
                node = node.param
            else:
                node = node.static.setdefault(segment, _Node())
        if route.method in node.routes:
            existing = node.routes[route.method]
            raise ValueError(
                f"duplicate route {route.method} {route.path} "
                f"(already added by {existing.owner or 'another plugin'})"
            )
        node.routes[route.method] = route
        self.routes.append(route)

    def match(self, method: str, raw_path: str) -> Match | None:
        """The route for a raw path, or a ``Match`` with no route listing the allowed methods."""
        stripped = raw_path.strip("/")
        parts = stripped.split("/") if stripped else []
        found = _walk(self._root, parts, 0, {})
        if found is None:
            return None
        routes, params = found
        route = routes.get(method)
        if route is None and method == "HEAD":
            route = routes.get("GET")
        if route is None:
            return Match(None, params, tuple(sorted(routes)))
        return Match(route, params)


def _walk(
    node: _Node, parts: list[str], index: int, params: Mapping[str, str]
) -> tuple[dict[str, Route], dict[str, str]] | None:
    if index == len(parts):
        if node.routes:
            return node.routes, dict(params)
        return None
    segment = parts[index]
    child = node.static.get(unquote(segment)) if "%" in segment else node.static.get(segment)
    if child is not None:
        found = _walk(child, parts, index + 1, params)
        if found is not None:
            return found
    if node.param is not None and segment:
        found = _walk(node.param, parts, index + 1, {**params, node.param_name: unquote(segment)})
        if found is not None:
            return found
    if node.rest and all(parts[index:]):
        rest = "/".join(unquote(p) for p in parts[index:])
        return node.rest, {**params, node.rest_name: rest}
    return None
