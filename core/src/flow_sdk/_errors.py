"""The error hierarchy: one root, a subclass per way a call can fail.

Every error carries what a person needs to act on it (status, the platform's
detail and code, the request id to quote to support, method and a URL with no
secret in it) and a hint that says what to do next when we know it.
"""

from __future__ import annotations

from typing import Any

from ._redact import redact_text, redact_url

__all__ = [
    "CLIAuthenticationError",
    "CLIClientError",
    "CLIConflictError",
    "CLIConnectionError",
    "CLINotFoundError",
    "CLIPermissionError",
    "CLIRateLimitError",
    "CLIServerError",
    "CLITimeoutError",
    "CLIValidationError",
    "PluginError",
    "error_class_for_status",
]


class CLIClientError(Exception):
    """Root of every error the SDK raises."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        detail: Any = None,
        code: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        # Every text field may hold what a server or a user sent: redact them all.
        self.message = redact_text(message)
        self.status_code = status_code
        self.detail = _redact_detail(detail)
        self.code = _redact_optional(code)
        self.request_id = _redact_optional(request_id)
        self.method = _redact_optional(method)
        self.url = redact_url(url) if url else url
        self.hint = _redact_optional(hint)
        self.retry_after = retry_after
        super().__init__(self.message)

    def __str__(self) -> str:
        text = self.message
        if self.request_id:
            text += f" [request id {self.request_id}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self._fields()))

    def _fields(self) -> dict[str, Any]:
        return {
            "status_code": self.status_code,
            "detail": self.detail,
            "code": self.code,
            "request_id": self.request_id,
            "method": self.method,
            "url": self.url,
            "hint": self.hint,
            "retry_after": self.retry_after,
        }


def _rebuild(cls: type[CLIClientError], message: str, fields: dict[str, Any]) -> CLIClientError:
    return cls(message, **fields)


def _redact_optional(text: str | None) -> str | None:
    return redact_text(text) if isinstance(text, str) else text


def _redact_detail(detail: Any) -> Any:
    if isinstance(detail, str):
        return redact_text(detail)
    if isinstance(detail, list):
        return [_redact_detail(item) for item in detail]
    if isinstance(detail, dict):
        return {k: _redact_detail(v) for k, v in detail.items()}
    return detail


class CLIAuthenticationError(CLIClientError):
    """Credentials are missing, wrong or expired (401, or a failed key exchange)."""


class CLIPermissionError(CLIClientError):
    """The credentials are valid but lack the right for this call (403)."""


class CLINotFoundError(CLIClientError):
    """The resource does not exist, or is in a tenant the caller cannot see (404)."""


class CLIConflictError(CLIClientError):
    """The write lost a race or repeats a key with another body (409)."""


class CLIValidationError(CLIClientError):
    """The platform refused the request body or parameters (400, 422)."""


class CLIRateLimitError(CLIClientError):
    """Too many requests (429); ``retry_after`` says how long to wait."""


class CLIServerError(CLIClientError):
    """The platform failed (5xx)."""


class CLIConnectionError(CLIClientError):
    """The platform could not be reached."""


class CLITimeoutError(CLIConnectionError):
    """The platform did not answer in time."""


class PluginError(CLIClientError):
    """A plugin failed to load, or two plugins claim the same name."""


_BY_STATUS: dict[int, type[CLIClientError]] = {
    400: CLIValidationError,
    401: CLIAuthenticationError,
    403: CLIPermissionError,
    404: CLINotFoundError,
    409: CLIConflictError,
    412: CLIConflictError,
    422: CLIValidationError,
    429: CLIRateLimitError,
}


def error_class_for_status(status_code: int) -> type[CLIClientError]:
    """The error class that a non-success status maps to."""
    if status_code >= 500:
        return CLIServerError
    return _BY_STATUS.get(status_code, CLIClientError)
