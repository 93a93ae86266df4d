"""What code blocks and tools share on the SDK side: request timeouts and ``check``."""

from __future__ import annotations

from typing import TypeVar

from .errors import CodeExecutionError
from .models import ExecutionResult

__all__ = ["checked", "request_timeout"]

R = TypeVar("R", bound=ExecutionResult)

#: The platform's longest time limit for one run of code (runner.MAX_TIMEOUT_S).
PLATFORM_MAX_TIMEOUT_S = 600.0
#: Time on top of the code's own limit for the platform to start it and answer.
_MARGIN_S = 15.0


def request_timeout(timeout_s: float | None, client_timeout: float) -> float:
    """How long the HTTP request may take when the code may run ``timeout_s`` seconds."""
    if timeout_s is not None and timeout_s <= 0:
        raise ValueError("timeout_s must be more than 0")
    limit = PLATFORM_MAX_TIMEOUT_S if timeout_s is None else timeout_s
    return max(client_timeout, limit + _MARGIN_S)


def checked(what: str, result: R, check: bool) -> R:
    """``result``, or ``CodeExecutionError`` when ``check`` and it did not succeed."""
    if check and not result.ok:
        raise CodeExecutionError.from_result(what, result)
    return result
