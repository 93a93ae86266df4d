"""client.datasets end to end through the local platform (in-process and over the socket)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flow_sdk import (
    CLIClient,
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLIValidationError,
)
from flow_sdk_datasets import AppendResult, Column, Dataset, DatasetSchema, RowValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCHEMA = [
    {"name": "id", "type": "integer", "required": True},
    {"name": "name", "type": "string"},
    {"name": "score", "type": "number"},
    {"name": "ok", "type": "boolean"},
]


def people(count: int, start: int = 0) -> Iterator[dict[str, Any]]:
    for i in range(start, start + count):
        yield {"id": i, "name": f"p{i}", "score": i / 2, "ok": i % 2 == 0}


def _raw(datasets: Any, method: str, url: str, **kwargs: Any) -> Any:
    """A request straight to the platform, past the namespace (which checks before sending)."""
    return datasets._owner._client.request_json(method, url, **kwargs)


@pytest.fixture
def dataset(datasets: Any) -> Dataset:
    return datasets.create(name="people", schema=SCHEMA, description="test rows")


class TestCrud:
    def test_create_get_list_update_delete(self, datasets: Any) -> None:
        created = datasets.create(name="orders", schema=SCHEMA)
        assert isinstance(created, Dataset)
        assert created.id.startswith("ds_")
        assert (created.name, created.row_count, created.version) == ("orders", 0, 1)
        assert created.schema.column("id") == Column(name="id", type="integer", required=True)
        assert datasets.get(created.id) == created
        assert [d.id for d in datasets.list()] == [created.id]

        updated = datasets.update(created.id, name="orders-2024", if_match=created.version)
        assert (updated.name, updated.version) == ("orders-2024", 2)
        assert updated.schema == created.schema  # fields not sent are kept

        datasets.delete(created.id, if_match=updated.version)
        with pytest.raises(CLINotFoundError):
            datasets.get(created.id)
        assert datasets.list().to_list() == []

    @pytest.mark.parametrize(
        "schema",
        [
            SCHEMA,
            {"columns": SCHEMA},
            DatasetSchema(columns=[Column(**c) for c in SCHEMA]),  # type: ignore[arg-type]
        ],
    )
    def test_a_schema_may_be_a_list_a_mapping_or_a_schema(self, datasets: Any, schema: Any) -> None:
        assert [c.name for c in datasets.create(name="d", schema=schema).schema.columns] == [
            "id",
            "name",
            "score",
            "ok",
        ]

    def test_without_a_schema_any_object_is_a_row(self, datasets: Any) -> None:
        free = datasets.create(name="free")
        assert free.schema == DatasetSchema()
        datasets.append_rows(free.id, [{"a": 1}, {"b": [1, {"c": None}]}])
        assert list(datasets.iter_rows(free.id)) == [{"a": 1}, {"b": [1, {"c": None}]}]

    def test_list_is_lazy_and_filters_by_name(self, datasets: Any) -> None:
        made = [datasets.create(name=f"d{i % 2}").id for i in range(5)]
        pages = list(datasets.list(page_size=2).pages())
        assert [len(p.items) for p in pages] == [2, 2, 1]
        assert [d.id for d in datasets.list(page_size=2)] == made
        assert [d.id for d in datasets.list(name="d1")] == made[1::2]
        assert len(datasets.list(limit=3).to_list()) == 3

    def test_a_stale_if_match_is_a_conflict(self, datasets: Any, dataset: Dataset) -> None:
        datasets.update(dataset.id, description="changed")
        with pytest.raises(CLIConflictError, match="version"):
            datasets.update(dataset.id, name="x", if_match=dataset.version)
        with pytest.raises(CLIConflictError):
            datasets.delete(dataset.id, if_match=dataset.version)
        assert datasets.get(dataset.id).name == "people"

    @pytest.mark.parametrize(
        ("body", "needle"),
        [
            ({"name": "x", "schema": {"columns": [{"name": "a", "type": "text"}]}}, "text"),
            ({"name": "x", "schema": {"columns": [{"name": "a", "requried": True}]}}, "requried"),
            ({"name": ""}, "must not be empty"),
            ({"name": "x", "colour": "red"}, "colour"),
            ({}, "name"),
        ],
    )
    def test_a_bad_body_is_422_naming_the_field(
        self, datasets: Any, body: dict[str, Any], needle: str
    ) -> None:
        # straight to the platform: the SDK checks a schema before sending (below)
        with pytest.raises(CLIValidationError, match=needle) as info:
            _raw(datasets, "POST", datasets._collection(), json=body)
        assert info.value.status_code == 422
        with pytest.raises(CLIValidationError, match=needle):
            datasets.create(body)

    def test_a_bad_schema_is_refused_before_sending(self, datasets: Any) -> None:
        with pytest.raises(CLIValidationError, match="named twice") as info:
            datasets.create(name="x", schema=[{"name": "a"}, {"name": "a"}])
        assert info.value.status_code is None
        assert "types: string, integer" in (info.value.hint or "")

    def test_a_missing_dataset_is_404_for_every_call(self, datasets: Any) -> None:
        for call in (
            lambda: datasets.get("ds_missing"),
            lambda: datasets.update("ds_missing", name="x"),
            lambda: datasets.delete("ds_missing"),
            lambda: datasets.append_rows("ds_missing", [{"id": 1}]),
            lambda: list(datasets.iter_rows("ds_missing")),
        ):
            with pytest.raises(CLINotFoundError):
                call()

    def test_another_tenants_dataset_is_404(
        self, datasets: Any, dataset: Dataset, local_platform: Any
    ) -> None:
        datasets.append_rows(dataset.id, people(3))
        other = local_platform.create_tenant()
        stranger = local_platform.client(
            api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
        ).datasets
        assert stranger.list().to_list() == []
        for call in (
            lambda: stranger.get(dataset.id),
            lambda: stranger.update(dataset.id, name="mine"),
            lambda: stranger.delete(dataset.id),
            lambda: stranger.append_rows(dataset.id, people(1)),
            lambda: list(stranger.iter_rows(dataset.id)),
        ):
            with pytest.raises(CLINotFoundError):
                call()
        assert datasets.get(dataset.id).row_count == 3

    def test_deleting_a_dataset_deletes_its_rows(
        self, datasets: Any, dataset: Dataset, local_platform: Any
    ) -> None:
        datasets.append_rows(dataset.id, people(10))
        datasets.delete(dataset.id)
        with local_platform.store.transaction(write=False) as tx:
            left = tx.execute(
                "SELECT COUNT(*) FROM dataset_rows WHERE dataset_id = ?", (dataset.id,)
            ).fetchone()
        assert left == (0,)


class TestAppendAndRead:
    def test_rows_stream_in_batches_with_progress(self, datasets: Any, dataset: Dataset) -> None:
        seen: list[AppendResult] = []
        result = datasets.append_rows(
            dataset.id, people(2500), batch_size=1000, on_progress=seen.append
        )
        assert (result.rows, result.batches, result.row_count) == (2500, 3, 2500)
        assert [p.rows for p in seen] == [1000, 2000, 2500]
        assert seen[-1] == result
        after = datasets.get(dataset.id)
        assert after.row_count == 2500
        assert after.version == dataset.version  # appending is not a change of the dataset
        assert after.updated_at is not None
        assert dataset.updated_at is not None
        assert after.updated_at > dataset.updated_at
        assert list(datasets.iter_rows(dataset.id, page_size=700)) == list(people(2500))

    def test_iter_rows_is_lazy(self, datasets: Any, dataset: Dataset) -> None:
        datasets.append_rows(dataset.id, people(25))
        rows = datasets.iter_rows(dataset.id, page_size=10)
        assert [len(page.items) for page in rows.pages()] == [10, 10, 5]
        assert datasets.iter_rows(dataset.id, page_size=10, limit=12).to_list() == list(people(12))
        assert datasets.iter_rows(dataset.id).first() == next(people(1))

    def test_appending_nothing_stores_nothing(self, datasets: Any, dataset: Dataset) -> None:
        assert datasets.append_rows(dataset.id, []) == AppendResult(
            rows=0, batches=0, bytes=0, row_count=0
        )

    def test_msgspec_structs_are_rows_too(self, datasets: Any, dataset: Dataset) -> None:
        import msgspec

        class Person(msgspec.Struct):
            id: int
            name: str

        datasets.append_rows(dataset.id, [Person(1, "a")])
        assert list(datasets.iter_rows(dataset.id)) == [{"id": 1, "name": "a"}]

    def test_a_bad_row_names_its_absolute_row_and_nothing_of_its_batch_is_stored(
        self, datasets: Any, dataset: Dataset
    ) -> None:
        def rows() -> Iterator[dict[str, Any]]:
            yield from people(25)
            yield {"id": "twenty-six"}
            yield from people(10, start=26)

        with pytest.raises(RowValidationError) as info:
            datasets.append_rows(dataset.id, rows(), batch_size=10)
        error = info.value
        assert error.status_code == 422
        assert (error.row_number, error.column, error.rows_appended) == (26, "id", 20)
        assert "row 26: column 'id' must be integer, got string" in str(error)
        assert "rows 21-30" in str(error)
        assert "append again from row 21" in (error.hint or "")
        assert datasets.get(dataset.id).row_count == 20  # the two good batches only

    def test_every_bad_row_of_a_batch_is_counted(self, datasets: Any, dataset: Dataset) -> None:
        with pytest.raises(RowValidationError, match=r"row 2: .* \(and 2 more in the batch\)"):
            datasets.append_rows(dataset.id, [{"id": 1}, {"id": None}, {"x": 1}, [1]])
        assert datasets.get(dataset.id).row_count == 0

    def test_a_row_that_is_not_json_is_refused_before_its_batch_is_sent(
        self, datasets: Any, dataset: Dataset
    ) -> None:
        rows = [*people(3), {"id": 4, "name": object()}]
        with pytest.raises(RowValidationError, match="row 4 cannot be encoded as JSON") as info:
            datasets.append_rows(dataset.id, rows, batch_size=2)
        assert (info.value.row_number, info.value.rows_appended) == (4, 2)
        assert datasets.get(dataset.id).row_count == 2

    @pytest.mark.parametrize(
        ("option", "value"), [("batch_size", 0), ("batch_size", 10_001), ("max_batch_bytes", 0)]
    )
    def test_batch_limits_are_checked(
        self, datasets: Any, dataset: Dataset, option: str, value: int
    ) -> None:
        with pytest.raises(ValueError, match=option):
            datasets.append_rows(dataset.id, people(1), **{option: value})

    def test_a_batch_over_the_platform_limits_is_refused(
        self, datasets: Any, dataset: Dataset
    ) -> None:
        body = b'{"id": 1}\n' * 10_001
        with pytest.raises(CLIClientError, match="at most 10000 rows") as info:
            _raw(
                datasets,
                "POST",
                datasets._item(dataset.id, "rows"),
                content=body,
                headers={"Content-Type": "application/x-ndjson"},
            )
        assert info.value.status_code == 413

    def test_a_row_larger_than_the_batch_bytes_travels_alone(
        self, datasets: Any, dataset: Dataset
    ) -> None:
        rows = [{"id": i, "name": "x" * 300} for i in range(4)]
        result = datasets.append_rows(dataset.id, rows, max_batch_bytes=100)
        assert (result.batches, result.row_count) == (4, 4)

    def test_bad_page_requests_are_422(self, datasets: Any, dataset: Dataset) -> None:
        url = datasets._item(dataset.id, "rows")
        for params in ({"limit": 0}, {"limit": 10_001}, {"limit": "x"}, {"cursor": "bogus"}):
            with pytest.raises(CLIValidationError):
                _raw(datasets, "GET", url, params=params)
        with pytest.raises(ValueError, match="page_size"):
            datasets.iter_rows(dataset.id, page_size=0)


class TestIdempotency:
    def test_each_batch_has_its_own_key_and_a_rerun_with_the_same_key_stores_nothing_twice(
        self, datasets: Any, dataset: Dataset, local_platform: Any
    ) -> None:
        first = datasets.append_rows(
            dataset.id, people(25), batch_size=10, idempotency_key="import-1"
        )
        again = datasets.append_rows(
            dataset.id, people(25), batch_size=10, idempotency_key="import-1"
        )
        assert first.row_count == again.row_count == 25
        assert datasets.get(dataset.id).row_count == 25
        with local_platform.store.transaction(write=False) as tx:
            keys = {
                key
                for (key,) in tx.execute(
                    "SELECT key FROM idempotency_keys WHERE key LIKE 'import-1-%'"
                ).fetchall()
            }
        assert keys == {"import-1-0", "import-1-1", "import-1-2"}

    def test_a_rerun_after_a_failure_stores_only_what_was_missing(
        self, datasets: Any, dataset: Dataset
    ) -> None:
        rows = list(people(30))
        broken = [*rows[:25], {"id": "bad"}, *rows[26:]]
        with pytest.raises(RowValidationError):
            datasets.append_rows(dataset.id, broken, batch_size=10, idempotency_key="k")
        assert datasets.get(dataset.id).row_count == 20
        datasets.append_rows(dataset.id, rows, batch_size=10, idempotency_key="k")
        assert list(datasets.iter_rows(dataset.id)) == rows

    def test_without_a_key_two_appends_store_twice(self, datasets: Any, dataset: Dataset) -> None:
        datasets.append_rows(dataset.id, people(3))
        datasets.append_rows(dataset.id, people(3))
        assert datasets.get(dataset.id).row_count == 6

    def test_a_batch_retried_after_a_fault_is_stored_once(
        self, datasets: Any, dataset: Dataset, local_platform: Any
    ) -> None:
        local_platform.inject_faults("503", count=2, path_prefix="/api/v1/orgs", methods=["POST"])
        result = datasets.append_rows(dataset.id, people(30), batch_size=10)
        assert result.row_count == 30
        assert [f.injected for f in local_platform.faults()] == [2]
        assert datasets.get(dataset.id).row_count == 30


class TestSchemaChanges:
    def test_a_schema_that_fits_the_stored_rows_is_accepted(
        self, datasets: Any, dataset: Dataset
    ) -> None:
        datasets.append_rows(dataset.id, people(5))
        wider = [*SCHEMA, {"name": "tags", "type": "array"}]
        updated = datasets.update(dataset.id, schema=wider)
        assert updated.version == 2
        assert updated.schema.column("tags") is not None

    def test_a_schema_that_breaks_a_stored_row_is_422_naming_it(
        self, datasets: Any, dataset: Dataset
    ) -> None:
        datasets.append_rows(dataset.id, [*people(3), {"id": 3}])
        stricter = [{**c, "required": True} if c["name"] == "name" else c for c in SCHEMA]
        with pytest.raises(CLIValidationError, match="stored row 4: column 'name' is required"):
            datasets.update(dataset.id, schema=stricter)
        assert datasets.get(dataset.id).version == 1


class TestUpload:
    def test_jsonl_file(self, datasets: Any, dataset: Dataset, tmp_path: Path) -> None:
        path = tmp_path / "people.jsonl"
        path.write_text('{"id": 1, "name": "a"}\n\n{"id": 2}\n')
        result = datasets.upload(dataset.id, path)
        assert result.row_count == 2
        assert list(datasets.iter_rows(dataset.id)) == [{"id": 1, "name": "a"}, {"id": 2}]

    def test_a_bad_jsonl_row_names_its_file_line(
        self, datasets: Any, dataset: Dataset, tmp_path: Path
    ) -> None:
        path = tmp_path / "people.jsonl"
        path.write_text('{"id": 1}\n\n\n{"id": 2}\n{"id": 2.5}\n')
        with pytest.raises(RowValidationError, match=r"row 3 \(line 5 of people.jsonl\)") as info:
            datasets.upload(dataset.id, path)
        assert (info.value.row_number, info.value.line) == (3, 5)

    def test_a_line_that_is_not_json_names_its_line(
        self, datasets: Any, dataset: Dataset, tmp_path: Path
    ) -> None:
        path = tmp_path / "people.ndjson"
        path.write_text('{"id": 1}\n{"id": \n')
        with pytest.raises(RowValidationError, match=r"line 2 of people\.ndjson: not valid JSON"):
            datasets.upload(dataset.id, path)

    def test_csv_cells_are_converted_by_the_schema(
        self, datasets: Any, dataset: Dataset, tmp_path: Path
    ) -> None:
        path = tmp_path / "people.csv"
        path.write_text('id,name,score,ok\n1,Ann,1.5,yes\n2,,,\n3,"B, C",7,false\n')
        assert datasets.upload(dataset.id, path).row_count == 3
        assert list(datasets.iter_rows(dataset.id)) == [
            {"id": 1, "name": "Ann", "score": 1.5, "ok": True},
            {"id": 2, "name": ""},
            {"id": 3, "name": "B, C", "score": 7, "ok": False},
        ]

    def test_a_bad_csv_cell_names_its_line_and_column(
        self, datasets: Any, dataset: Dataset, tmp_path: Path
    ) -> None:
        path = tmp_path / "people.csv"
        path.write_text("id,score\n1,2\n2,lots\n")
        with pytest.raises(
            RowValidationError,
            match=r"line 3 of people\.csv: column 'score': 'lots' is not a number",
        ) as info:
            datasets.upload(dataset.id, path, batch_size=1)
        assert (info.value.line, info.value.column, info.value.rows_appended) == (3, "score", 1)

    def test_a_csv_column_missing_from_the_schema_is_refused_by_name(
        self, datasets: Any, dataset: Dataset, tmp_path: Path
    ) -> None:
        path = tmp_path / "people.csv"
        path.write_text("id,colour\n1,red\n")
        with pytest.raises(RowValidationError, match="'colour' is not in the dataset's schema"):
            datasets.upload(dataset.id, path)

    def test_open_files_upload_too(self, datasets: Any, dataset: Dataset) -> None:
        datasets.upload(dataset.id, io.BytesIO(b'{"id": 1}\n'))
        datasets.upload(dataset.id, io.StringIO("id\n2\n"), format="csv")
        datasets.upload(dataset.id, io.BytesIO(b"id\n3\n"), format="csv")
        assert [r["id"] for r in datasets.iter_rows(dataset.id)] == [1, 2, 3]

    def test_an_unknown_format_says_how_to_choose_one(
        self, datasets: Any, dataset: Dataset, tmp_path: Path
    ) -> None:
        path = tmp_path / "rows.txt"
        path.write_text("{}\n")
        with pytest.raises(CLIValidationError, match=r"name it \.jsonl or \.csv"):
            datasets.upload(dataset.id, path)
        with pytest.raises(CLIValidationError, match="format must be"):
            datasets.upload(dataset.id, io.BytesIO(b""), format="xml")

    def test_a_missing_or_non_utf8_file_is_a_clear_error(
        self, datasets: Any, dataset: Dataset, tmp_path: Path
    ) -> None:
        with pytest.raises(CLIValidationError, match="cannot read"):
            datasets.upload(dataset.id, tmp_path / "absent.jsonl")
        path = tmp_path / "latin1.csv"
        path.write_bytes("id,name\n1,caf\xe9\n".encode("latin-1"))
        with pytest.raises(CLIValidationError, match="not UTF-8"):
            datasets.upload(dataset.id, path)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.dictionaries(st.text(max_size=8), json_values, max_size=4), max_size=12))
def test_any_json_objects_round_trip_through_a_schemaless_dataset(
    flow_client_inprocess: CLIClient, rows: list[dict[str, Any]]
) -> None:
    datasets = flow_client_inprocess.datasets
    free = datasets.create(name="free")
    datasets.append_rows(free.id, rows, batch_size=5)
    assert list(datasets.iter_rows(free.id, page_size=4)) == rows


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dataset_id=st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and "\x00" not in s))
def test_any_id_is_one_path_segment_and_a_missing_one_is_404(
    flow_client_inprocess: CLIClient, dataset_id: str
) -> None:
    with pytest.raises(CLIClientError) as info:
        flow_client_inprocess.datasets.get(dataset_id)
    # a missing dataset is 404; an id that cannot be a path segment is refused before
    # sending; one holding a control character is refused by the platform (422)
    assert (
        isinstance(info.value, CLINotFoundError)
        or info.value.status_code is None
        or (
            info.value.status_code == 422
            and any(ord(c) < 32 or 127 <= ord(c) <= 159 for c in dataset_id)
        )
    )


def test_a_long_generator_streams_in_bounded_memory(flow_client_inprocess: CLIClient) -> None:
    """20 MB of rows go through with a small fraction of that ever held in memory."""
    import tracemalloc

    datasets = flow_client_inprocess.datasets
    target = datasets.create(name="big")
    count, payload = 4000, "x" * 5000
    rows = ({"id": i, "payload": payload + str(i)} for i in range(count))
    tracemalloc.start()
    try:
        result = datasets.append_rows(target.id, rows, batch_size=20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.row_count == count
    assert result.bytes > 20_000_000
    assert peak < result.bytes / 4, f"peak {peak / 1e6:.1f} MB for {result.bytes / 1e6:.1f} MB"


def test_the_openapi_document_describes_the_routes(flow_client: CLIClient) -> None:
    document = flow_client._client.request_json("GET", "/openapi.json")
    rows = document["paths"]["/api/v1/orgs/{org_id}/workspaces/{workspace_id}/datasets/{id}/rows"]
    assert set(rows) >= {"get", "post"}
    assert "application/x-ndjson" in rows["post"]["requestBody"]["content"]
    schemas = document["components"]["schemas"]
    assert {"DatasetOut", "DatasetCreate", "RowsAppended", "RowsPage"} <= set(schemas)
    assert set(schemas["DatasetOut"]["properties"]) >= {"id", "schema", "row_count", "version"}


class _LoseFirstResponses(httpx.BaseTransport):
    """A network that delivers each request but loses the first ``count`` responses."""

    def __init__(self, inner: httpx.BaseTransport, count: int) -> None:
        self.inner = inner
        self.remaining = count
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)  # the platform has done the work
        if request.method == "POST" and request.url.path.endswith("/rows"):
            self.sent.append(request.headers["idempotency-key"])
            if self.remaining > 0:
                self.remaining -= 1
                response.close()
                raise httpx.RemoteProtocolError("connection lost before the response")
        return response


def test_a_batch_whose_response_was_lost_is_retried_and_stored_once(local_platform: Any) -> None:
    from flow_sdk.testing import SleepRecorder
    from flow_sdk_local import LocalTransport

    network = _LoseFirstResponses(LocalTransport(local_platform.platform), count=2)
    client = local_platform.client(transport=network, sleep=SleepRecorder())
    target = client.datasets.create(name="retried", schema=SCHEMA)
    result = client.datasets.append_rows(target.id, people(30), batch_size=10)
    assert result.row_count == 30
    assert client.datasets.get(target.id).row_count == 30
    assert list(client.datasets.iter_rows(target.id)) == list(people(30))
    # the first batch was sent three times, under one key; each batch has its own key
    assert len(network.sent) == 5
    assert network.sent[0] == network.sent[1] == network.sent[2]
    assert len(set(network.sent)) == 3


csv_rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(-(2**63), 2**63 - 1),
            "name": st.text(alphabet=st.characters(exclude_categories=("Cs",))),
            "score": st.none() | st.floats(allow_nan=False, allow_infinity=False),
            "ok": st.none() | st.booleans(),
        }
    ),
    max_size=8,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=csv_rows)
def test_typed_rows_written_as_csv_come_back_as_they_were(
    flow_client_inprocess: CLIClient, tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    import csv
    import uuid

    datasets = flow_client_inprocess.datasets
    target = datasets.create(name="csv", schema=SCHEMA)
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "score", "ok"])
        for row in rows:
            cells = {k: "" if v is None else v for k, v in row.items()}
            cells["score"] = "" if row["score"] is None else repr(row["score"])
            cells["ok"] = "" if row["ok"] is None else str(row["ok"]).lower()
            writer.writerow([cells["id"], cells["name"], cells["score"], cells["ok"]])
    datasets.upload(target.id, path, batch_size=3)
    expected = [{k: v for k, v in row.items() if v is not None} for row in rows]
    assert list(datasets.iter_rows(target.id)) == expected
