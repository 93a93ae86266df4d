"""``flow datasets …`` through the CLI's main(), against the local platform."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SCHEMA_SET = '--set=schema={"columns": [{"name": "id", "type": "integer", "required": true}]}'


@pytest.fixture
def dataset_id(flow_cli: Callable[..., Any]) -> str:
    created = flow_cli("datasets", "create", "--set", "name=orders", SCHEMA_SET)
    assert created.code == 0, created.err
    return str(created.json()["id"])


def test_create_list_get_update_delete(flow_cli: Callable[..., Any], dataset_id: str) -> None:
    listed = flow_cli("datasets", "list")
    assert [d["id"] for d in listed.json()] == [dataset_id]
    got = flow_cli("datasets", "get", dataset_id).json()
    assert (got["name"], got["row_count"], got["schema"]["columns"][0]["type"]) == (
        "orders",
        0,
        "integer",
    )
    updated = flow_cli("datasets", "update", dataset_id, "--set", "name=sales", "--if-match", "1")
    assert updated.code == 0
    assert updated.json()["version"] == 2
    stale = flow_cli("datasets", "update", dataset_id, "--set", "name=x", "--if-match", "1")
    assert stale.code == 1
    assert "version" in stale.err
    assert flow_cli("datasets", "list", "--name", "sales").json()[0]["id"] == dataset_id
    assert flow_cli("datasets", "delete", dataset_id, "--yes").code == 0
    missing = flow_cli("datasets", "get", dataset_id)
    assert missing.code == 1
    assert "not found" in missing.err


def test_append_reads_json_lines_from_stdin_quietly_into_a_pipe(
    flow_cli: Callable[..., Any], dataset_id: str
) -> None:
    lines = "".join(f'{{"id": {i}}}\n' for i in range(25))
    result = flow_cli("datasets", "append", dataset_id, "--batch-size", "10", stdin=lines)
    assert result.code == 0, result.err
    assert result.json() == {"rows": 25, "batches": 3, "bytes": 240, "row_count": 25}
    assert result.err == ""  # progress is for terminals only


def test_append_reads_a_file_and_names_a_bad_line(
    flow_cli: Callable[..., Any], dataset_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": 1}\n{"id": "two"}\n')
    result = flow_cli("datasets", "append", dataset_id, "--file", str(path))
    assert result.code == 1
    assert "row 2 (line 2 of rows.jsonl): column 'id' must be integer, got string" in result.err
    assert "hint:" in result.err


def test_an_idempotency_key_makes_a_rerun_safe(
    flow_cli: Callable[..., Any], dataset_id: str
) -> None:
    lines = '{"id": 1}\n{"id": 2}\n'
    for _ in range(2):
        result = flow_cli("datasets", "append", dataset_id, "--idempotency-key", "k1", stdin=lines)
        assert result.code == 0
    assert flow_cli("datasets", "get", dataset_id).json()["row_count"] == 2


def test_upload_a_csv_and_read_the_rows_back(
    flow_cli: Callable[..., Any], dataset_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("id\n" + "".join(f"{i}\n" for i in range(60)))
    uploaded = flow_cli("datasets", "upload", dataset_id, str(path))
    assert uploaded.code == 0, uploaded.err
    assert uploaded.json()["row_count"] == 60

    first = flow_cli("datasets", "rows", dataset_id)
    assert first.json() == [{"id": i} for i in range(50)]
    assert "pass --limit N or --all" in first.err
    assert len(flow_cli("datasets", "rows", dataset_id, "--all").json()) == 60
    assert flow_cli("datasets", "rows", dataset_id, "--limit", "3").json() == [
        {"id": 0},
        {"id": 1},
        {"id": 2},
    ]


def test_upload_with_an_explicit_format(
    flow_cli: Callable[..., Any], dataset_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "rows.txt"
    path.write_text("id\n7\n")
    refused = flow_cli("datasets", "upload", dataset_id, str(path))
    assert refused.code == 1
    assert "--format" in refused.err or "format=" in refused.err
    assert flow_cli("datasets", "upload", dataset_id, str(path), "--format", "csv").code == 0


def test_the_help_lists_the_verbs(
    flow_cli: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    result = flow_cli("datasets", "--help")
    shown = result.out + capsys.readouterr().out  # argparse may print help to sys.stdout
    assert result.code == 0
    for verb in ("list", "get", "create", "update", "delete", "append", "rows", "upload"):
        assert f"    {verb} " in shown


def test_a_schema_given_as_a_column_list_in_the_body_is_accepted(
    flow_cli: Callable[..., Any],
) -> None:
    created = flow_cli(
        "datasets", "create", "--set", "name=t", '--set=schema=[{"name": "a", "type": "integer"}]'
    )
    assert created.code == 0, created.err
    assert created.json()["schema"] == {
        "columns": [{"name": "a", "type": "integer", "required": False}]
    }
