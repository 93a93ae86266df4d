"""Typed records the datasets API returns (msgspec, decoded straight from the body)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from flow_sdk import Model

from ._schema import DatasetSchema

__all__ = ["AppendResult", "Dataset", "RowsAppended"]


class Dataset(Model):
    """A dataset: its schema, how many rows it holds, and its version for ``if_match``.

    ``version`` counts changes to the dataset's own fields (name, description,
    schema); appending rows changes ``row_count`` and ``updated_at`` only.
    """

    id: str
    name: str
    description: str = ""
    schema: DatasetSchema = msgspec.field(default_factory=DatasetSchema)
    row_count: int = 0
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class RowsAppended(Model):
    """The platform's answer to one batch: rows stored, and the dataset's new total."""

    appended: int
    row_count: int


class AppendResult(Model):
    """What ``append_rows`` / ``upload`` stored so far (also what ``on_progress`` receives)."""

    rows: int
    """Rows stored by this call."""
    batches: int
    """Batches stored by this call."""
    bytes: int
    """JSON Lines bytes sent for them."""
    row_count: int
    """The dataset's total number of rows after the last batch."""
