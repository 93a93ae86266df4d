"""The drivers against real databases: a SQLite file and a PostgreSQL server on loopback."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flow_sdk_connectors._drivers import (
    DdlFailed,
    DriverError,
    PostgresDriver,
    QueryFailed,
    SqliteDriver,
    jsonable,
)
from flow_sdk_connectors._dsn import DsnError, split_dsn
from hypothesis import given, settings
from hypothesis import strategies as st

# DSN splitting


def test_split_dsn_takes_the_password_out() -> None:
    split = split_dsn("postgresql://alice:s%40cret@db.example:5433/app?sslmode=disable")
    assert split.public == "postgresql://alice@db.example:5433/app?sslmode=disable"
    assert split.password == "s@cret"
    assert "s@cret" not in repr(split)


def test_split_dsn_password_in_query() -> None:
    split = split_dsn("postgres://bob@h/db?password=pw&application_name=x")
    assert (split.public, split.password) == ("postgres://bob@h/db?application_name=x", "pw")


def test_split_dsn_without_password() -> None:
    assert split_dsn("postgresql://h/db") == split_dsn("postgresql://h/db")
    assert split_dsn("postgresql://h/db").password is None


@pytest.mark.parametrize(
    ("dsn", "says"),
    [
        ("", "empty"),
        ("host=h dbname=d password=p", "postgresql:// URL"),
        ("mysql://u:p@h/d", "postgresql:// URL"),
        ("postgresql:///db", "no host"),
        ("postgresql://u:p@h:notaport/d", "not a valid URL"),
    ],
)
def test_split_dsn_refuses(dsn: str, says: str) -> None:
    with pytest.raises(DsnError, match=says) as info:
        split_dsn(dsn)
    assert "p@" not in str(info.value)


passwords = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(password=passwords)
def test_split_dsn_any_password_round_trips(password: str) -> None:
    dsn = f"postgresql://user:{quote(password, safe='')}@127.0.0.1:5432/db"
    split = split_dsn(dsn)
    assert split.password == password
    assert split.public == "postgresql://user@127.0.0.1:5432/db"


# values


def test_jsonable_covers_database_types() -> None:
    value = jsonable(
        [
            Decimal("1.10"),
            b"\x00\x01",
            dt.date(2024, 1, 2),
            dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            dt.timedelta(seconds=90),
            {"a": (1, 2)},
            None,
        ]
    )
    assert value == [
        "1.10",
        "AAE=",
        "2024-01-02",
        "2024-01-02T03:04:05+00:00",
        90.0,
        {"a": [1, 2]},
        None,
    ]


# SQLite


@pytest.fixture
def sqlite_driver(tmp_path: Path) -> SqliteDriver:
    return SqliteDriver(tmp_path / "sub" / "db.sqlite")


def test_sqlite_check_before_and_after_the_file_exists(sqlite_driver: SqliteDriver) -> None:
    before = sqlite_driver.check()
    assert before.ok
    assert "does not exist yet" in before.detail
    sqlite_driver.run_ddl(["CREATE TABLE t (a int)"], timeout_s=5)
    after = sqlite_driver.check()
    assert after.ok
    assert after.detail == "connected"
    assert after.server_version


def test_sqlite_check_reports_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    check = SqliteDriver(path).check()
    assert not check.ok
    assert "not a usable SQLite database" in check.detail


def test_sqlite_ddl_then_query(sqlite_driver: SqliteDriver) -> None:
    sqlite_driver.run_ddl(
        [
            "CREATE TABLE t (a integer, b text)",
            "CREATE INDEX t_a ON t (a)",
        ],
        timeout_s=5,
    )
    with sqlite3.connect(sqlite_driver.path) as conn:
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"r{i}") for i in range(5)])
    result = sqlite_driver.query(
        "SELECT a, b FROM t WHERE a >= ? ORDER BY a", [1], max_rows=3, timeout_s=5
    )
    assert result.columns == ["a", "b"]
    assert result.rows == [[1, "r1"], [2, "r2"], [3, "r3"]]
    assert result.truncated
    named = sqlite_driver.query("SELECT b FROM t WHERE a = :a", {"a": 4}, max_rows=10, timeout_s=5)
    assert (named.rows, named.truncated) == ([["r4"]], False)


def test_sqlite_ddl_is_all_or_nothing(sqlite_driver: SqliteDriver) -> None:
    sqlite_driver.run_ddl(["CREATE TABLE keep (a int)"], timeout_s=5)
    with pytest.raises(DdlFailed) as info:
        sqlite_driver.run_ddl(
            ["CREATE TABLE new1 (a int)", "DROP TABLE keep", "CREATE TABLE keep2 (a int"],
            timeout_s=5,
        )
    assert info.value.index == 2
    with sqlite3.connect(sqlite_driver.path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
    assert names == {"keep"}


def test_sqlite_query_connection_cannot_write(sqlite_driver: SqliteDriver) -> None:
    sqlite_driver.run_ddl(["CREATE TABLE t (a int)"], timeout_s=5)
    # The parser is bypassed here on purpose: the connection itself refuses.
    with pytest.raises(QueryFailed, match=r"readonly|read-only|attempt to write"):
        sqlite_driver.query("INSERT INTO t VALUES (1)", None, max_rows=1, timeout_s=5)
    with pytest.raises(QueryFailed):
        sqlite_driver.query("CREATE TABLE x (a int)", None, max_rows=1, timeout_s=5)


def test_sqlite_query_times_out(sqlite_driver: SqliteDriver) -> None:
    sqlite_driver.run_ddl(["CREATE TABLE t (a int)"], timeout_s=5)
    slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    with pytest.raises(QueryFailed, match="longer than"):
        sqlite_driver.query(slow, None, max_rows=1, timeout_s=0.2)


def test_sqlite_query_on_a_missing_file(sqlite_driver: SqliteDriver) -> None:
    with pytest.raises(DriverError, match="does not exist yet"):
        sqlite_driver.query("SELECT 1", None, max_rows=1, timeout_s=1)


def test_sqlite_query_bad_params(sqlite_driver: SqliteDriver) -> None:
    sqlite_driver.run_ddl(["CREATE TABLE t (a int)"], timeout_s=5)
    with pytest.raises(QueryFailed):
        sqlite_driver.query("SELECT * FROM t WHERE a = ?", [1, 2], max_rows=1, timeout_s=1)


# PostgreSQL


def _pg(dsn: str) -> PostgresDriver:
    split = split_dsn(dsn)
    return PostgresDriver(split.public, split.password)


def test_postgres_check(postgres_dsn: str) -> None:
    check = _pg(postgres_dsn).check()
    assert check.ok
    assert check.server_version
    assert check.latency_ms > 0


def test_postgres_ddl_query_and_all_or_nothing(postgres_dsn: str) -> None:
    driver = _pg(postgres_dsn)
    driver.run_ddl(["CREATE TABLE t (a int, n numeric, d date)"], timeout_s=10)
    with pytest.raises(DdlFailed) as info:
        driver.run_ddl(
            ["CREATE TABLE t2 (a int)", "DROP TABLE t", "ALTER TABLE missing ADD COLUMN x int"],
            timeout_s=10,
        )
    assert info.value.index == 2
    assert "missing" in info.value.message
    result = driver.query(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() ORDER BY 1",
        None,
        max_rows=10,
        timeout_s=10,
    )
    assert result.rows == [["t"]]
    typed = driver.query(
        "SELECT 1.50::numeric AS n, DATE '2024-01-02' AS d, %s::int AS p",
        [7],
        max_rows=1,
        timeout_s=5,
    )
    assert typed.columns == ["n", "d", "p"]
    assert typed.rows == [["1.50", "2024-01-02", 7]]


def test_postgres_query_runs_in_a_read_only_transaction(postgres_dsn: str) -> None:
    driver = _pg(postgres_dsn)
    driver.run_ddl(["CREATE TABLE t (a int)", "CREATE SEQUENCE s"], timeout_s=10)
    for sql in ("INSERT INTO t VALUES (1)", "SELECT nextval('s')"):
        with pytest.raises(QueryFailed, match="read-only transaction"):
            driver.query(sql, None, max_rows=1, timeout_s=5)


def test_postgres_query_statement_timeout(postgres_dsn: str) -> None:
    with pytest.raises(QueryFailed, match="statement timeout"):
        _pg(postgres_dsn).query("SELECT pg_sleep(5)", None, max_rows=1, timeout_s=0.2)


def test_postgres_wrong_password_never_echoed(postgres_dsn: str) -> None:
    split = split_dsn(postgres_dsn)
    wrong = "Wr0ng-pässwörd-" + "x" * 8
    driver = PostgresDriver(split.public, wrong)
    check = driver.check()
    assert not check.ok
    assert "password authentication failed" in check.detail
    assert wrong not in check.detail
    with pytest.raises(DriverError) as info:
        driver.query("SELECT 1", None, max_rows=1, timeout_s=5)
    assert wrong not in str(info.value)
    assert wrong not in repr(driver)


def test_postgres_unreachable_server(postgres_server_dsn: str) -> None:
    check = PostgresDriver("postgresql://u@127.0.0.1:1/db", "pw", connect_timeout_s=1).check()
    assert not check.ok
    assert "could not connect" in check.detail


def _value_roundtrip(driver: PostgresDriver, value: Any) -> Any:
    return driver.query("SELECT %s AS v", [value], max_rows=1, timeout_s=5).rows[0][0]


def test_postgres_params_round_trip(postgres_dsn: str) -> None:
    driver = _pg(postgres_dsn)
    assert _value_roundtrip(driver, "it's; fine") == "it's; fine"
    assert _value_roundtrip(driver, 12) == 12
