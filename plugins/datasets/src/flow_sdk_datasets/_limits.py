"""The platform's limits for rows, shared by the SDK (to check before sending) and the routes."""

from __future__ import annotations

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_ROWS_PAGE_SIZE",
    "JSONL_MEDIA_TYPE",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_ROWS",
    "MAX_ROWS_PAGE_SIZE",
]

DEFAULT_BATCH_SIZE = 1000
MAX_BATCH_ROWS = 10_000
MAX_BATCH_BYTES = 8 * 1024 * 1024
DEFAULT_ROWS_PAGE_SIZE = 1000
MAX_ROWS_PAGE_SIZE = 10_000
JSONL_MEDIA_TYPE = "application/x-ndjson"
