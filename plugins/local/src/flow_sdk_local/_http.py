"""Request and response records, and the errors a handler raises.

A handler receives a :class:`Request` and returns a value (encoded as JSON
with the route's status), ``None`` (204), or a :class:`Response` when it needs
its own status, headers or bytes. Anything that should become an error body
``{"detail", "code"}`` is raised as :class:`HTTPError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from ._auth import Principal
    from ._platform import LocalPlatform
    from ._store import Store

__all__ = [
    "MAX_JSON_DEPTH",
    "ErrorBody",
    "FieldError",
    "HTTPError",
    "Request",
    "Response",
    "bad_request",
    "check_json",
    "conflict",
    "control_characters",
    "decode_json",
    "not_found",
    "unauthorized",
]

MAX_JSON_DEPTH = 64
"""How deeply arrays and objects may nest in a request body (msgspec's decoder recurses)."""
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_STRUCTURE = bytes.maketrans(b"[]{}", b"()()")
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')
_STEP = [1 if c == ord("(") else -1 if c == ord(")") else 0 for c in range(256)]
_LONG_DIGITS = re.compile(rb"\d{19}")
_INTEGER = re.compile(rb"(?<![\w.+\-])-?\d{19,}(?![\w.])")


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
    """409 for a request that conflicts with the current state."""
    return HTTPError(409, detail, code)


def bad_request(detail: str, code: str = "bad_request") -> HTTPError:
    """400 for a request that cannot be read (a header, a parameter)."""
    return HTTPError(400, detail, code)


def unauthorized(detail: str, code: str = "unauthorized") -> HTTPError:
    """401 with ``WWW-Authenticate: Bearer``, for a missing or bad token."""
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
    ``principal`` the authenticated caller (None on public routes);
    ``admin`` whether the caller may use the control plane (always in-process;
    over a socket only with the local admin secret).
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
    admin: bool = True

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
        """The value of header ``name`` (any case), or ``default``."""
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body as plain JSON values (422 when it is not JSON, or nests too deeply)."""
        if not self.body:
            return None
        return decode_json(self.body)


def control_characters(text: str) -> bool:
    """Whether ``text`` holds a C0 or C1 control character (U+0000-U+001F, U+007F-U+009F)."""
    return _CONTROL.search(text) is not None


def _outside_strings(body: bytes) -> list[bytes]:
    """The parts of a JSON text outside its strings (exact for valid JSON, C-speed).

    Escaped backslashes go first, then escaped quotes, so every quote left
    delimits a string; splitting on quotes leaves the outside at even indexes.
    """
    text = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    return text.split(b'"')[::2]


def check_json(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """422 for a JSON (or JSON Lines) body that nests deeper than ``max_depth`` or holds an
    integer outside 64 bits; run before decoding. Cheap for ordinary bodies: the full
    scan happens only when the body has more brackets than ``max_depth``, or 19 digits in a row."""
    if body.count(b"[") + body.count(b"{") > max_depth:
        structure = b"".join(_outside_strings(body)).translate(_STRUCTURE, _NOT_STRUCTURE)
        deepest = max(accumulate(map(_STEP.__getitem__, structure)), default=0)
        if deepest > max_depth:
            raise HTTPError(
                422,
                [
                    FieldError(
                        ["body"],
                        f"arrays and objects nest {deepest} levels deep; "
                        f"at most {max_depth} levels are allowed",
                    )
                ],
                "validation_error",
            )
    if _LONG_DIGITS.search(body) is not None:
        for match in _INTEGER.finditer(b" ".join(_outside_strings(body))):
            digits = match.group()
            if len(digits.lstrip(b"-")) > 19 or not INT64_MIN <= int(digits) <= INT64_MAX:
                raise HTTPError(
                    422,
                    [
                        FieldError(
                            ["body", *_where_integer(body)],
                            f"the integer {_shortened(match.group().decode())} is out of range: "
                            f"integers must fit in 64 bits ({INT64_MIN} to {INT64_MAX})",
                        )
                    ],
                    "validation_error",
                )


def _where_integer(body: bytes) -> list[str | int]:
    """The path to the first integer outside 64 bits (``["spec", "n", 0]``), or [] when
    the body cannot be decoded to find it (JSON Lines, an integer of thousands of digits)."""
    try:
        value = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return []
    found = _find_integer(value)
    return found if found is not None else []


def _find_integer(value: Any) -> list[str | int] | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return [] if not INT64_MIN <= value <= INT64_MAX else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found = _find_integer(item)
        if found is not None:
            return [key, *found]
    return None


def _shortened(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def decode_json(body: bytes, type: Any = Any) -> Any:
    """``body`` decoded as JSON into ``type`` after :func:`check_json`; any failure is a 422.

    Use it for bodies a handler decodes itself, so a malformed, too deep or
    out-of-range body is a 422 like every other, never a 500.
    """
    from ._app import field_errors

    check_json(body)
    try:
        return msgspec.json.decode(body, type=type)
    except msgspec.ValidationError as exc:
        raise HTTPError(422, field_errors(exc), "validation_error") from None
    except msgspec.DecodeError as exc:
        raise HTTPError(
            422, [FieldError(["body"], f"invalid JSON: {exc}")], "validation_error"
        ) from None
    except RecursionError:
        raise HTTPError(
            422, [FieldError(["body"], "the body nests too deeply")], "validation_error"
        ) from None
