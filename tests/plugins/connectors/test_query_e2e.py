"""Read-only queries end to end: results, parameters, and refusing anything that writes."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import CLIValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PLACEHOLDER = {"sqlite": ("?", ":name"), "postgres": ("%s", "%(name)s")}


@pytest.fixture
def people(database: Any) -> Any:
    """A people table on each database, reached in-process and over the socket."""
    return _with_people(database)


@pytest.fixture
def people_inprocess(database_inprocess: Any) -> Any:
    """The same, in-process only (for the many refusal cases)."""
    return _with_people(database_inprocess)


def _with_people(database: Any) -> Any:
    database.ddl(
        "CREATE TABLE people (id integer PRIMARY KEY, name text, age integer)", confirm=True
    )
    _insert_people(database)
    return database


def _insert_people(database: Any) -> None:
    rows = [(1, "ada", 36), (2, "alan", 41), (3, "grace", 85)]
    if database.dialect == "sqlite":
        import sqlite3

        with sqlite3.connect(database.instance.config["path"]) as conn:
            conn.executemany("INSERT INTO people VALUES (?, ?, ?)", rows)
    else:
        import psycopg

        with psycopg.connect(database.dsn, autocommit=True) as conn:
            for row in rows:
                conn.execute("INSERT INTO people VALUES (%s, %s, %s)", row)


def test_query_returns_columns_and_rows(people: Any) -> None:
    positional, named = PLACEHOLDER[people.dialect]
    instances = people.client.connector_instances
    result = instances.query(
        people.id, f"SELECT id, name FROM people WHERE age > {positional} ORDER BY id", [40]
    )
    assert result.columns == ["id", "name"]
    assert result.rows == [[2, "alan"], [3, "grace"]]
    assert (result.row_count, result.truncated) == (2, False)
    by_name = instances.query(
        people.id, f"SELECT age FROM people WHERE name = {named.replace('name', 'who')}",
        {"who": "ada"},
    )  # fmt: skip
    assert by_name.rows == [[36]]
    capped = instances.query(people.id, "SELECT id FROM people ORDER BY id", max_rows=2)
    assert (capped.rows, capped.truncated, capped.row_count) == ([[1], [2]], True, 2)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO people VALUES (9, 'eve', 1)",
        "UPDATE people SET age = 0",
        "DELETE FROM people",
        "DROP TABLE people",
        "CREATE TABLE x (a integer)",
        "WITH gone AS (DELETE FROM people RETURNING id) SELECT * FROM gone",
        "SELECT * INTO copy_of_people FROM people",
        "SELECT 1; DELETE FROM people",
    ],
)
def test_writes_are_refused(people_inprocess: Any, sql: str) -> None:
    people = people_inprocess
    with pytest.raises(CLIValidationError) as info:
        people.client.connector_instances.query(people.id, sql)
    assert info.value.status_code == 422
    assert info.value.code == "not_read_only"
    count = people.client.connector_instances.query(people.id, "SELECT count(*) FROM people")
    assert count.rows == [[3]]
    assert people.tables() == ["people"]


def test_postgres_read_only_transaction_stops_what_the_parser_lets_through(
    flow_client_inprocess: Any, postgres_dsn: str
) -> None:
    # nextval() parses as a plain SELECT; the READ ONLY transaction refuses it.
    # (The SQLite side, a read-only connection, is covered in test_drivers.)
    instances = flow_client_inprocess.connector_instances
    created = instances.create(connector_key="postgres", name="pg", config={"dsn": postgres_dsn})
    instances.execute_ddl(created.id, "CREATE SEQUENCE s", confirm=True)
    with pytest.raises(CLIValidationError) as info:
        instances.query(created.id, "SELECT nextval('s')")
    assert info.value.code == "query_failed"
    assert "read-only transaction" in info.value.message


def test_database_errors_are_422_with_the_reason(database_inprocess: Any) -> None:
    database_inprocess.ddl("CREATE TABLE t (a integer)", confirm=True)
    with pytest.raises(CLIValidationError) as info:
        database_inprocess.client.connector_instances.query(
            database_inprocess.id, "SELECT nope FROM t"
        )
    assert info.value.code == "query_failed"
    assert "nope" in info.value.message


@pytest.mark.parametrize(
    "body",
    [{"max_rows": 0}, {"max_rows": 10_001}, {"timeout_s": 0}, {"params": "x"}, {"sql": 1}],
)
def test_bad_query_bodies_are_422(database_inprocess: Any, body: dict[str, Any]) -> None:
    client = database_inprocess.client
    path = f"/api/v1/connectors/instances/{database_inprocess.id}/query"
    with pytest.raises(CLIValidationError):
        client._client.request_json("POST", path, json={"sql": "SELECT 1", **body})


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=values)
def test_any_parameter_round_trips_on_sqlite(
    flow_client_inprocess: Any, tmp_path: Any, value: Any
) -> None:
    instances = flow_client_inprocess.connector_instances
    db = tmp_path / "params.db"
    instance = instances.create(connector_key="sqlite", name="p", config={"path": str(db)})
    if not db.exists():
        instances.execute_ddl(instance.id, "CREATE TABLE t (a integer)", confirm=True)
    result = instances.query(instance.id, "SELECT ? AS v", [value])
    expected = int(value) if isinstance(value, bool) else value
    assert result.rows == [[expected]]
