"""The error for a refused row, saying where it is in the caller's input."""

from __future__ import annotations

from typing import Any

from flow_sdk import CLIValidationError

__all__ = ["RowValidationError"]


class RowValidationError(CLIValidationError):
    """A row was refused, by the platform (422) or before it was sent.

    ``row_number`` is the row's 1-based position in the whole input (not in
    its batch), ``line`` its line in the source file for ``upload`` (else
    None), ``column`` the offending column when one is to blame, and
    ``rows_appended`` how many rows this call stored before the failing batch:
    batches are all or nothing, so exactly those rows are in the dataset.
    """

    def __init__(
        self,
        message: str,
        *,
        row_number: int | None = None,
        line: int | None = None,
        column: str | None = None,
        rows_appended: int = 0,
        **fields: Any,
    ) -> None:
        super().__init__(message, **fields)
        self.row_number = row_number
        self.line = line
        self.column = column
        self.rows_appended = rows_appended

    def _fields(self) -> dict[str, Any]:
        return {
            **super()._fields(),
            "row_number": self.row_number,
            "line": self.line,
            "column": self.column,
            "rows_appended": self.rows_appended,
        }
