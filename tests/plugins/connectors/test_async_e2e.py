"""client.connectors and client.connector_instances on AsyncCLIClient, end to end.

The same namespace code as the sync tests, awaited, through the local platform
in-process and over the socket (``async_flow_client`` runs in both modes).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLIValidationError,
)
from flow_sdk_connectors.models import (
    ConnectionTestResult,
    Connector,
    ConnectorInstance,
    DdlAuditRecord,
    DdlResult,
    QueryResult,
)

pytestmark = pytest.mark.anyio

TABLES = "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"


async def _sqlite(client: Any, tmp_path: Path, name: str = "db", **fields: Any) -> Any:
    return await client.connector_instances.create(
        connector_key="sqlite", name=name, config={"path": str(tmp_path / f"{name}.db")}, **fields
    )


# the catalog


async def test_catalog_list_and_get(async_flow_client: Any) -> None:
    connectors = async_flow_client.connectors
    listed = [c async for c in connectors.list()]
    assert [c.key for c in listed] == ["sqlite", "postgres"]
    assert all(isinstance(c, Connector) for c in listed)
    pages = [page async for page in connectors.list(page_size=1).pages()]
    assert [[c.key for c in page.items] for page in pages] == [["sqlite"], ["postgres"]]
    assert [c.key for c in await connectors.list(limit=1).to_list()] == ["sqlite"]
    first = await connectors.list().first()
    assert first is not None
    assert first.key == "sqlite"

    sqlite = await connectors.get("sqlite")
    assert isinstance(sqlite, Connector)
    assert sqlite.config_schema["required"] == ["path"]
    postgres = await connectors.get("postgres")
    assert postgres.secret_fields == ["password"]
    raw = await connectors.get.with_raw_response("sqlite")
    assert raw.status_code == 200
    assert raw.parse() == sqlite


async def test_catalog_errors(async_flow_client: Any) -> None:
    with pytest.raises(CLINotFoundError, match="the catalog has postgres, sqlite") as info:
        await async_flow_client.connectors.get("oracle")
    assert info.value.status_code == 404
    with pytest.raises(ValueError, match="page_size must be between 1 and 500"):
        async_flow_client.connectors.list(page_size=0)
    with pytest.raises(CLIClientError, match="key is empty"):
        await async_flow_client.connectors.get("")


# instances: create, get, list, update, delete


async def test_instance_lifecycle(async_flow_client: Any) -> None:
    instances = async_flow_client.connector_instances
    created = await instances.create(
        connector_key="sqlite", name="app", config={"path": "app.db"}, description="main db"
    )
    assert isinstance(created, ConnectorInstance)
    assert created.id.startswith("conn_")
    assert (created.scope_type, created.scope_id, created.version) == ("workspace", "ws_dev", 1)
    assert await instances.get(created.id) == created
    assert [i.id async for i in instances.list()] == [created.id]

    renamed = await instances.update(created.id, name="app-main", if_match=1)
    assert (renamed.name, renamed.version, renamed.description) == ("app-main", 2, "main db")
    moved = await instances.update(created.id, {"config": {"path": "other.db"}})
    assert (moved.config, moved.version) == ({"path": "other.db"}, 3)

    await instances.delete(created.id, if_match=3)
    with pytest.raises(CLINotFoundError):
        await instances.get(created.id)
    assert await instances.list().to_list() == []


async def test_list_by_scope_connector_and_page(async_flow_client: Any) -> None:
    instances = async_flow_client.connector_instances
    ws = await instances.create(connector_key="sqlite", name="ws", config={"path": "ws.db"})
    org = await instances.create(
        {"connector_key": "sqlite", "name": "org", "config": {"path": "org.db"}},
        scope_type="org",
    )
    assert (org.scope_type, org.scope_id) == ("org", "org_dev")
    pg = await instances.create(
        connector_key="postgres", name="pg", config={"dsn": "postgresql://u@127.0.0.1:1/db"}
    )

    async def ids(**filters: Any) -> list[str]:
        return [i.id async for i in instances.list(**filters)]

    assert await ids() == [ws.id, org.id, pg.id]
    assert await ids(scope_type="workspace") == [ws.id, pg.id]
    assert await ids(scope_type="org") == [org.id]
    assert await ids(scope_type="org", scope_id="org_dev") == [org.id]
    assert await ids(connector_key="postgres") == [pg.id]
    assert await ids(limit=2) == [ws.id, org.id]
    pages = [len(page.items) async for page in instances.list(page_size=2).pages()]
    assert pages == [2, 1]
    with pytest.raises(CLIClientError, match="scope_id needs scope_type"):
        instances.list(scope_id="ws_dev")


async def test_create_is_idempotent_with_a_key(async_flow_client: Any) -> None:
    instances = async_flow_client.connector_instances
    body = {"connector_key": "sqlite", "name": "a", "config": {"path": "a.db"}}
    first, again = await asyncio.gather(
        instances.create(body, idempotency_key="k-1"),
        instances.create(body, idempotency_key="k-1"),
    )
    assert again.id == first.id
    assert len(await instances.list().to_list()) == 1
    with pytest.raises(CLIConflictError):
        await instances.create({**body, "name": "b"}, idempotency_key="k-1")


async def test_a_stale_if_match_is_409(async_flow_client: Any) -> None:
    instances = async_flow_client.connector_instances
    created = await instances.create(connector_key="sqlite", name="a", config={"path": "a.db"})
    await instances.update(created.id, name="b")
    with pytest.raises(CLIConflictError, match="current version is 2") as info:
        await instances.update(created.id, name="c", if_match=1)
    assert info.value.status_code == 409
    with pytest.raises(CLIConflictError):
        await instances.delete(created.id, if_match=1)
    assert (await instances.get(created.id)).name == "b"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"connector_key": "oracle", "name": "x", "config": {}}, "unknown connector 'oracle'"),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": ":memory:"}}, "in-memory"),
        ({"connector_key": "postgres", "name": "x", "config": {"dsn": "host=h"}}, "postgresql://"),
    ],
)
async def test_bad_bodies_are_422(async_flow_client: Any, body: dict[str, Any], says: str) -> None:
    instances = async_flow_client.connector_instances
    with pytest.raises(CLIValidationError, match=says) as info:
        await instances.create(body)
    assert info.value.status_code == 422
    assert await instances.list().to_list() == []


async def test_a_missing_instance_is_404_for_every_method(async_flow_client: Any) -> None:
    instances = async_flow_client.connector_instances
    calls = (
        instances.get("conn_missing"),
        instances.update("conn_missing", name="x"),
        instances.delete("conn_missing"),
        instances.test("conn_missing"),
        instances.query("conn_missing", "SELECT 1"),
        instances.execute_ddl("conn_missing", "CREATE TABLE t (a int)"),
        instances.audit("conn_missing").to_list(),
    )
    for call in calls:
        with pytest.raises(CLINotFoundError, match="connector instance 'conn_missing' not found"):
            await call


# test, query, execute_ddl, audit


async def test_test_query_ddl_and_audit_on_sqlite(async_flow_client: Any, tmp_path: Path) -> None:
    instances = async_flow_client.connector_instances
    db = await _sqlite(async_flow_client, tmp_path)
    check = await instances.test(db.id)
    assert isinstance(check, ConnectionTestResult)
    assert check.ok
    assert "does not exist yet" in check.detail

    schema = "CREATE TABLE t (a integer, b text); DROP TABLE IF EXISTS legacy"
    preview = await instances.execute_ddl(db.id, schema)
    assert isinstance(preview, DdlResult)
    assert (preview.executed, preview.reason_required) == (False, True)
    assert [(s.kind, s.destructive) for s in preview.statements] == [
        ("create", False),
        ("drop", True),
    ]
    for reason in (None, ""):  # an empty reason is not sent, so it is missing
        with pytest.raises(CLIValidationError) as info:
            await instances.execute_ddl(db.id, schema, confirm=True, reason=reason)
        assert info.value.code == "reason_required"
    done = await instances.execute_ddl(db.id, schema, confirm=True, reason="first schema")
    assert done.executed
    assert done.audit_id

    result = await instances.query(db.id, TABLES)
    assert isinstance(result, QueryResult)
    assert result.rows == [["t"]]
    await instances.execute_ddl(db.id, "CREATE TABLE u (a integer)", confirm=True, scope_id="")
    positional = await instances.query(db.id, "SELECT ? AS x, ? AS y", [1, "a"])
    assert (positional.columns, positional.rows) == (["x", "y"], [[1, "a"]])
    named = await instances.query(db.id, "SELECT :v AS v", {"v": 2.5}, timeout_s=5)
    assert named.rows == [[2.5]]
    capped = await instances.query(
        db.id, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9) "
        "SELECT i FROM n", max_rows=3,
    )  # fmt: skip
    assert (capped.row_count, capped.truncated) == (3, True)

    records = [r async for r in instances.audit(db.id)]
    assert all(isinstance(r, DdlAuditRecord) for r in records)
    assert [r.status for r in records] == ["applied", "applied"]
    assert [(r.scope_type, r.scope_id) for r in records] == [("workspace", "ws_dev")] * 2
    assert records[1].id == done.audit_id
    assert records[1].reason == "first schema"
    assert records[0].reason is None
    assert [r.id async for r in instances.audit(db.id, page_size=1)] == [r.id for r in records]
    assert [r.id for r in await instances.audit(db.id, limit=1).to_list()] == [records[0].id]


async def test_refused_sql_is_422(async_flow_client: Any, tmp_path: Path) -> None:
    instances = async_flow_client.connector_instances
    db = await _sqlite(async_flow_client, tmp_path)
    await instances.execute_ddl(db.id, "CREATE TABLE t (a integer)", confirm=True)
    for confirm in (False, True):
        with pytest.raises(CLIValidationError) as info:
            await instances.execute_ddl(db.id, "INSERT INTO t VALUES (1)", confirm=confirm)
        assert (info.value.status_code, info.value.code) == (422, "not_ddl")
    with pytest.raises(CLIValidationError) as info:
        await instances.execute_ddl(db.id, "CREATE TABLE (")
    assert info.value.code == "invalid_sql"
    with pytest.raises(CLIValidationError) as info:
        await instances.query(db.id, "DELETE FROM t")
    assert info.value.status_code == 422
    with pytest.raises(CLIValidationError) as info:
        await instances.execute_ddl(
            db.id, "CREATE TABLE u (a integer)", scope_type="org", scope_id="org_dev"
        )
    assert info.value.code == "scope_mismatch"
    assert (await instances.query(db.id, TABLES)).rows == [["t"]]


async def test_a_failing_batch_applies_nothing(async_flow_client: Any, tmp_path: Path) -> None:
    instances = async_flow_client.connector_instances
    db = await _sqlite(async_flow_client, tmp_path)
    batch = "CREATE TABLE a (x integer); ALTER TABLE missing ADD COLUMN y text"
    with pytest.raises(CLIValidationError) as info:
        await instances.execute_ddl(db.id, batch, confirm=True)
    assert info.value.code == "ddl_failed"
    [failed] = await instances.audit(db.id).to_list()
    assert failed.status == "failed"


async def test_an_org_instance_takes_ddl_from_either_scope(
    async_flow_client: Any, tmp_path: Path
) -> None:
    instances = async_flow_client.connector_instances
    shared = await _sqlite(async_flow_client, tmp_path, "shared", scope_type="org")
    await instances.execute_ddl(shared.id, "CREATE TABLE t (a integer)", confirm=True)
    await instances.execute_ddl(
        shared.id, "CREATE TABLE u (a integer)", confirm=True, scope_type="org", scope_id="org_dev"
    )
    scopes = [(r.scope_type, r.scope_id) async for r in instances.audit(shared.id)]
    assert scopes == [("org", "org_dev"), ("workspace", "ws_dev")]


async def test_a_broken_database_reports_instead_of_raising(
    async_flow_client: Any, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 64)
    broken = await async_flow_client.connector_instances.create(
        connector_key="sqlite", name="b", config={"path": str(junk)}
    )
    result = await async_flow_client.connector_instances.test(broken.id)
    assert not result.ok
    assert "not a usable SQLite database" in result.detail


async def test_another_tenant_sees_nothing(async_flow_client: Any, local_platform: Any) -> None:
    mine = await async_flow_client.connector_instances.create(
        connector_key="sqlite", name="mine", config={"path": "app.db"}
    )
    other = local_platform.create_tenant("Rival")
    async with local_platform.async_client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    ) as theirs:
        rival = theirs.connector_instances
        assert await rival.list().to_list() == []
        for call in (
            rival.get(mine.id),
            rival.update(mine.id, name="stolen"),
            rival.delete(mine.id),
            rival.test(mine.id),
            rival.query(mine.id, "SELECT 1"),
            rival.execute_ddl(mine.id, "CREATE TABLE x (a int)", confirm=True),
            rival.audit(mine.id).to_list(),
            rival.list(scope_type="workspace", scope_id="ws_dev").to_list(),
        ):
            with pytest.raises(CLINotFoundError):
                await call
    assert (await async_flow_client.connector_instances.get(mine.id)).name == "mine"


async def test_calls_on_several_instances_run_concurrently(
    async_flow_client: Any, tmp_path: Path
) -> None:
    instances = async_flow_client.connector_instances
    dbs = await asyncio.gather(*(_sqlite(async_flow_client, tmp_path, f"db{n}") for n in range(4)))
    results = await asyncio.gather(
        *(
            instances.execute_ddl(db.id, f"CREATE TABLE t{n} (a integer)", confirm=True)
            for n, db in enumerate(dbs)
        )
    )
    assert all(r.executed for r in results)
    tables = await asyncio.gather(*(instances.query(db.id, TABLES) for db in dbs))
    assert [t.rows for t in tables] == [[[f"t{n}"]] for n in range(4)]
    checks = await asyncio.gather(*(instances.test(db.id) for db in dbs))
    assert all(c.ok for c in checks)
    audits = await asyncio.gather(*(instances.audit(db.id).to_list() for db in dbs))
    assert [len(a) for a in audits] == [1, 1, 1, 1]


# PostgreSQL


async def test_postgres_end_to_end(async_flow_client: Any, postgres_dsn: str) -> None:
    instances = async_flow_client.connector_instances
    created = await instances.create(
        connector_key="postgres", name="pg", config={"dsn": postgres_dsn}
    )
    assert created.secret_fields == ["password"]
    check = await instances.test(created.id)
    assert check.ok
    assert check.server_version
    await instances.execute_ddl(created.id, "CREATE TABLE t (a int, b text)", confirm=True)
    named = await instances.query(created.id, "SELECT %(n)s::int AS n", {"n": 7})
    assert (named.columns, named.rows) == (["n"], [[7]])
    positional = await instances.query(created.id, "SELECT count(*) AS c FROM t WHERE a = %s", [1])
    assert positional.rows == [[0]]
    with pytest.raises(CLIValidationError):
        await instances.query(created.id, "INSERT INTO t VALUES (1, 'x')")
    updated = await instances.update(created.id, config={"dsn": created.config["dsn"]})
    assert updated.secret_fields == ["password"]
    assert (await instances.test(created.id)).ok
    [record] = await instances.audit(created.id).to_list()
    assert record.status == "applied"


async def test_a_slow_query_does_not_block_the_event_loop(
    async_flow_client: Any, postgres_dsn: str
) -> None:
    instances = async_flow_client.connector_instances
    created = await instances.create(
        connector_key="postgres", name="pg", config={"dsn": postgres_dsn}
    )
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        slow = [instances.query(created.id, "SELECT 1 AS x FROM pg_sleep(0.4)") for _ in range(2)]
        results = await asyncio.gather(*slow)
    finally:
        beat.cancel()
    elapsed = time.monotonic() - started
    assert [r.rows for r in results] == [[[1]], [[1]]]
    assert ticks >= 10, f"the loop ticked only {ticks} times in {elapsed:.2f} s"
