"""`flow connectors` and `flow connector-instances`, run through the CLI's main()."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flow_sdk.cli import CLISettings, main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def flow(local_platform: Any, tmp_path: Path) -> Run:
    """Run `flow ARGS…` against the test's local platform: (exit code, stdout, stderr)."""

    def run(*argv: str, output: str = "json", stdin: str = "") -> tuple[int, str, str]:
        environ = {
            "FLOW_PLATFORM_URL": local_platform.url,
            "FLOW_API_KEY": local_platform.api_key,
            "FLOW_ORG_ID": local_platform.org_id,
            "FLOW_WORKSPACE_ID": local_platform.workspace_id,
            "FLOW_OUTPUT": output,
        }
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(
            environ=environ,
            config_dir=tmp_path / "config",
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
        )
        code = main(list(argv), settings=settings)
        return code, out.getvalue(), err.getvalue()

    return run


def _create(flow: Run, path: str) -> str:
    code, out, err = flow(
        "connector-instances", "create",
        "--set", "connector_key=sqlite", "--set", "name=app", "--set", f"config.path={path}",
    )  # fmt: skip
    assert code == 0, err
    return str(json.loads(out)["id"])


def test_connectors_list_and_get(flow: Run) -> None:
    code, out, _ = flow("connectors", "list")
    assert code == 0
    assert [c["key"] for c in json.loads(out)] == ["sqlite", "postgres"]
    code, out, _ = flow("connectors", "list", output="table")
    assert out.splitlines()[0].split() == ["KEY", "NAME", "DIALECT", "AVAILABLE"]
    code, out, _ = flow("connectors", "get", "postgres")
    assert json.loads(out)["secret_fields"] == ["password"]
    code, _, err = flow("connectors", "get", "oracle")
    assert code == 1
    assert "connector 'oracle' not found" in err
    code, _, err = flow("connectors", "create")
    assert code == 2


def test_instance_crud_through_the_cli(flow: Run, tmp_path: Path) -> None:
    body = tmp_path / "instance.json"
    body.write_text(
        json.dumps({"connector_key": "sqlite", "name": "from-file", "config": {"path": "f.db"}})
    )
    code, out, err = flow("connector-instances", "create", "--file", str(body))
    assert code == 0, err
    created = json.loads(out)
    assert (created["scope_type"], created["scope_id"]) == ("workspace", "ws_dev")
    code, out, _ = flow("connector-instances", "list", "--connector-key", "sqlite")
    assert [i["id"] for i in json.loads(out)] == [created["id"]]
    code, out, _ = flow("connector-instances", "list", output="table")
    assert created["id"] in out
    assert "CONNECTOR KEY" in out
    code, out, _ = flow(
        "connector-instances", "update", created["id"], "--set", "name=renamed", "--if-match", "1"
    )
    assert json.loads(out)["name"] == "renamed"
    code, _, err = flow("connector-instances", "update", created["id"], "--set", "name=x",
                        "--if-match", "1")  # fmt: skip
    assert code == 1
    assert "version conflict" in err
    code, out, _ = flow("connector-instances", "get", created["id"])
    assert json.loads(out)["version"] == 2
    code, _, err = flow("connector-instances", "delete", created["id"])
    assert code == 1
    assert "--yes" in err
    code, _, _ = flow("connector-instances", "delete", created["id"], "--yes")
    assert code == 0
    code, _, err = flow("connector-instances", "get", created["id"])
    assert code == 1
    assert "not found" in err


def test_ddl_preview_table_then_confirm(flow: Run, tmp_path: Path) -> None:
    instance = _create(flow, "app.db")
    schema = tmp_path / "schema.sql"
    schema.write_text(
        "CREATE TABLE t (a integer, b text);\n"
        "CREATE INDEX t_a ON t (a);\n"
        "DROP TABLE IF EXISTS old;\n"
    )
    code, out, err = flow(
        "connector-instances", "ddl", instance, "--file", str(schema), output="table"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["SQL", "KIND", "DESTRUCTIVE"]
    assert lines[1].startswith("CREATE TABLE t (a integer, b text)")
    assert lines[1].split()[-2:] == ["create", "false"]
    assert lines[3].split()[-2:] == ["drop", "true"]
    assert "preview only, nothing was run" in err
    assert "--reason" in err

    code, _, err = flow("connector-instances", "ddl", instance, "--file", str(schema), "--confirm")
    assert code == 1
    assert "destructive" in err
    code, out, err = flow(
        "connector-instances", "ddl", instance, "--file", str(schema), "--confirm",
        "--reason", "initial schema", output="table",
    )  # fmt: skip
    assert code == 0, err
    assert "applied 3 statement(s) in one transaction; audit audit_" in err

    code, out, _ = flow("connector-instances", "audit", instance)
    [record] = json.loads(out)
    assert (record["status"], record["reason"], record["actor"]) == (
        "applied",
        "initial schema",
        "usr_dev",
    )
    code, out, _ = flow("connector-instances", "audit", instance, output="table")
    assert "initial schema" in out


def test_ddl_from_stdin_as_json(flow: Run) -> None:
    instance = _create(flow, "stdin.db")
    code, out, err = flow(
        "connector-instances", "ddl", instance, "--file", "-", "--confirm",
        stdin="CREATE TABLE t (a integer);",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["executed"] is True
    assert result["statements"] == [
        {"sql": "CREATE TABLE t (a integer)", "kind": "create", "destructive": False}
    ]


def test_query_and_test_verbs(flow: Run) -> None:
    instance = _create(flow, "q.db")
    code, out, err = flow("connector-instances", "test", instance, output="table")
    assert code == 0, err
    assert "does not exist yet" in out
    flow("connector-instances", "ddl", instance, "--file", "-", "--confirm",
         stdin="CREATE TABLE t (a integer, b text)")  # fmt: skip
    code, out, err = flow(
        "connector-instances", "query", instance,
        "--sql", "SELECT ? AS n, 'x' AS s UNION ALL SELECT 2, 'y'", "--params", "[1]",
        output="table",
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == ["N  S", "1  x", "2  y"]
    code, out, err = flow(
        "connector-instances", "query", instance, "--sql", "SELECT 1 UNION SELECT 2",
        "--max-rows", "1", output="table",
    )  # fmt: skip
    assert "pass --max-rows N to see more" in err
    code, out, _ = flow("connector-instances", "query", instance, "--sql", "SELECT 7 AS v")
    assert json.loads(out)["rows"] == [[7]]
    code, _, err = flow("connector-instances", "query", instance, "--sql", "DELETE FROM t")
    assert code == 1
    assert "read-only" in err
    code, _, err = flow("connector-instances", "query", instance, "--sql", "SELECT 1",
                        "--params", "{nope")  # fmt: skip
    assert code == 1
    assert "--params is not valid JSON" in err


def test_test_verb_exits_1_when_the_connection_fails(flow: Run) -> None:
    code, out, err = flow(
        "connector-instances", "create", "--set", "connector_key=postgres", "--set", "name=pg",
        "--set", "config.dsn=postgresql://u:hunter2hunter2@127.0.0.1:1/db",
        "--set", "config.connect_timeout_s=1",
    )  # fmt: skip
    assert code == 0, err
    assert "hunter2hunter2" not in out
    instance = json.loads(out)["id"]
    code, out, err = flow("connector-instances", "test", instance)
    assert code == 1
    assert json.loads(out)["ok"] is False
    assert "hunter2hunter2" not in out + err
