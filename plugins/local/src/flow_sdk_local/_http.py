"""Request and response records, and the errors a handler raises.

A handler receives a :class:`Request` and returns a value (encoded as JSON
with the route's status), ``None`` (204), or a :class:`Response` when it needs
its own status, headers or bytes. Anything that should become an error body
``{"detail", "code"}`` is raised as :class:`HTTPError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from ._auth import Principal
    from ._platform import LocalPlatform
    from ._store import Store

__all__ = [
    "ErrorBody",
    "FieldError",
    "HTTPError",
    "Request",
    "Response",
    "bad_request",
    "conflict",
    "not_found",
    "unauthorized",
]


class FieldError(msgspec.Struct):
    """One field of a rejected body: where (``["body", "name"]``) and why."""

    loc: list[str | int]
    msg: str


class ErrorBody(msgspec.Struct):
    """Every non-2xx answer: a human sentence (or field errors) and a machine code."""

    detail: str | list[FieldError]
    code: str


class HTTPError(Exception):
    """Raise from a handler to answer with ``status`` and ``{"detail", "code"}``."""

    def __init__(
        self,
        status: int,
        detail: str | list[FieldError],
        code: str = "error",
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail if isinstance(detail, str) else f"{len(detail)} field error(s)")
        self.status = status
        self.detail = detail
        self.code = code
        self.headers = dict(headers or {})


def not_found(what: str, code: str = "not_found") -> HTTPError:
    """404 for something missing or in a tenant the caller cannot see (never 403)."""
    return HTTPError(404, f"{what} not found", code)


def conflict(detail: str, code: str = "conflict") -> HTTPError:
    return HTTPError(409, detail, code)


def bad_request(detail: str, code: str = "bad_request") -> HTTPError:
    return HTTPError(400, detail, code)


def unauthorized(detail: str, code: str = "unauthorized") -> HTTPError:
    return HTTPError(401, detail, code, headers={"WWW-Authenticate": "Bearer"})


@dataclass
class Response:
    """A reply with its own status, headers or raw bytes (``body`` not bytes: JSON)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


@dataclass
class Request:
    """One request as a handler sees it.

    ``params`` holds the path parameters, each decoded from exactly one
    segment; ``data`` the body decoded into the route's ``body`` type;
    ``principal`` the authenticated caller (None on public routes).
    """

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    request_id: str
    platform: LocalPlatform
    base_url: str = ""
    data: Any = None
    principal: Principal | None = None

    @property
    def store(self) -> Store:
        """The platform's SQLite store."""
        return self.platform.store

    @property
    def org_id(self) -> str:
        """The ``{org_id}`` path parameter (already checked against the caller)."""
        return self.params["org_id"]

    @property
    def workspace_id(self) -> str:
        """The ``{workspace_id}`` path parameter (already checked to be in the org)."""
        return self.params["workspace_id"]

    @property
    def user_id(self) -> str:
        """The authenticated user's id; 401 on a public route without a token."""
        if self.principal is None:
            raise unauthorized("this route needs an access token")
        return self.principal.user_id

    def query_one(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter ``name``."""
        values = self.query.get(name)
        return values[-1] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body as plain JSON values (422 when it is not JSON)."""
        if not self.body:
            return None
        try:
            return msgspec.json.decode(self.body)
        except msgspec.DecodeError as exc:
            raise HTTPError(
                422, [FieldError(["body"], f"invalid JSON: {exc}")], "validation_error"
            ) from None
