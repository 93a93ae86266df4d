"""The catalog and connector instances end to end: CRUD, scopes, errors, tenant isolation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLIValidationError,
)
from flow_sdk_connectors.models import Connector, ConnectorInstance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# the catalog


def test_catalog_lists_sqlite_and_postgres(flow_client: Any) -> None:
    connectors = list(flow_client.connectors.list())
    assert [c.key for c in connectors] == ["sqlite", "postgres"]
    assert all(isinstance(c, Connector) for c in connectors)
    sqlite = flow_client.connectors.get("sqlite")
    assert sqlite.config_schema["required"] == ["path"]
    assert sqlite.dialect == "sqlite"
    postgres = flow_client.connectors.get("postgres")
    assert postgres.secret_fields == ["password"]
    assert postgres.config_schema["properties"]["password"]["writeOnly"] is True
    assert postgres.available is True  # psycopg is installed in the test environment


def test_catalog_pages_and_unknown_key(flow_client_inprocess: Any) -> None:
    pages = list(flow_client_inprocess.connectors.list(page_size=1).pages())
    assert [[c.key for c in p.items] for p in pages] == [["sqlite"], ["postgres"]]
    with pytest.raises(CLINotFoundError, match="the catalog has postgres, sqlite"):
        flow_client_inprocess.connectors.get("oracle")


# instances: create, get, list, update, delete


def test_instance_lifecycle(flow_client: Any) -> None:
    instances = flow_client.connector_instances
    created = instances.create(
        connector_key="sqlite", name="app", config={"path": "app.db"}, description="main db"
    )
    assert isinstance(created, ConnectorInstance)
    assert created.id.startswith("conn_")
    assert (created.scope_type, created.scope_id) == ("workspace", "ws_dev")
    assert (created.config, created.secret_fields, created.version) == ({"path": "app.db"}, [], 1)
    assert created.created_by == "usr_dev"
    assert instances.get(created.id) == created
    assert [i.id for i in instances.list()] == [created.id]

    renamed = instances.update(created.id, name="app-main", if_match=1)
    assert (renamed.name, renamed.version, renamed.description) == ("app-main", 2, "main db")
    moved = instances.update(created.id, {"config": {"path": "other.db"}})
    assert (moved.config, moved.version, moved.name) == ({"path": "other.db"}, 3, "app-main")

    instances.delete(created.id, if_match=3)
    with pytest.raises(CLINotFoundError):
        instances.get(created.id)
    assert list(instances.list()) == []


def test_list_by_scope_and_connector(flow_client: Any, tmp_path: Path) -> None:
    instances = flow_client.connector_instances
    ws = instances.create(connector_key="sqlite", name="ws", config={"path": "ws.db"})
    org = instances.create(
        connector_key="sqlite", name="org", config={"path": "org.db"}, scope_type="org"
    )
    pg = instances.create(
        connector_key="postgres", name="pg", config={"dsn": "postgresql://u@127.0.0.1:1/db"}
    )
    assert [i.id for i in instances.list()] == [ws.id, org.id, pg.id]
    assert [i.id for i in instances.list(scope_type="workspace")] == [ws.id, pg.id]
    assert [i.id for i in instances.list(scope_type="org")] == [org.id]
    assert [i.id for i in instances.list(scope_type="org", scope_id="org_dev")] == [org.id]
    assert [i.id for i in instances.list(connector_key="postgres")] == [pg.id]
    pages = list(instances.list(page_size=2).pages())
    assert [len(p.items) for p in pages] == [2, 1]
    assert [i.id for i in instances.list(limit=2)] == [ws.id, org.id]
    with pytest.raises(CLIClientError, match="scope_id needs scope_type"):
        instances.list(scope_id="ws_dev")


def test_create_is_idempotent_with_a_key(flow_client: Any) -> None:
    instances = flow_client.connector_instances
    first = instances.create(
        connector_key="sqlite", name="a", config={"path": "a.db"}, idempotency_key="k-1"
    )
    again = instances.create(
        connector_key="sqlite", name="a", config={"path": "a.db"}, idempotency_key="k-1"
    )
    assert again.id == first.id
    assert len(list(instances.list())) == 1
    with pytest.raises(CLIConflictError):
        instances.create(
            connector_key="sqlite", name="b", config={"path": "a.db"}, idempotency_key="k-1"
        )


def test_stale_if_match_is_a_conflict(flow_client: Any) -> None:
    instances = flow_client.connector_instances
    created = instances.create(connector_key="sqlite", name="a", config={"path": "a.db"})
    instances.update(created.id, name="b")
    with pytest.raises(CLIConflictError, match="current version is 2"):
        instances.update(created.id, name="c", if_match=1)
    with pytest.raises(CLIConflictError):
        instances.delete(created.id, if_match=1)
    assert instances.get(created.id).name == "b"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"connector_key": "oracle", "name": "x", "config": {}}, "unknown connector 'oracle'"),
        ({"connector_key": "sqlite", "name": "", "config": {"path": "a"}}, "name"),
        ({"connector_key": "sqlite", "name": "x", "config": {}}, "path"),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": 3}}, "config.path"),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": "a", "x": 1}}, "unknown"),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": ":memory:"}}, "in-memory"),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": "../a.db"}}, "'..'"),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": "file:a.db"}}, "file: URIs"),
        ({"connector_key": "postgres", "name": "x", "config": {}}, "dsn"),
        ({"connector_key": "postgres", "name": "x", "config": {"dsn": "host=h"}}, "postgresql://"),
        (
            {"connector_key": "postgres", "name": "x", "config": {"dsn": "postgresql://h/d",
             "connect_timeout_s": 0}},
            "connect_timeout_s",
        ),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": "a"}, "extra": 1}, "extra"),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": "a"},
          "scope_type": "galaxy"}, "scope_type"),
        ({"connector_key": "sqlite", "name": "x", "config": {"path": "a"}, "scope_id": ""},
         "scope_id"),
    ],
)  # fmt: skip
def test_bad_bodies_are_422(flow_client_inprocess: Any, body: dict[str, Any], says: str) -> None:
    with pytest.raises(CLIValidationError) as info:
        flow_client_inprocess.connector_instances.create(body)
    assert info.value.status_code == 422
    assert says in str(info.value)
    assert list(flow_client_inprocess.connector_instances.list()) == []


def test_bad_update_is_422_and_changes_nothing(flow_client_inprocess: Any) -> None:
    instances = flow_client_inprocess.connector_instances
    created = instances.create(connector_key="sqlite", name="a", config={"path": "a.db"})
    with pytest.raises(CLIValidationError, match="in-memory"):
        instances.update(created.id, config={"path": ":memory:"})
    with pytest.raises(CLIValidationError):
        instances.update(created.id, name="")
    with pytest.raises(CLIValidationError):
        instances.update(created.id, connector_key="postgres")
    assert instances.get(created.id) == created


def test_missing_instance_is_404_everywhere(flow_client_inprocess: Any) -> None:
    instances = flow_client_inprocess.connector_instances
    for call in (
        lambda: instances.get("conn_missing"),
        lambda: instances.update("conn_missing", name="x"),
        lambda: instances.delete("conn_missing"),
        lambda: instances.test("conn_missing"),
        lambda: instances.query("conn_missing", "SELECT 1"),
        lambda: instances.execute_ddl("conn_missing", "CREATE TABLE t (a int)"),
        lambda: list(instances.audit("conn_missing")),
    ):
        with pytest.raises(CLINotFoundError, match="connector instance 'conn_missing' not found"):
            call()


# scopes and tenants


def test_sqlite_path_cannot_reach_the_platform_files(
    flow_client_inprocess: Any, local_platform: Any
) -> None:
    from flow_sdk_connectors._files import connectors_root

    instances = flow_client_inprocess.connector_instances
    mine = instances.create(connector_key="sqlite", name="a", config={"path": "a.db"})
    instances.execute_ddl(mine.id, "CREATE TABLE t (a int)", confirm=True)
    root = connectors_root(local_platform.platform)
    [database] = root.rglob("a.db")
    with pytest.raises(CLIValidationError, match="local platform's own files"):
        instances.create(connector_key="sqlite", name="b", config={"path": str(root / "x.db")})
    # its own file, by absolute path, is fine
    same = instances.create(connector_key="sqlite", name="c", config={"path": str(database)})
    assert instances.query(same.id, "SELECT count(*) FROM t").rows == [[0]]


def test_another_tenant_sees_nothing(local_platform: Any, flow_client: Any) -> None:
    mine = flow_client.connector_instances.create(
        connector_key="sqlite", name="mine", config={"path": "app.db"}
    )
    flow_client.connector_instances.execute_ddl(
        mine.id, "CREATE TABLE secret_t (a int)", confirm=True
    )
    other = local_platform.create_tenant("Rival")
    theirs = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    rival = theirs.connector_instances
    assert list(rival.list()) == []
    for call in (
        lambda: rival.get(mine.id),
        lambda: rival.update(mine.id, name="stolen"),
        lambda: rival.delete(mine.id),
        lambda: rival.test(mine.id),
        lambda: rival.query(mine.id, "SELECT * FROM secret_t"),
        lambda: rival.execute_ddl(mine.id, "DROP TABLE secret_t", confirm=True, reason="x"),
        lambda: list(rival.audit(mine.id)),
        lambda: list(rival.list(scope_type="workspace", scope_id="ws_dev")),
        lambda: list(rival.list(scope_type="org", scope_id="org_dev")),
        lambda: rival.create(
            connector_key="sqlite", name="x", config={"path": "x.db"}, scope_id="ws_dev"
        ),
    ):
        with pytest.raises(CLINotFoundError):
            call()
    # the same relative path is a different file in the other tenant
    own = rival.create(connector_key="sqlite", name="theirs", config={"path": "app.db"})
    rival.execute_ddl(own.id, "CREATE TABLE other_t (a int)", confirm=True)
    tables = "SELECT name FROM sqlite_schema WHERE type = 'table'"
    assert rival.query(own.id, tables).rows == [["other_t"]]
    assert flow_client.connector_instances.query(mine.id, tables).rows == [["secret_t"]]
    assert flow_client.connector_instances.get(mine.id).name == "mine"
    assert [i.id for i in rival.list()] == [own.id]


def test_workspaces_of_one_org_keep_their_own_files(flow_client_inprocess: Any) -> None:
    instances = flow_client_inprocess.connector_instances
    ws = instances.create(connector_key="sqlite", name="ws", config={"path": "same.db"})
    org = instances.create(
        connector_key="sqlite", name="org", config={"path": "same.db"}, scope_type="org"
    )
    instances.execute_ddl(ws.id, "CREATE TABLE in_ws (a int)", confirm=True)
    with pytest.raises(CLIValidationError) as info:
        instances.query(org.id, "SELECT 1")
    assert info.value.code == "connection_failed"
    assert "does not exist yet" in info.value.message


# test


def test_test_reports_instead_of_raising(flow_client: Any, tmp_path: Path) -> None:
    instances = flow_client.connector_instances
    fresh = instances.create(connector_key="sqlite", name="a", config={"path": "a.db"})
    result = instances.test(fresh.id)
    assert result.ok
    assert "does not exist yet" in result.detail
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 64)
    broken = instances.create(connector_key="sqlite", name="b", config={"path": str(junk)})
    result = instances.test(broken.id)
    assert not result.ok
    assert "not a usable SQLite database" in result.detail
    unreachable = instances.create(
        connector_key="postgres",
        name="pg",
        config={"dsn": "postgresql://u:pw@127.0.0.1:1/db", "connect_timeout_s": 1},
    )
    result = instances.test(unreachable.id)
    assert not result.ok
    assert "could not connect" in result.detail


def test_postgres_instance_end_to_end(flow_client: Any, postgres_dsn: str) -> None:
    instances = flow_client.connector_instances
    created = instances.create(connector_key="postgres", name="pg", config={"dsn": postgres_dsn})
    assert created.secret_fields == ["password"]
    assert ":" not in created.config["dsn"].split("@")[0].removeprefix("postgresql://")
    check = instances.test(created.id)
    assert check.ok
    assert check.server_version
    instances.execute_ddl(created.id, "CREATE TABLE t (a int, b text)", confirm=True)
    assert instances.query(created.id, "SELECT count(*) AS n FROM t").to_dict() == {
        "columns": ["n"],
        "rows": [[0]],
        "row_count": 1,
        "truncated": False,
    }
    # a config update without the password keeps the stored one
    dsn_without_password = created.config["dsn"]
    updated = instances.update(created.id, config={"dsn": dsn_without_password})
    assert updated.secret_fields == ["password"]
    assert instances.test(created.id).ok


# arbitrary input

any_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(instance_id=any_text)
def test_any_id_names_no_other_resource(
    flow_client_inprocess: Any, missing_error: Any, instance_id: str
) -> None:
    instances = flow_client_inprocess.connector_instances
    with pytest.raises(missing_error(instance_id)):
        instances.get(instance_id)
    with pytest.raises(missing_error(instance_id)):
        list(instances.audit(instance_id))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=200
    ),
    description=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200),
    path=st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_. -]{0,30}", fullmatch=True),
)
def test_any_name_description_and_path_round_trip(
    flow_client_inprocess: Any, name: str, description: str, path: str
) -> None:
    instances = flow_client_inprocess.connector_instances
    created = instances.create(
        connector_key="sqlite", name=name, description=description, config={"path": path}
    )
    fetched = instances.get(created.id)
    assert (fetched.name, fetched.description, fetched.config) == (
        name,
        description,
        {"path": path},
    )
    instances.delete(created.id)


def test_a_file_backed_platform_keeps_files_beside_its_store(flow_config_dir: Path) -> None:
    from flow_sdk import CLIClient, FlowConfig
    from flow_sdk_local import LocalPlatform, forget_platform, register_platform

    platform = LocalPlatform("local://connectors-files")
    register_platform(platform)
    try:
        info = platform.dev_info()
        config = FlowConfig(
            platform_url=platform.url,
            api_key=info["api_key"] or platform.mint_dev_key(),
            org_id=info["org_id"],
            workspace_id=info["workspace_id"],
        )
        with CLIClient(config) as client:
            instances = client.connector_instances
            created = instances.create(connector_key="sqlite", name="a", config={"path": "a.db"})
            instances.execute_ddl(created.id, "CREATE TABLE t (a int)", confirm=True)
            store = Path(platform.store.path)
            expected = (
                store.parent / "connectors-files.connectors" / "orgs" / "org_dev" / "workspaces"
                / "ws_dev" / "a.db"
            )  # fmt: skip
            assert expected.is_file()
            for target in (store, Path(f"{store}-wal")):
                with pytest.raises(CLIValidationError, match="own files"):
                    instances.create(connector_key="sqlite", name="x", config={"path": str(target)})
            platform.reset()
            assert not expected.exists()
    finally:
        forget_platform(platform.url)
