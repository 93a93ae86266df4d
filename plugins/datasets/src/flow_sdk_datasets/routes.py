"""The local platform's datasets: the resource, and its rows in a table of their own.

Imported only when a local platform is built (from the ``flow_sdk_local_routes``
hook). The dataset itself is an ordinary stored resource; its rows live in
``dataset_rows`` (one row per row, its JSON text as sent) and its count in
``dataset_stats``, both declared as migrations, so appending a row never
rewrites a document and reading a page is one indexed range scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from flow_sdk_local import (
    NAME_PATTERN,
    PAGE_QUERY,
    FieldError,
    HTTPError,
    QueryParam,
    Request,
    Response,
    encode_cursor,
    is_blank,
    page_params,
)

from ._limits import (
    DEFAULT_ROWS_PAGE_SIZE,
    JSONL_MEDIA_TYPE,
    MAX_BATCH_BYTES,
    MAX_BATCH_ROWS,
    MAX_ROWS_PAGE_SIZE,
)
from ._schema import COLUMN_TYPES, MAX_COLUMNS, DatasetSchema, RowChecker, schema_from

if TYPE_CHECKING:
    from flow_sdk_local import App, Document, Transaction

__all__ = ["install"]

MAX_REPORTED_PROBLEMS = 20
ROWS_LIMIT = QueryParam(
    "limit",
    Annotated[int, msgspec.Meta(ge=1, le=MAX_ROWS_PAGE_SIZE)],
    f"rows per page, 1 to {MAX_ROWS_PAGE_SIZE} (default {DEFAULT_ROWS_PAGE_SIZE})",
    error=f"must be a whole number from 1 to {MAX_ROWS_PAGE_SIZE}",
)

MIGRATION = """
CREATE TABLE IF NOT EXISTS dataset_rows (
    dataset_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (dataset_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dataset_stats (
    dataset_id TEXT PRIMARY KEY,
    row_count INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
"""

_decoder = msgspec.json.Decoder()


# the wire types (they are the OpenAPI document)


class ColumnOut(msgspec.Struct, kw_only=True):
    """One column of a dataset's schema."""

    name: str
    type: str
    required: bool = False


class SchemaOut(msgspec.Struct, kw_only=True):
    """A dataset's schema: its columns (none: any JSON object is a row)."""

    columns: list[ColumnOut] = []


class DatasetOut(msgspec.Struct, kw_only=True):
    """A dataset: ``schema`` is a typed column list, ``row_count`` how many rows it holds."""

    id: str
    name: str
    description: str = ""
    schema: SchemaOut
    row_count: int
    version: int
    created_at: str
    updated_at: str


Name = Annotated[
    str,
    msgspec.Meta(
        description="not blank", extra_json_schema={"minLength": 1, "pattern": NAME_PATTERN}
    ),
]
"""A dataset's name; ``validate`` refuses a blank one ("must not be empty")."""

_COLUMNS_SCHEMA: dict[str, Any] = {
    "description": "the columns; no columns: any JSON object is a row. Column names are "
    "unique (a name given twice is a 422)",
    "properties": {
        "columns": {
            "type": "array",
            "maxItems": MAX_COLUMNS,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "type": {"enum": list(COLUMN_TYPES), "default": "string"},
                    "required": {"type": "boolean", "default": False},
                },
                "required": ["name"],
                "additionalProperties": False,
            },
        }
    },
    "additionalProperties": False,
}
Schema = Annotated[dict[str, Any], msgspec.Meta(extra_json_schema=_COLUMNS_SCHEMA)]
"""A dataset schema as sent (``schema_from`` checks it, naming the field at fault)."""


class DatasetCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``schema``: ``{"columns": [{"name", "type", "required"}]}``; types are string,
    integer, number, boolean, object, array. No columns: any JSON object is a row."""

    name: Name
    description: str = ""
    schema: Schema = {}


class DatasetUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change (``null``: unchanged); a new schema must fit every
    stored row."""

    name: Name | None = None
    description: str | None = None
    schema: Schema | None = None


class RowsAppended(msgspec.Struct, kw_only=True):
    """One stored batch: rows stored, and the dataset's total after it."""

    appended: int
    row_count: int


class RowsPage(msgspec.Struct, kw_only=True):
    """One page of rows, each the JSON object that was appended."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None


def install(app: App) -> None:
    """Add the datasets resource, its rows routes and its tables to ``app``."""
    app.migration("datasets-0001-rows", MIGRATION)
    store = app.platform.store

    def unprocessable(loc: list[str | int], msg: str, code: str = "validation_error") -> HTTPError:
        return HTTPError(422, [FieldError(loc, msg)], code)

    def checked_schema(raw: Any) -> dict[str, Any]:
        try:
            return schema_from(raw).to_dict()
        except ValueError as exc:
            raise unprocessable(["body", "schema"], str(exc)) from None

    def stats(tx: Transaction, dataset_id: str) -> tuple[int, str | None]:
        row = tx.execute(
            "SELECT row_count, updated_at FROM dataset_stats WHERE dataset_id = ?", (dataset_id,)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else (0, None)

    def present(doc: Document) -> dict[str, Any]:
        with store.transaction(write=False) as tx:
            count, appended_at = stats(tx, doc.id)
        public = doc.public()
        public["row_count"] = count
        if appended_at is not None and appended_at > doc.updated_at:
            public["updated_at"] = appended_at
        return public

    def validate(request: Request, data: dict[str, Any], existing: Document | None) -> Any:
        if existing is not None:  # a field sent as null keeps its value
            for field in ("name", "description", "schema"):
                if data.get(field) is None:
                    data[field] = existing.data.get(field)
        if is_blank(str(data.get("name") or "")):
            raise unprocessable(["body", "name"], "must not be empty")
        data["schema"] = checked_schema(data.get("schema") or {})
        if existing is not None and data["schema"] != existing.data.get("schema"):
            first_misfit(existing.id, schema_from(data["schema"]))
        return data

    def first_misfit(dataset_id: str, schema: DatasetSchema) -> None:
        """422 naming the first stored row the new schema would refuse."""
        checker = RowChecker(schema)
        with store.transaction(write=False) as tx:
            cursor = tx.execute(
                "SELECT seq, data FROM dataset_rows WHERE dataset_id = ? ORDER BY seq",
                (dataset_id,),
            )
            for seq, text in cursor:
                problem = checker.problem(_decoder.decode(text))
                if problem is not None:
                    raise unprocessable(
                        ["body", "schema"],
                        f"the new schema does not fit stored row {seq}: {problem[1]}",
                        "schema_misfit",
                    )

    def forget_rows(request: Request, action: str, doc: Document) -> None:
        if action == "delete":
            with store.transaction() as tx:
                tx.execute("DELETE FROM dataset_rows WHERE dataset_id = ?", (doc.id,))
                tx.execute("DELETE FROM dataset_stats WHERE dataset_id = ?", (doc.id,))

    datasets = app.resource(
        "datasets",
        model=DatasetOut,
        create=DatasetCreate,
        update=DatasetUpdate,
        id_prefix="ds",
        validate=validate,
        after_write=forget_rows,
        present=present,
        tags=("datasets",),
    )
    rows_path = f"{datasets.item_path}/rows"

    def append_rows(request: Request) -> RowsAppended:
        """Append a batch of rows (JSON Lines); all or nothing, each row checked."""
        doc = datasets.load(request)
        body = request.body
        if len(body) > MAX_BATCH_BYTES:
            raise HTTPError(
                413,
                f"a batch is at most {MAX_BATCH_BYTES} bytes, this one is {len(body)}; "
                "send fewer rows per request",
                "batch_too_large",
            )
        checker = RowChecker(schema_from(doc.data.get("schema") or {}))
        texts: list[str] = []
        problems: list[FieldError] = []
        for number, raw in enumerate(body.split(b"\n"), start=1):
            if not raw.strip():
                continue
            if len(texts) >= MAX_BATCH_ROWS:
                raise HTTPError(
                    413,
                    f"a batch is at most {MAX_BATCH_ROWS} rows; send fewer rows per request",
                    "batch_too_large",
                )
            try:
                row = _decoder.decode(raw)
            except msgspec.DecodeError as exc:
                problems.append(FieldError(["body", "line", number], f"not valid JSON: {exc}"))
            else:
                problem = checker.problem(row)
                if problem is None:
                    texts.append(raw.decode().strip())
                else:
                    column, message = problem
                    loc: list[str | int] = ["body", "line", number]
                    if column is not None:
                        loc.append(column)
                    problems.append(FieldError(loc, message))
            if len(problems) >= MAX_REPORTED_PROBLEMS:
                break
        if problems:
            raise HTTPError(422, problems, "invalid_rows")
        with store.transaction() as tx:
            count, _ = stats(tx, doc.id)
            tx.conn.executemany(
                "INSERT INTO dataset_rows (dataset_id, seq, data) VALUES (?, ?, ?)",
                [(doc.id, count + i, text) for i, text in enumerate(texts, start=1)],
            )
            total = count + len(texts)
            tx.execute(
                "INSERT INTO dataset_stats (dataset_id, row_count, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (dataset_id) DO UPDATE SET "
                "row_count = excluded.row_count, updated_at = excluded.updated_at",
                (doc.id, total, tx.now()),
            )
        return RowsAppended(appended=len(texts), row_count=total)

    def read_rows(request: Request) -> Response:
        """Rows in the order they were appended, one page at a time."""
        doc = datasets.load(request)
        limit, after = page_params(request, limit_query=ROWS_LIMIT, default=DEFAULT_ROWS_PAGE_SIZE)
        with store.transaction(write=False) as tx:
            found = tx.execute(
                "SELECT seq, data FROM dataset_rows WHERE dataset_id = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (doc.id, after, limit + 1),
            ).fetchall()
        page = found[:limit]
        next_cursor = encode_cursor(page[-1][0]) if len(found) > limit else None
        # the rows are stored as JSON text: splice them in rather than decode and re-encode
        body = (
            b'{"items":['
            + b",".join(text.encode() for _, text in page)
            + b'],"next_cursor":'
            + msgspec.json.encode(next_cursor)
            + b"}"
        )
        return Response(200, body)

    app.add_route(
        "POST",
        rows_path,
        append_rows,
        response=RowsAppended,
        raw_body=JSONL_MEDIA_TYPE,
        summary="Append a batch of rows (JSON Lines, one object a line); all or nothing",
        tags=("datasets",),
    )
    app.add_route(
        "GET",
        rows_path,
        read_rows,
        response=RowsPage,
        query=(ROWS_LIMIT, PAGE_QUERY[1]),
        summary="Read rows in the order they were appended, page by page",
        tags=("datasets",),
    )
