"""The pure parts of flow-sdk-datasets: schema checks, CSV cells, batching, file readers."""

from __future__ import annotations

import io
import json
import pickle

import msgspec
import pytest
from flow_sdk import CLIValidationError
from flow_sdk_datasets import Column, DatasetSchema, RowValidationError
from flow_sdk_datasets._batching import RowEncodeError, iter_batches
from flow_sdk_datasets._readers import FileRowError, file_format, read_csv, read_jsonl
from flow_sdk_datasets._schema import convert_cell, row_problem, schema_from
from hypothesis import given, settings
from hypothesis import strategies as st

SCHEMA = DatasetSchema(
    columns=[
        Column(name="id", type="integer", required=True),
        Column(name="name", type="string"),
        Column(name="score", type="number"),
        Column(name="ok", type="boolean"),
        Column(name="tags", type="array"),
        Column(name="meta", type="object"),
    ]
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
json_rows = st.dictionaries(st.text(max_size=8), json_values, max_size=5)


class TestSchema:
    def test_a_schema_from_a_column_list_a_mapping_or_a_schema_is_the_same(self) -> None:
        columns = [{"name": "id", "type": "integer", "required": True}]
        assert schema_from(columns) == schema_from({"columns": columns})
        assert schema_from(schema_from(columns)) == schema_from(columns)
        assert schema_from([Column(name="id", type="integer", required=True)]) == schema_from(
            columns
        )
        assert schema_from(None) == DatasetSchema()

    @pytest.mark.parametrize(
        ("raw", "needle"),
        [
            ({"columns": [{"name": "a", "type": "text"}]}, "text"),
            ({"columns": [{"name": "a", "requried": True}]}, "requried"),
            ({"colums": []}, "colums"),
            ({"columns": [{"name": "a"}, {"name": "a"}]}, "named twice"),
            ({"columns": [{"name": ""}]}, "non-empty name"),
            ("id:int", "got text"),
        ],
    )
    def test_a_bad_schema_says_what_is_wrong(self, raw: object, needle: str) -> None:
        with pytest.raises(
            ValueError, match=r"invalid dataset schema|named twice|non-empty"
        ) as info:
            schema_from(raw)  # type: ignore[arg-type]
        assert needle in str(info.value)

    def test_a_fitting_row_has_no_problem(self) -> None:
        row = {"id": 1, "name": "a", "score": 1.5, "ok": True, "tags": [1], "meta": {"k": 1}}
        assert row_problem(SCHEMA, row) is None
        assert row_problem(SCHEMA, {"id": 2, "score": 3}) is None  # int is a number
        assert row_problem(SCHEMA, {"id": 2, "name": None}) is None  # optional may be null

    @pytest.mark.parametrize(
        ("row", "column", "needle"),
        [
            ({"name": "a"}, "id", "'id' is required"),
            ({"id": None}, "id", "'id' is required"),
            ({"id": "1"}, "id", "must be integer, got string"),
            ({"id": True}, "id", "must be integer, got boolean"),
            ({"id": 1.5}, "id", "must be integer, got number"),
            ({"id": 1, "score": False}, "score", "must be number, got boolean"),
            ({"id": 1, "ok": 1}, "ok", "must be boolean, got integer"),
            ({"id": 1, "tags": {}}, "tags", "must be array, got object"),
            ({"id": 1, "meta": []}, "meta", "must be object, got array"),
            ({"id": 1, "extra": 1}, "extra", "not in the dataset's schema"),
        ],
    )
    def test_a_bad_row_names_its_column(
        self, row: dict[str, object], column: str, needle: str
    ) -> None:
        problem = row_problem(SCHEMA, row)
        assert problem is not None
        assert problem[0] == column
        assert needle in problem[1]

    def test_a_row_must_be_an_object(self) -> None:
        assert row_problem(SCHEMA, [1, 2]) == (None, "a row must be a JSON object, got array")
        assert row_problem(DatasetSchema(), "x") == (
            None,
            "a row must be a JSON object, got string",
        )

    @settings(max_examples=30)
    @given(json_rows)
    def test_a_schema_without_columns_takes_any_object(self, row: dict[str, object]) -> None:
        assert row_problem(DatasetSchema(), row) is None


class TestCsvCells:
    @pytest.mark.parametrize(
        ("kind", "text", "value"),
        [
            ("string", "", ""),
            ("string", " 1 ", " 1 "),
            ("integer", " 42 ", 42),
            ("integer", "", None),
            ("number", "42", 42),
            ("number", "1.5e3", 1500.0),
            ("boolean", "Yes", True),
            ("boolean", "0", False),
            ("array", "[1, 2]", [1, 2]),
            ("object", '{"a": 1}', {"a": 1}),
        ],
    )
    def test_cells_become_their_column_type(self, kind: str, text: str, value: object) -> None:
        assert convert_cell(Column(name="c", type=kind), text) == value  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("kind", "text", "needle"),
        [
            ("integer", "1.5", "not an integer"),
            ("number", "abc", "not a number"),
            ("number", "nan", "not a finite number"),
            ("boolean", "maybe", "not a boolean"),
            ("array", "{}", "not a JSON array"),
            ("object", "{", "not JSON"),
        ],
    )
    def test_a_bad_cell_says_what_it_should_be(self, kind: str, text: str, needle: str) -> None:
        with pytest.raises(ValueError, match=needle):
            convert_cell(Column(name="c", type=kind), text)  # type: ignore[arg-type]

    def test_a_column_the_schema_does_not_name_stays_text(self) -> None:
        assert convert_cell(None, "7") == "7"

    @given(st.integers())
    def test_integers_round_trip(self, number: int) -> None:
        assert convert_cell(Column(name="c", type="integer"), str(number)) == number

    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_numbers_round_trip(self, number: float) -> None:
        assert convert_cell(Column(name="c", type="number"), repr(number)) == number


class TestBatching:
    @settings(max_examples=30)
    @given(
        rows=st.lists(json_rows, max_size=40),
        batch_size=st.integers(1, 12),
        max_bytes=st.integers(1, 400),
    )
    def test_batches_hold_every_row_once_in_order_within_their_limits(
        self, rows: list[dict[str, object]], batch_size: int, max_bytes: int
    ) -> None:
        batches = list(
            iter_batches(
                ((r, None) for r in rows), batch_size=batch_size, max_batch_bytes=max_bytes
            )
        )
        decoded = [msgspec.json.decode(line) for b in batches for line in b.body.splitlines()]
        assert decoded == rows
        expected_first = 1
        for index, batch in enumerate(batches):
            assert batch.index == index
            assert batch.first_row == expected_first
            assert 1 <= batch.count <= batch_size
            assert batch.body.count(b"\n") == batch.count
            # only a batch's last row may take it over the byte limit
            assert len(batch.body) - len(batch.body.splitlines()[-1]) - 1 < max_bytes
            expected_first += batch.count

    def test_the_input_is_read_lazily(self) -> None:
        pulled = []

        def rows():  # type: ignore[no-untyped-def]
            for i in range(10):
                pulled.append(i)
                yield {"i": i}, None

        batches = iter_batches(rows(), batch_size=3, max_batch_bytes=1 << 20)
        first = next(batches)
        assert first.count == 3
        assert pulled == [0, 1, 2]

    def test_source_lines_travel_with_the_batch(self) -> None:
        rows = [({"i": 1}, 2), ({"i": 2}, 5), ({"i": 3}, 9)]
        (first, second) = iter_batches(rows, batch_size=2, max_batch_bytes=1 << 20)
        assert first.source_line(2) == 5
        assert second.source_line(1) == 9
        assert second.source_line(2) is None

    def test_a_row_that_cannot_be_json_names_its_position(self) -> None:
        rows = [({"i": 1}, None), ({"i": object()}, None)]
        with pytest.raises(RowEncodeError, match="row 2 cannot be encoded as JSON"):
            list(iter_batches(rows, batch_size=10, max_batch_bytes=100))

    @pytest.mark.parametrize(("size", "max_bytes"), [(0, 10), (10, 0)])
    def test_limits_must_be_positive(self, size: int, max_bytes: int) -> None:
        with pytest.raises(ValueError, match="must be 1 or more"):
            list(iter_batches([], batch_size=size, max_batch_bytes=max_bytes))


class TestReaders:
    def test_jsonl_skips_blank_lines_and_keeps_line_numbers(self) -> None:
        stream = io.BytesIO(b'{"a": 1}\n\n  \n{"a": 2}\n')
        assert list(read_jsonl(stream)) == [({"a": 1}, 1), ({"a": 2}, 4)]

    def test_jsonl_names_the_line_that_is_not_json(self) -> None:
        stream = io.BytesIO(b'{"a": 1}\n{"a": \n')
        with pytest.raises(FileRowError, match="line 2: not valid JSON"):
            list(read_jsonl(stream))

    def test_csv_converts_by_schema_and_counts_multiline_records(self) -> None:
        text = 'id,name,score,ok\n1,"two\nlines",1.5,true\n\n3,,,\n'
        rows = list(read_csv(io.StringIO(text), SCHEMA))
        assert rows == [
            ({"id": 1, "name": "two\nlines", "score": 1.5, "ok": True}, 2),
            ({"id": 3, "name": ""}, 5),
        ]

    def test_csv_names_the_line_and_column_of_a_bad_cell(self) -> None:
        text = "id,score\n1,2\n2,abc\n"
        with pytest.raises(
            FileRowError, match="line 3: column 'score': 'abc' is not a number"
        ) as info:
            list(read_csv(io.StringIO(text), SCHEMA))
        assert info.value.column == "score"

    def test_csv_refuses_a_record_with_the_wrong_number_of_cells(self) -> None:
        with pytest.raises(FileRowError, match="line 2: has 3 cells but the header has 2"):
            list(read_csv(io.StringIO("id,name\n1,a,b\n"), SCHEMA))

    def test_csv_refuses_a_duplicate_header(self) -> None:
        with pytest.raises(FileRowError, match="names column 'id' twice"):
            list(read_csv(io.StringIO("id,id\n1,2\n"), SCHEMA))

    def test_an_empty_csv_has_no_rows(self) -> None:
        assert list(read_csv(io.StringIO(""), SCHEMA)) == []

    @pytest.mark.parametrize(
        ("name", "format", "expected"),
        [
            ("a.jsonl", None, "jsonl"),
            ("a.NDJSON", None, "jsonl"),
            ("a.csv", None, "csv"),
            ("a.txt", "csv", "csv"),
        ],
    )
    def test_the_format_comes_from_the_suffix_or_the_argument(
        self, name: str, format: str | None, expected: str
    ) -> None:
        from pathlib import Path

        assert file_format(Path(name), format) == expected

    def test_an_unknown_suffix_says_how_to_name_the_format(self) -> None:
        from pathlib import Path

        with pytest.raises(ValueError, match=r"name it \.jsonl or \.csv"):
            file_format(Path("rows.txt"), None)
        with pytest.raises(ValueError, match="format must be"):
            file_format(Path("rows.csv"), "xml")


def test_row_validation_error_pickles_with_its_position() -> None:
    error = RowValidationError(
        "row 7: bad", row_number=7, line=9, column="id", rows_appended=5, status_code=422
    )
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, CLIValidationError)
    assert (copy.row_number, copy.line, copy.column, copy.rows_appended, copy.status_code) == (
        7,
        9,
        "id",
        5,
        422,
    )
    assert json.dumps(copy.message)
