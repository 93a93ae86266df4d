"""Routes and matching: ``(method, path template) -> handler``.

A template is a ``/``-separated path whose ``{name}`` segments match exactly
one segment of the raw (still percent-encoded) request path, decoded after
splitting, so an id holding ``/`` or ``..`` can never change which route or
resource a URL names. A final ``{name:path}`` segment matches the rest of
the path. Static segments win over parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

__all__ = ["Auth", "Handler", "Match", "QueryParam", "Route", "Router"]

Handler = Callable[..., Any]
Auth = Literal["user", "none", "control"]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class QueryParam:
    """A documented query parameter (for the OpenAPI document)."""

    name: str
    type: Any = str
    description: str = ""
    required: bool = False


@dataclass
class Route:
    """One route and everything the OpenAPI document says about it."""

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
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        if not self.path.startswith("/"):
            raise ValueError(f"route path must start with '/': {self.path!r}")
        self.segments = tuple(self.path.strip("/").split("/")) if self.path != "/" else ()
        for index, segment in enumerate(self.segments):
            if segment.endswith(":path}") and index != len(self.segments) - 1:
                raise ValueError(f"{{name:path}} must be the last segment: {self.path!r}")
        if self.method not in WRITE_METHODS:
            self.transaction = False

    @property
    def param_names(self) -> list[str]:
        return [_param_name(s) for s in self.segments if _is_param(s)]


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


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
        node = self._root
        for segment in route.segments:
            if _is_param(segment) and segment.endswith(":path}"):
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
