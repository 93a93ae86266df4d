"""`flow connectors` and `flow connector-instances`, run through the CLI's main()."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

Run = Callable[..., tuple[int, str, str]]  # flow-sdk-local's flow_cli fixture


def _create(flow_cli: Run, path: str) -> str:
    code, out, err = flow_cli(
        "connector-instances", "create",
        "--set", "connector_key=sqlite", "--set", "name=app", "--set", f"config.path={path}",
    )  # fmt: skip
    assert code == 0, err
    return str(json.loads(out)["id"])


def test_connectors_list_and_get(flow_cli: Run) -> None:
    code, out, _ = flow_cli("connectors", "list")
    assert code == 0
    assert [c["key"] for c in json.loads(out)] == ["sqlite", "postgres"]
    code, out, _ = flow_cli("connectors", "list", FLOW_OUTPUT="table")
    assert out.splitlines()[0].split() == ["KEY", "NAME", "DIALECT", "AVAILABLE"]
    code, out, _ = flow_cli("connectors", "get", "postgres")
    assert json.loads(out)["secret_fields"] == ["password"]
    code, _, err = flow_cli("connectors", "get", "oracle")
    assert code == 1
    assert "connector 'oracle' not found" in err
    code, _, err = flow_cli("connectors", "create")
    assert code == 2


def test_instance_crud_through_the_cli(flow_cli: Run, tmp_path: Path) -> None:
    body = tmp_path / "instance.json"
    body.write_text(
        json.dumps({"connector_key": "sqlite", "name": "from-file", "config": {"path": "f.db"}})
    )
    code, out, err = flow_cli("connector-instances", "create", "--file", str(body))
    assert code == 0, err
    created = json.loads(out)
    assert (created["scope_type"], created["scope_id"]) == ("workspace", "ws_dev")
    code, out, _ = flow_cli("connector-instances", "list", "--connector-key", "sqlite")
    assert [i["id"] for i in json.loads(out)] == [created["id"]]
    code, out, _ = flow_cli("connector-instances", "list", FLOW_OUTPUT="table")
    assert created["id"] in out
    assert "CONNECTOR KEY" in out
    code, out, _ = flow_cli(
        "connector-instances", "update", created["id"], "--set", "name=renamed", "--if-match", "1"
    )
    assert json.loads(out)["name"] == "renamed"
    code, _, err = flow_cli("connector-instances", "update", created["id"], "--set", "name=x",
                        "--if-match", "1")  # fmt: skip
    assert code == 1
    assert "version conflict" in err
    code, out, _ = flow_cli("connector-instances", "get", created["id"])
    assert json.loads(out)["version"] == 2
    code, _, err = flow_cli("connector-instances", "delete", created["id"])
    assert code == 1
    assert "--yes" in err
    code, _, _ = flow_cli("connector-instances", "delete", created["id"], "--yes")
    assert code == 0
    code, _, err = flow_cli("connector-instances", "get", created["id"])
    assert code == 1
    assert "not found" in err


def test_ddl_preview_table_then_confirm(flow_cli: Run, tmp_path: Path) -> None:
    instance = _create(flow_cli, "app.db")
    schema = tmp_path / "schema.sql"
    schema.write_text(
        "CREATE TABLE t (a integer, b text);\n"
        "CREATE INDEX t_a ON t (a);\n"
        "DROP TABLE IF EXISTS old;\n"
    )
    code, out, err = flow_cli(
        "connector-instances", "ddl", instance, "--file", str(schema), FLOW_OUTPUT="table"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["SQL", "KIND", "DESTRUCTIVE"]
    assert lines[1].startswith("CREATE TABLE t (a integer, b text)")
    assert lines[1].split()[-2:] == ["create", "false"]
    assert lines[3].split()[-2:] == ["drop", "true"]
    assert "preview only, nothing was run" in err
    assert "--reason" in err

    code, _, err = flow_cli(
        "connector-instances", "ddl", instance, "--file", str(schema), "--confirm"
    )
    assert code == 1
    assert "destructive" in err
    code, out, err = flow_cli(
        "connector-instances", "ddl", instance, "--file", str(schema), "--confirm",
        "--reason", "initial schema", FLOW_OUTPUT="table",
    )  # fmt: skip
    assert code == 0, err
    assert "applied 3 statement(s) in one transaction; audit audit_" in err

    code, out, _ = flow_cli("connector-instances", "audit", instance)
    [record] = json.loads(out)
    assert (record["status"], record["reason"], record["actor"]) == (
        "applied",
        "initial schema",
        "usr_dev",
    )
    code, out, _ = flow_cli("connector-instances", "audit", instance, FLOW_OUTPUT="table")
    assert "initial schema" in out
    code, out, _ = flow_cli("connector-instances", "audit", instance, "--jsonl")
    assert [json.loads(line) for line in out.splitlines()] == [record]


def test_ddl_from_stdin_as_json(flow_cli: Run) -> None:
    instance = _create(flow_cli, "stdin.db")
    code, out, err = flow_cli(
        "connector-instances", "ddl", instance, "--file", "-", "--confirm",
        stdin="CREATE TABLE t (a integer);",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["executed"] is True
    assert result["statements"] == [
        {"sql": "CREATE TABLE t (a integer)", "kind": "create", "destructive": False}
    ]


def test_query_and_test_verbs(flow_cli: Run) -> None:
    instance = _create(flow_cli, "q.db")
    code, out, err = flow_cli("connector-instances", "test", instance, FLOW_OUTPUT="table")
    assert code == 0, err
    assert "does not exist yet" in out
    flow_cli("connector-instances", "ddl", instance, "--file", "-", "--confirm",
         stdin="CREATE TABLE t (a integer, b text)")  # fmt: skip
    code, out, err = flow_cli(
        "connector-instances", "query", instance,
        "--sql", "SELECT ? AS n, 'x' AS s UNION ALL SELECT 2, 'y'", "--params", "[1]",
        FLOW_OUTPUT="table",
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == ["N  S", "1  x", "2  y"]
    code, out, err = flow_cli(
        "connector-instances", "query", instance, "--sql", "SELECT 1 UNION SELECT 2",
        "--max-rows", "1", FLOW_OUTPUT="table",
    )  # fmt: skip
    assert "pass --max-rows N to see more" in err
    code, out, _ = flow_cli("connector-instances", "query", instance, "--sql", "SELECT 7 AS v")
    assert json.loads(out)["rows"] == [[7]]
    code, _, err = flow_cli("connector-instances", "query", instance, "--sql", "DELETE FROM t")
    assert code == 1
    assert "read-only" in err
    code, _, err = flow_cli("connector-instances", "query", instance, "--sql", "SELECT 1",
                        "--params", "{nope")  # fmt: skip
    assert code == 1
    assert "--params is not valid JSON" in err


def test_test_verb_exits_1_when_the_connection_fails(flow_cli: Run) -> None:
    code, out, err = flow_cli(
        "connector-instances", "create", "--set", "connector_key=postgres", "--set", "name=pg",
        "--set", "config.dsn=postgresql://u:hunter2hunter2@127.0.0.1:1/db",
        "--set", "config.connect_timeout_s=1",
    )  # fmt: skip
    assert code == 0, err
    assert "hunter2hunter2" not in out
    instance = json.loads(out)["id"]
    code, out, err = flow_cli("connector-instances", "test", instance)
    assert code == 1
    assert json.loads(out)["ok"] is False
    assert "hunter2hunter2" not in out + err
