"""Splitting and classifying SQL with sqlglot: no database involved."""

from __future__ import annotations

import pytest
from flow_sdk_connectors._sql import SqlRefused, check_read_only, classify, split_statements
from hypothesis import given, settings
from hypothesis import strategies as st

DIALECTS = ["sqlite", "postgres"]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("sql", "kind", "destructive"),
    [
        ("CREATE TABLE t (a int)", "create", False),
        ("CREATE TABLE IF NOT EXISTS t (a int PRIMARY KEY)", "create", False),
        ("CREATE INDEX i ON t (a)", "create", False),
        ("CREATE VIEW v AS SELECT 1 AS x", "create", False),
        ("CREATE OR REPLACE VIEW v AS SELECT 1 AS x", "create", True),
        ("DROP TABLE t", "drop", True),
        ("DROP INDEX i", "drop", True),
        ("ALTER TABLE t ADD COLUMN b text", "alter", False),
        ("ALTER TABLE t DROP COLUMN b", "alter", True),
        ("ALTER TABLE t RENAME TO u", "rename", False),
        ("ALTER TABLE t RENAME COLUMN a TO b", "rename", False),
        ("TRUNCATE TABLE t", "truncate", True),
        ("INSERT INTO t VALUES (1)", "insert", False),
        ("SELECT 1", "select", False),
        ("DELETE FROM t", "delete", False),
        ("BEGIN", "transaction", False),
    ],
)
def test_classify_kinds(dialect: str, sql: str, kind: str, destructive: bool) -> None:
    [statement] = classify(sql, dialect)
    assert (statement.sql, statement.kind, statement.destructive) == (sql, kind, destructive)
    assert statement.is_ddl == (kind in {"create", "drop", "alter", "rename", "truncate"})


@pytest.mark.parametrize(
    ("sql", "kind", "destructive"),
    [
        ("COMMENT ON TABLE t IS 'x'", "comment", False),
        ("ALTER TABLE t ALTER COLUMN a TYPE bigint", "alter", True),
        ("ALTER TABLE t ALTER COLUMN a SET DEFAULT 1", "alter", False),
        ("ALTER TABLE t DROP CONSTRAINT c", "alter", True),
        ("ALTER TABLE t ADD COLUMN x int, DROP COLUMN y", "alter", True),
        ("CREATE EXTENSION IF NOT EXISTS pgcrypto", "create", False),
        ("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", "create", False),
    ],
)
def test_classify_postgres_specifics(sql: str, kind: str, destructive: bool) -> None:
    [statement] = classify(sql, "postgres")
    assert (statement.kind, statement.destructive) == (kind, destructive)


def test_split_keeps_semicolons_inside_strings_and_bodies() -> None:
    sql = """
        CREATE TABLE a (b text DEFAULT ';');   -- a comment; with a semicolon
        CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;
        DROP TABLE "x;y"
    """
    pieces = split_statements(sql, "postgres")
    assert pieces == [
        "CREATE TABLE a (b text DEFAULT ';')",
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql",
        'DROP TABLE "x;y"',
    ]


def test_split_keeps_a_sqlite_trigger_whole() -> None:
    sql = (
        "CREATE TABLE t (a int);\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; UPDATE t SET a = 2; END;\n"
        "CREATE INDEX i ON t (a);"
    )
    pieces = split_statements(sql, "sqlite")
    assert len(pieces) == 3
    assert pieces[1].startswith("CREATE TRIGGER")
    assert pieces[1].endswith("END")
    assert [s.kind for s in classify(sql, "sqlite")] == ["create", "create", "create"]


@pytest.mark.parametrize("sql", ["", "   ", ";;", "-- only a comment"])
def test_classify_refuses_no_statement(sql: str) -> None:
    with pytest.raises(SqlRefused, match="no statement"):
        classify(sql, "sqlite")


def test_classify_refuses_garbage_with_position() -> None:
    with pytest.raises(SqlRefused, match="could not parse"):
        classify("CREATE TABLE (", "sqlite")


identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda s: s not in {"select", "table", "from", "to", "on", "in", "is", "as", "or", "and"}
)
literals = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="'"),
    max_size=20,
)


@st.composite
def ddl_batches(draw: st.DrawFn) -> list[tuple[str, str, bool]]:
    templates = [
        ("CREATE TABLE {n} (c text DEFAULT '{lit}')", "create", False),
        ("DROP TABLE {n}", "drop", True),
        ("ALTER TABLE {n} ADD COLUMN c text", "alter", False),
        ("ALTER TABLE {n} RENAME TO {n}_x", "rename", False),
        ("CREATE INDEX {n}_i ON {n} (c)", "create", False),
    ]
    chosen = draw(st.lists(st.sampled_from(templates), min_size=1, max_size=6))
    return [
        (template.format(n=draw(identifiers), lit=draw(literals)), kind, destructive)
        for template, kind, destructive in chosen
    ]


@settings(max_examples=60, deadline=None)
@given(batch=ddl_batches(), dialect=st.sampled_from(DIALECTS))
def test_classify_any_batch(batch: list[tuple[str, str, bool]], dialect: str) -> None:
    sql = ";\n".join(statement for statement, _, _ in batch) + ";"
    result = classify(sql, dialect)
    assert [(s.sql, s.kind, s.destructive) for s in result] == batch


@settings(max_examples=150, deadline=None)
@given(sql=st.text(max_size=80), dialect=st.sampled_from(DIALECTS))
def test_arbitrary_text_is_classified_or_refused(sql: str, dialect: str) -> None:
    outcomes = []
    for check in (classify, check_read_only):
        try:
            outcomes.append(check(sql, dialect))
        except SqlRefused as exc:
            outcomes.append(str(exc))
    statements, read_only = outcomes
    assert statements  # a non-empty list, or a non-empty reason
    if isinstance(statements, list):
        assert all(s.sql and s.kind for s in statements)
    assert read_only


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM t WHERE a = 1",
        "SELECT 1 UNION SELECT 2",
        "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "VALUES (1)",
        "SELECT count(*) FROM t GROUP BY a HAVING count(*) > 1",
    ],
)
def test_read_only_accepts_reads(dialect: str, sql: str) -> None:
    assert check_read_only(sql + ";", dialect) == sql


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("INSERT INTO t VALUES (1)", "INSERT"),
        ("UPDATE t SET a = 1", "UPDATE"),
        ("DELETE FROM t", "DELETE"),
        ("DROP TABLE t", "DROP"),
        ("CREATE TABLE u (a int)", "CREATE"),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DELETE"),
        ("SELECT * INTO x FROM t", "INTO"),
        ("SELECT * FROM t FOR UPDATE", "LOCK"),
        ("PRAGMA user_version = 5", "PRAGMA"),
        ("BEGIN", "TRANSACTION"),
        ("SELECT 1; SELECT 2", "exactly one statement"),
        ("", "exactly one statement"),
    ],
)
def test_read_only_refuses_writes(dialect: str, sql: str, says: str) -> None:
    with pytest.raises(SqlRefused, match=says):
        check_read_only(sql, dialect)


def test_postgres_placeholders_parse() -> None:
    assert check_read_only("SELECT * FROM t WHERE a = %s AND b = %(b)s", "postgres")
    assert check_read_only("SELECT * FROM t WHERE a = ? AND b = :b", "sqlite")
