"""The error raised when code run on the platform fails."""

from __future__ import annotations

from typing import Any

from flow_sdk import CLIClientError

from .models import ExecutionResult

__all__ = ["CodeExecutionError"]


class CodeExecutionError(CLIClientError):
    """The code of a code block or tool raised, timed out or hit a limit.

    The request itself succeeded; ``result`` holds everything the platform
    reported (``error`` with the traceback, ``stdout``, ``stderr``,
    ``duration_ms``). Pass ``check=False`` to get the result instead.
    """

    def __init__(self, message: str, *, result: ExecutionResult, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.result = result

    @classmethod
    def from_result(cls, what: str, result: ExecutionResult) -> CodeExecutionError:
        """The error for a result that did not succeed; ``what`` names the code's owner."""
        error = result.error
        summary = (error.summary or error.message or error.type) if error else result.status
        return cls(
            f"{what} {result.status.replace('_', ' ')}: {summary}",
            result=result,
            code=f"code_{result.status}",
            hint="see .result.error.traceback and .result.stderr; "
            "pass check=False to get the result without raising",
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self._fields(), self.result))


def _rebuild(
    cls: type[CodeExecutionError], message: str, fields: dict[str, Any], result: ExecutionResult
) -> CodeExecutionError:
    return cls(message, result=result, **fields)
