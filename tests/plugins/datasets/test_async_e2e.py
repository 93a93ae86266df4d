"""client.datasets on AsyncCLIClient, end to end (in-process and over the socket).

The same namespace code as the sync tests, awaited: batched appends and
uploads send one request per batch without blocking the event loop, so two
of them run side by side under ``asyncio.gather``.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLIValidationError,
)
from flow_sdk_datasets import AppendResult, Column, Dataset, DatasetSchema, RowValidationError

pytestmark = pytest.mark.anyio

SCHEMA: list[dict[str, Any]] = [
    {"name": "id", "type": "integer", "required": True},
    {"name": "name", "type": "string"},
    {"name": "score", "type": "number"},
    {"name": "ok", "type": "boolean"},
]


def people(count: int, start: int = 0) -> Iterator[dict[str, Any]]:
    for i in range(start, start + count):
        yield {"id": i, "name": f"p{i}", "score": i / 2, "ok": i % 2 == 0}


async def _rows(datasets: Any, dataset_id: str, **options: Any) -> list[dict[str, Any]]:
    return [row async for row in datasets.iter_rows(dataset_id, **options)]


# create, get, list, update, delete


async def test_crud(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    created = await datasets.create(name="orders", schema=SCHEMA, description="d")
    assert isinstance(created, Dataset)
    assert (created.name, created.row_count, created.version) == ("orders", 0, 1)
    assert created.schema.column("id") == Column(name="id", type="integer", required=True)
    assert await datasets.get(created.id) == created
    assert [d.id async for d in datasets.list()] == [created.id]

    updated = await datasets.update(created.id, name="orders-2024", if_match=created.version)
    assert (updated.name, updated.version, updated.schema) == ("orders-2024", 2, created.schema)
    wider = await datasets.update(
        created.id, {"schema": {"columns": [*SCHEMA, {"name": "tags", "type": "array"}]}}
    )
    assert wider.schema.column("tags") is not None

    await datasets.delete(created.id, if_match=wider.version)
    with pytest.raises(CLINotFoundError):
        await datasets.get(created.id)
    assert await datasets.list().to_list() == []


@pytest.mark.parametrize(
    "schema",
    [SCHEMA, {"columns": SCHEMA}, DatasetSchema(columns=[Column(**c) for c in SCHEMA])],
)
async def test_a_schema_may_be_a_list_a_mapping_or_a_schema(
    async_flow_client: Any, schema: Any
) -> None:
    created = await async_flow_client.datasets.create(name="d", schema=schema)
    assert [c.name for c in created.schema.columns] == ["id", "name", "score", "ok"]
    again = await async_flow_client.datasets.create({"name": "e", "schema": schema})
    assert again.schema == created.schema


async def test_list_is_lazy_and_filters_by_name(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    made = [(await datasets.create(name=f"d{i % 2}")).id for i in range(5)]
    pages = [len(page.items) async for page in datasets.list(page_size=2).pages()]
    assert pages == [2, 2, 1]
    assert [d.id async for d in datasets.list(page_size=2)] == made
    assert [d.id async for d in datasets.list(name="d1")] == made[1::2]
    assert len(await datasets.list(limit=3).to_list()) == 3
    first = await datasets.list().first()
    assert first is not None
    assert first.id == made[0]


async def test_create_with_a_key_is_idempotent(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    one, two = await asyncio.gather(
        datasets.create(name="once", idempotency_key="ds-1"),
        datasets.create(name="once", idempotency_key="ds-1"),
    )
    assert one.id == two.id
    assert len(await datasets.list().to_list()) == 1


# errors


async def test_a_stale_if_match_is_409(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    await datasets.update(dataset.id, description="changed")
    with pytest.raises(CLIConflictError, match="version") as info:
        await datasets.update(dataset.id, name="x", if_match=dataset.version)
    assert info.value.status_code == 409
    with pytest.raises(CLIConflictError):
        await datasets.delete(dataset.id, if_match=dataset.version)
    assert (await datasets.get(dataset.id)).name == "people"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"name": ""}, "must not be empty"),
        ({"name": "x", "colour": "red"}, "colour"),
        ({}, "name"),
    ],
)
async def test_a_bad_body_is_422(async_flow_client: Any, body: dict[str, Any], needle: str) -> None:
    with pytest.raises(CLIValidationError, match=needle) as info:
        await async_flow_client.datasets.create(body)
    assert info.value.status_code == 422


async def test_a_bad_schema_is_refused_before_sending(async_flow_client: Any) -> None:
    with pytest.raises(CLIValidationError, match="named twice") as info:
        await async_flow_client.datasets.create(name="x", schema=[{"name": "a"}, {"name": "a"}])
    assert info.value.status_code is None
    assert await async_flow_client.datasets.list().to_list() == []


async def test_a_schema_that_breaks_a_stored_row_is_422(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    await datasets.append_rows(dataset.id, [*people(3), {"id": 3}])
    stricter = [{**c, "required": True} if c["name"] == "name" else c for c in SCHEMA]
    with pytest.raises(CLIValidationError, match="stored row 4: column 'name' is required"):
        await datasets.update(dataset.id, schema=stricter)
    assert (await datasets.get(dataset.id)).version == 1


async def test_a_missing_dataset_is_404_for_every_method(
    async_flow_client: Any, tmp_path: Path
) -> None:
    datasets = async_flow_client.datasets
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("id\n1\n")
    jsonl_file = tmp_path / "rows.jsonl"
    jsonl_file.write_text('{"id": 1}\n')
    for call in (
        datasets.get("ds_missing"),
        datasets.update("ds_missing", name="x"),
        datasets.delete("ds_missing"),
        datasets.append_rows("ds_missing", [{"id": 1}]),
        datasets.append_rows("ds_missing", []),
        datasets.upload("ds_missing", jsonl_file),
        datasets.upload("ds_missing", csv_file),
        datasets.iter_rows("ds_missing").to_list(),
    ):
        with pytest.raises(CLINotFoundError) as info:
            await call
        assert info.value.status_code == 404


async def test_another_tenants_dataset_is_404(async_flow_client: Any, local_platform: Any) -> None:
    dataset = await async_flow_client.datasets.create(name="mine")
    await async_flow_client.datasets.append_rows(dataset.id, people(3))
    other = local_platform.create_tenant()
    async with local_platform.async_client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    ) as theirs:
        stranger = theirs.datasets
        assert await stranger.list().to_list() == []
        for call in (
            stranger.get(dataset.id),
            stranger.update(dataset.id, name="stolen"),
            stranger.delete(dataset.id),
            stranger.append_rows(dataset.id, people(1)),
            stranger.iter_rows(dataset.id).to_list(),
        ):
            with pytest.raises(CLINotFoundError):
                await call
    assert (await async_flow_client.datasets.get(dataset.id)).row_count == 3


# append_rows and iter_rows


async def test_thousands_of_rows_go_in_several_batches(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    seen: list[AppendResult] = []
    result = await datasets.append_rows(
        dataset.id, people(3500), batch_size=1000, on_progress=seen.append
    )
    assert isinstance(result, AppendResult)
    assert (result.rows, result.batches, result.row_count) == (3500, 4, 3500)
    assert [p.rows for p in seen] == [1000, 2000, 3000, 3500]
    assert seen[-1] == result
    after = await datasets.get(dataset.id)
    assert (after.row_count, after.version) == (3500, dataset.version)
    assert await _rows(datasets, dataset.id, page_size=700) == list(people(3500))


async def test_iter_rows_is_lazy(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    await datasets.append_rows(dataset.id, people(25))
    pages = [len(page.items) async for page in datasets.iter_rows(dataset.id, page_size=10).pages()]
    assert pages == [10, 10, 5]
    limited = await datasets.iter_rows(dataset.id, page_size=10, limit=12).to_list()
    assert limited == list(people(12))
    assert await datasets.iter_rows(dataset.id).first() == next(people(1))
    with pytest.raises(ValueError, match="page_size"):
        datasets.iter_rows(dataset.id, page_size=0)


async def test_appending_nothing_reads_the_count(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="free")
    await datasets.append_rows(dataset.id, [{"a": 1}, {"b": [1, {"c": None}]}])
    assert await datasets.append_rows(dataset.id, []) == AppendResult(
        rows=0, batches=0, bytes=0, row_count=2
    )
    assert await _rows(datasets, dataset.id) == [{"a": 1}, {"b": [1, {"c": None}]}]


async def test_a_bad_row_names_its_absolute_row(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)

    def rows() -> Iterator[dict[str, Any]]:
        yield from people(25)
        yield {"id": "twenty-six"}
        yield from people(10, start=26)

    with pytest.raises(RowValidationError) as info:
        await datasets.append_rows(dataset.id, rows(), batch_size=10)
    error = info.value
    assert error.status_code == 422
    assert (error.row_number, error.column, error.rows_appended) == (26, "id", 20)
    assert "row 26: column 'id' must be integer, got string" in str(error)
    assert "rows 21-30" in str(error)
    assert "append again from row 21" in (error.hint or "")
    assert (await datasets.get(dataset.id)).row_count == 20


async def test_a_row_that_is_not_json_is_refused_before_its_batch(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    rows = [*people(3), {"id": 4, "name": object()}]
    with pytest.raises(RowValidationError, match="row 4 cannot be encoded as JSON") as info:
        await datasets.append_rows(dataset.id, rows, batch_size=2)
    assert (info.value.row_number, info.value.rows_appended) == (4, 2)
    assert (await datasets.get(dataset.id)).row_count == 2


@pytest.mark.parametrize(
    ("option", "value"), [("batch_size", 0), ("batch_size", 10_001), ("max_batch_bytes", 0)]
)
async def test_batch_limits_are_checked(async_flow_client: Any, option: str, value: int) -> None:
    dataset = await async_flow_client.datasets.create(name="people")
    with pytest.raises(ValueError, match=option):
        await async_flow_client.datasets.append_rows(dataset.id, people(1), **{option: value})


async def test_a_rerun_with_the_same_key_stores_only_what_was_missing(
    async_flow_client: Any,
) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    rows = list(people(30))
    broken = [*rows[:25], {"id": "bad"}, *rows[26:]]
    with pytest.raises(RowValidationError):
        await datasets.append_rows(dataset.id, broken, batch_size=10, idempotency_key="k")
    assert (await datasets.get(dataset.id)).row_count == 20
    again = await datasets.append_rows(dataset.id, rows, batch_size=10, idempotency_key="k")
    assert again.row_count == 30
    assert await _rows(datasets, dataset.id) == rows


async def test_a_batch_retried_after_a_fault_is_stored_once(
    async_flow_client: Any, local_platform: Any
) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    local_platform.inject_faults("503", count=2, path_prefix="/api/v1/orgs", methods=["POST"])
    result = await datasets.append_rows(dataset.id, people(30), batch_size=10)
    assert result.row_count == 30
    assert [f.injected for f in local_platform.faults()] == [2]
    assert (await datasets.get(dataset.id)).row_count == 30


class _LoseFirstResponses(httpx.AsyncBaseTransport):
    """An async network that delivers each request but loses the first ``count`` responses."""

    def __init__(self, inner: httpx.BaseTransport, count: int) -> None:
        self.inner = inner
        self.remaining = count
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await asyncio.to_thread(self.inner.handle_request, request)
        if request.method == "POST" and request.url.path.endswith("/rows"):
            self.sent.append(request.headers["idempotency-key"])
            if self.remaining > 0:
                self.remaining -= 1
                raise httpx.RemoteProtocolError("connection lost before the response")
        return response


async def test_a_batch_whose_response_was_lost_is_retried_and_stored_once(
    local_platform: Any,
) -> None:
    from flow_sdk.testing import SleepRecorder
    from flow_sdk_local import LocalTransport

    network = _LoseFirstResponses(LocalTransport(local_platform.platform), count=2)
    slept = SleepRecorder()
    async with local_platform.async_client(transport=network, sleep=slept.async_sleep) as client:
        target = await client.datasets.create(name="retried", schema=SCHEMA)
        result = await client.datasets.append_rows(target.id, people(30), batch_size=10)
        assert result.row_count == 30
        assert await _rows(client.datasets, target.id) == list(people(30))
    assert len(network.sent) == 5
    assert network.sent[0] == network.sent[1] == network.sent[2]
    assert len(set(network.sent)) == 3
    assert len(slept.calls) == 2


async def test_with_raw_response_gives_the_last_batchs_answer(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    raw = await datasets.append_rows.with_raw_response(dataset.id, people(5), batch_size=2)
    assert raw.status_code in (200, 201)
    assert raw.parse().row_count == 5
    assert raw.request_id


# two appends at once


async def test_two_appends_run_concurrently(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    left, right = await asyncio.gather(
        datasets.create(name="left", schema=SCHEMA), datasets.create(name="right", schema=SCHEMA)
    )
    order: list[str] = []

    def progress(name: str) -> Any:
        return lambda done: order.append(name)

    a, b = await asyncio.gather(
        datasets.append_rows(left.id, people(2000), batch_size=250, on_progress=progress("L")),
        datasets.append_rows(
            right.id, people(1500, start=5000), batch_size=250, on_progress=progress("R")
        ),
    )
    assert (a.rows, a.batches, a.row_count) == (2000, 8, 2000)
    assert (b.rows, b.batches, b.row_count) == (1500, 6, 1500)
    # the batches interleave: neither append waited for the other to finish
    assert order.index("R") < len(order) - 1 - order[::-1].index("L")
    assert order.index("L") < len(order) - 1 - order[::-1].index("R")
    assert await _rows(datasets, left.id) == list(people(2000))
    assert await _rows(datasets, right.id) == list(people(1500, start=5000))


async def test_two_appends_to_one_dataset_store_both(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="shared", schema=SCHEMA)
    first, second = await asyncio.gather(
        datasets.append_rows(dataset.id, people(1200), batch_size=300),
        datasets.append_rows(dataset.id, people(1200, start=10_000), batch_size=300),
    )
    assert (first.rows, second.rows) == (1200, 1200)
    assert max(first.row_count, second.row_count) == 2400
    stored = await _rows(datasets, dataset.id)
    assert sorted(r["id"] for r in stored) == sorted([*range(1200), *range(10_000, 11_200)])


# upload


async def test_upload_a_jsonl_file(async_flow_client: Any, tmp_path: Path) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    path = tmp_path / "people.jsonl"
    path.write_text("".join(f'{{"id": {i}, "name": "n{i}"}}\n' for i in range(250)) + "\n")
    seen: list[AppendResult] = []
    result = await datasets.upload(dataset.id, path, batch_size=100, on_progress=seen.append)
    assert (result.rows, result.batches, result.row_count) == (250, 3, 250)
    assert [p.rows for p in seen] == [100, 200, 250]
    assert await _rows(datasets, dataset.id) == [{"id": i, "name": f"n{i}"} for i in range(250)]


async def test_upload_a_csv_file(async_flow_client: Any, tmp_path: Path) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    path = tmp_path / "people.csv"
    path.write_text('id,name,score,ok\n1,Ann,1.5,yes\n2,,,\n3,"B, C",7,false\n')
    result = await datasets.upload(dataset.id, path, batch_size=2)
    assert (result.rows, result.batches, result.row_count) == (3, 2, 3)
    assert await _rows(datasets, dataset.id) == [
        {"id": 1, "name": "Ann", "score": 1.5, "ok": True},
        {"id": 2, "name": ""},
        {"id": 3, "name": "B, C", "score": 7, "ok": False},
    ]


async def test_upload_open_files(async_flow_client: Any) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    await datasets.upload(dataset.id, io.BytesIO(b'{"id": 1}\n'))
    await datasets.upload(dataset.id, io.StringIO("id\n2\n"), format="csv")
    binary = io.BytesIO(b"id\n3\n")
    await datasets.upload(dataset.id, binary, format="csv")
    assert not binary.closed  # the caller's stream stays open
    assert [r["id"] for r in await _rows(datasets, dataset.id)] == [1, 2, 3]


async def test_upload_errors_name_the_file_line(async_flow_client: Any, tmp_path: Path) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    bad_cell = tmp_path / "people.csv"
    bad_cell.write_text("id,score\n1,2\n2,lots\n")
    with pytest.raises(
        RowValidationError, match=r"line 3 of people\.csv: column 'score': 'lots' is not a number"
    ) as info:
        await datasets.upload(dataset.id, bad_cell, batch_size=1)
    assert (info.value.line, info.value.column, info.value.rows_appended) == (3, "score", 1)

    refused = tmp_path / "people.jsonl"
    refused.write_text('{"id": 10}\n\n\n{"id": 11}\n{"id": 2.5}\n')
    with pytest.raises(RowValidationError, match=r"row 3 \(line 5 of people.jsonl\)") as info:
        await datasets.upload(dataset.id, refused)
    assert (info.value.row_number, info.value.line, info.value.status_code) == (3, 5, 422)

    not_json = tmp_path / "people.ndjson"
    not_json.write_text('{"id": 1}\n{"id": \n')
    with pytest.raises(RowValidationError, match=r"line 2 of people\.ndjson: not valid JSON"):
        await datasets.upload(dataset.id, not_json)

    unknown_column = tmp_path / "colour.csv"
    unknown_column.write_text("id,colour\n1,red\n")
    with pytest.raises(RowValidationError, match="'colour' is not in the dataset's schema"):
        await datasets.upload(dataset.id, unknown_column)
    assert (await datasets.get(dataset.id)).row_count == 1


async def test_upload_refuses_what_it_cannot_read(async_flow_client: Any, tmp_path: Path) -> None:
    datasets = async_flow_client.datasets
    dataset = await datasets.create(name="people", schema=SCHEMA)
    text = tmp_path / "rows.txt"
    text.write_text("{}\n")
    with pytest.raises(CLIValidationError, match=r"name it \.jsonl or \.csv"):
        await datasets.upload(dataset.id, text)
    with pytest.raises(CLIValidationError, match="format must be"):
        await datasets.upload(dataset.id, io.BytesIO(b""), format="xml")
    with pytest.raises(CLIValidationError, match="cannot read"):
        await datasets.upload(dataset.id, tmp_path / "absent.jsonl")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("id,name\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(CLIValidationError, match="not UTF-8"):
        await datasets.upload(dataset.id, latin1)
    assert (await datasets.get(dataset.id)).row_count == 0


async def test_an_id_that_cannot_be_a_path_segment_is_refused_before_sending(
    async_flow_client: Any,
) -> None:
    with pytest.raises(CLIClientError, match="id is empty") as info:
        await async_flow_client.datasets.get("")
    assert info.value.status_code is None
