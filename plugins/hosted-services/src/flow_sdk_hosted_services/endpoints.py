"""Endpoint definitions: what a valid one looks like, and which one answers a request.

Pure functions over plain values, shared by the local platform and by
anyone who wants to check a definition before sending it.

A path is ``/``-separated segments of letters, digits and ``-._~``, or
``{name}`` parameters that match any one segment. The first segment cannot
be ``versions`` or look like a version (``v2``): those name the service's
own routes (``…/services/{id}/versions``, ``…/services/{id}/v2/…``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HTTP_METHODS",
    "MAX_ENDPOINTS",
    "MAX_HANDLER_TIMEOUT_S",
    "EndpointMatch",
    "Problem",
    "check_endpoints",
    "match_endpoint",
    "normalise_path",
    "split_version",
]

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_ENDPOINTS = 100
MAX_HANDLER_TIMEOUT_S = 60.0
_LITERAL = re.compile(r"^[A-Za-z0-9._~-]+\Z")
_PARAM = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_VERSION = re.compile(r"^v([0-9]+)\Z")
_RESERVED = "versions"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an endpoint list: where (``[2, "path"]``) and why."""

    loc: tuple[str | int, ...]
    message: str


@dataclass(frozen=True)
class EndpointMatch:
    """The endpoint that answers (with its path parameters), or the methods that would."""

    endpoint: Mapping[str, Any] | None
    params: dict[str, str]
    allowed: tuple[str, ...] = ()


def normalise_path(path: str) -> str:
    """``items/{id}/`` → ``/items/{id}``: one leading slash, none at the end."""
    return "/" + path.strip("/")


def _segments(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def _path_problems(path: str) -> list[str]:
    segments = _segments(path)
    if not segments:
        return ["needs at least one segment, e.g. /items (the service root is its own URL)"]
    problems: list[str] = []
    names: list[str] = []
    for segment in segments:
        param = _PARAM.match(segment)
        if param:
            names.append(param.group(1))
        elif not _LITERAL.match(segment) or segment in (".", ".."):
            problems.append(
                f"segment {segment!r} is not allowed: use letters, digits and -._~, "
                "or a {name} parameter"
            )
    first = segments[0]
    if first == _RESERVED or _VERSION.match(first):
        problems.append(
            f"cannot start with {first!r}: that names the service's versions; "
            "pick another first segment"
        )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append(f"parameter names repeat: {', '.join(duplicates)}")
    return problems


def _shape(path: str) -> tuple[str, ...]:
    """The path with every parameter alike: two endpoints of one shape would clash."""
    return tuple("{}" if _PARAM.match(s) else s for s in _segments(path))


def check_endpoints(endpoints: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Every problem with an endpoint list (empty when it is valid).

    Checks methods, paths, that no two endpoints answer the same request,
    that each handler is Python that compiles, and the time limits.
    """
    problems: list[Problem] = []
    if len(endpoints) > MAX_ENDPOINTS:
        problems.append(Problem((), f"at most {MAX_ENDPOINTS} endpoints per service"))
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for index, endpoint in enumerate(endpoints):
        method = str(endpoint.get("method", "")).upper()
        if method not in HTTP_METHODS:
            problems.append(Problem((index, "method"), f"must be one of {', '.join(HTTP_METHODS)}"))
        path = str(endpoint.get("path", ""))
        problems.extend(Problem((index, "path"), text) for text in _path_problems(path))
        key = (method, _shape(path))
        if key in seen:
            problems.append(
                Problem(
                    (index, "path"),
                    f"{method} {normalise_path(path)} answers the same requests as "
                    f"endpoint {seen[key]}",
                )
            )
        else:
            seen[key] = index
        problems.extend(_handler_problems(index, endpoint))
        timeout = endpoint.get("timeout_s")
        number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
        if timeout is not None and not (number and 0 < timeout <= MAX_HANDLER_TIMEOUT_S):
            problems.append(
                Problem(
                    (index, "timeout_s"),
                    f"must be more than 0 and at most {MAX_HANDLER_TIMEOUT_S:g} seconds",
                )
            )
    return problems


def _handler_problems(index: int, endpoint: Mapping[str, Any]) -> list[Problem]:
    handler, block = endpoint.get("handler"), endpoint.get("code_block_id")
    if block is not None:
        if handler is not None:
            return [Problem((index, "handler"), "give handler or code_block_id, not both")]
        if not isinstance(block, str) or not block:
            return [Problem((index, "code_block_id"), "must be a code block id")]
        workspace = endpoint.get("workspace_id")
        if not isinstance(workspace, str) or not workspace:
            return [
                Problem(
                    (index, "workspace_id"),
                    "needed with code_block_id: the workspace the code block is in",
                )
            ]
        return []
    if not isinstance(handler, str) or not handler.strip():
        return [Problem((index, "handler"), "must be Python source code (or give code_block_id)")]
    syntax = _syntax_problem(handler)
    return [Problem((index, "handler"), syntax)] if syntax else []


def _syntax_problem(source: str) -> str | None:
    try:
        compile(source, "<handler>", "exec")
    except SyntaxError as exc:
        return f"is not valid Python: {exc.msg} (line {exc.lineno})"
    except ValueError as exc:  # e.g. a NUL byte
        return f"is not valid Python: {exc}"
    return None


def _as_segments(path: str | Sequence[str]) -> list[str]:
    return _segments(path) if isinstance(path, str) else list(path)


def split_version(rest: str | Sequence[str]) -> tuple[int | None, list[str]]:
    """``v2/items/3`` → ``(2, ["items", "3"])``; ``items/3`` → ``(None, ["items", "3"])``.

    ``rest`` is a path, or its segments already split (and decoded).
    """
    segments = _as_segments(rest)
    if segments:
        version = _VERSION.match(segments[0])
        if version:
            return int(version.group(1)), segments[1:]
    return None, segments


def _match_path(template: str, segments: list[str]) -> dict[str, str] | None:
    parts = _segments(template)
    if len(parts) != len(segments):
        return None
    params: dict[str, str] = {}
    for part, segment in zip(parts, segments, strict=True):
        param = _PARAM.match(part)
        if param:
            params[param.group(1)] = segment
        elif part != segment:
            return None
    return params


def match_endpoint(
    endpoints: Iterable[Mapping[str, Any]], method: str, path: str | Sequence[str]
) -> EndpointMatch | None:
    """The endpoint for ``method path``, preferring literal segments over parameters.

    ``path`` is a path, or its segments already split and decoded (so that a
    segment may hold ``/``). None when no endpoint has this path; a match
    without an endpoint (and the methods that would answer) when the path
    exists for other methods only.
    """
    segments = _as_segments(path)
    method = method.upper()
    best: tuple[int, Mapping[str, Any], dict[str, str]] | None = None
    allowed: set[str] = set()
    for endpoint in endpoints:
        params = _match_path(str(endpoint["path"]), segments)
        if params is None:
            continue
        endpoint_method = str(endpoint["method"]).upper()
        allowed.add(endpoint_method)
        if endpoint_method != method:
            continue
        literals = len(segments) - len(params)
        if best is None or literals > best[0]:
            best = (literals, endpoint, params)
    if best is not None:
        return EndpointMatch(best[1], best[2])
    if allowed:
        return EndpointMatch(None, {}, tuple(sorted(allowed)))
    return None
