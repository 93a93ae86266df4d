"""execute_ddl end to end on SQLite and PostgreSQL, through the local platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flow_sdk import CLIValidationError

SCHEMA = """
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, total numeric);
CREATE INDEX orders_by_customer ON orders (customer_id);
"""


def test_preview_classifies_and_touches_nothing(database: Any, tmp_path: Path) -> None:
    result = database.ddl(SCHEMA + "DROP TABLE IF EXISTS legacy;")
    assert result.executed is False
    assert result.audit_id is None
    assert [(s.kind, s.destructive) for s in result.statements] == [
        ("create", False),
        ("create", False),
        ("create", False),
        ("drop", True),
    ]
    assert result.statements[0].sql.startswith("CREATE TABLE customers")
    assert result.reason_required is True
    if database.dialect == "sqlite":
        assert not Path(database.instance.config["path"]).exists()
    else:
        assert database.tables() == []
    assert list(database.client.connector_instances.audit(database.id)) == []


def test_confirm_runs_everything_and_audits(database: Any) -> None:
    result = database.ddl(SCHEMA, confirm=True, reason="initial schema")
    assert result.executed is True
    assert result.audit_id
    assert database.tables() == ["customers", "orders"]
    [record] = database.client.connector_instances.audit(database.id)
    assert record.id == result.audit_id
    assert record.status == "applied"
    assert record.actor == "usr_dev"
    assert (record.scope_type, record.scope_id) == ("workspace", "ws_dev")
    assert record.reason == "initial schema"
    assert [s.kind for s in record.statements] == ["create", "create", "create"]
    assert record.created_at is not None


def test_a_failing_statement_applies_nothing(database: Any) -> None:
    database.ddl("CREATE TABLE keep (a integer)", confirm=True)
    batch = (
        "CREATE TABLE new_one (a integer);\n"
        "DROP TABLE keep;\n"
        "ALTER TABLE does_not_exist ADD COLUMN b text;\n"
    )
    with pytest.raises(CLIValidationError) as info:
        database.ddl(batch, confirm=True, reason="try it")
    assert info.value.code == "ddl_failed"
    assert "statement 3 failed" in info.value.message
    assert "nothing was applied" in info.value.message
    assert database.tables() == ["keep"]
    failed, applied = database.client.connector_instances.audit(database.id)
    assert (failed.status, applied.status) == ("failed", "applied")
    assert failed.error is not None
    assert "statement 3" in failed.error


def test_destructive_needs_a_reason(database: Any) -> None:
    database.ddl("CREATE TABLE t (a integer)", confirm=True)
    for reason in (None, "", "   "):
        with pytest.raises(CLIValidationError) as info:
            database.ddl("DROP TABLE t", confirm=True, reason=reason)
        assert info.value.code == "reason_required"
        assert "--reason" in info.value.message
    assert database.tables() == ["t"]
    result = database.ddl("DROP TABLE t", confirm=True, reason="no longer used")
    assert result.executed
    assert database.tables() == []


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t VALUES (1)",
        "CREATE TABLE u (a integer); DELETE FROM t",
        "SELECT * FROM t",
        "BEGIN; CREATE TABLE u (a integer); COMMIT",
    ],
)
def test_anything_but_ddl_is_refused(database_inprocess: Any, sql: str) -> None:
    database_inprocess.ddl("CREATE TABLE t (a integer)", confirm=True)
    for confirm in (False, True):
        with pytest.raises(CLIValidationError) as info:
            database_inprocess.ddl(sql, confirm=confirm, reason="x")
        assert info.value.status_code == 422
        assert info.value.code == "not_ddl"
    assert database_inprocess.tables() == ["t"]


@pytest.mark.parametrize("sql", ["", "  ;  ", "CREATE TABLE (", "CREATE TABLE t (a integer"])
def test_unparseable_sql_is_refused(database_inprocess: Any, sql: str) -> None:
    with pytest.raises(CLIValidationError) as info:
        database_inprocess.ddl(sql)
    assert info.value.code == "invalid_sql"


def test_the_reference_execute_ddl_uses_the_same_route(database_inprocess: Any) -> None:
    client = database_inprocess.client
    preview = client.execute_ddl(database_inprocess.id, "CREATE TABLE t (a integer)")
    assert preview == {
        "executed": False,
        "statements": [
            {"sql": "CREATE TABLE t (a integer)", "kind": "create", "destructive": False}
        ],
        "reason_required": False,
        "audit_id": None,
    }
    done = client.execute_ddl(database_inprocess.id, "CREATE TABLE t (a integer)", confirm=True)
    assert done["executed"] is True
    assert done["audit_id"].startswith("audit_")
    assert database_inprocess.tables() == ["t"]


def test_rename_alter_and_comment_kinds(database_inprocess: Any) -> None:
    database_inprocess.ddl("CREATE TABLE t (a integer)", confirm=True)
    batch = "ALTER TABLE t ADD COLUMN b text; ALTER TABLE t RENAME TO u"
    if database_inprocess.dialect == "postgres":
        batch += "; COMMENT ON TABLE u IS 'renamed'"
    result = database_inprocess.ddl(batch, confirm=True)
    kinds = [s.kind for s in result.statements]
    assert kinds[:2] == ["alter", "rename"]
    assert not any(s.destructive for s in result.statements)
    assert database_inprocess.tables() == ["u"]


def test_scope_must_match_the_instance(database_inprocess: Any, local_platform: Any) -> None:
    client = database_inprocess.client
    with pytest.raises(CLIValidationError) as info:
        client.connector_instances.execute_ddl(
            database_inprocess.id,
            "CREATE TABLE t (a integer)",
            scope_type="org",
            scope_id="org_dev",
        )
    assert info.value.code == "scope_mismatch"
    with pytest.raises(CLIValidationError) as info:
        client.connector_instances.execute_ddl(
            database_inprocess.id, "CREATE TABLE t (a integer)", scope_type="galaxy"
        )
    assert info.value.status_code == 422


def test_an_org_instance_is_usable_from_its_workspaces(
    flow_client_inprocess: Any, tmp_path: Path
) -> None:
    client = flow_client_inprocess
    instance = client.connector_instances.create(
        connector_key="sqlite",
        name="shared",
        config={"path": str(tmp_path / "shared.db")},
        scope_type="org",
    )
    assert (instance.scope_type, instance.scope_id) == ("org", "org_dev")
    from_workspace = client.connector_instances.execute_ddl(
        instance.id, "CREATE TABLE t (a integer)", confirm=True
    )
    from_org = client.connector_instances.execute_ddl(
        instance.id,
        "CREATE TABLE u (a integer)",
        confirm=True,
        scope_type="org",
        scope_id="org_dev",
    )
    assert from_workspace.executed
    assert from_org.executed
    scopes = [(r.scope_type, r.scope_id) for r in client.connector_instances.audit(instance.id)]
    assert scopes == [("org", "org_dev"), ("workspace", "ws_dev")]


def test_audit_pages_newest_first(flow_client_inprocess: Any, tmp_path: Path) -> None:
    client = flow_client_inprocess
    instance = client.connector_instances.create(
        connector_key="sqlite", name="a", config={"path": str(tmp_path / "a.db")}
    )
    for n in range(5):
        client.connector_instances.execute_ddl(
            instance.id, f"CREATE TABLE t{n} (a integer)", confirm=True
        )
    records = list(client.connector_instances.audit(instance.id, page_size=2))
    assert [r.statements[0].sql for r in records] == [
        f"CREATE TABLE t{n} (a integer)" for n in reversed(range(5))
    ]
    assert [
        r.statements[0].sql for r in client.connector_instances.audit(instance.id, limit=1)
    ] == ["CREATE TABLE t4 (a integer)"]
