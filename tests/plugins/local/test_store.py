"""The SQLite store: schema versions, unreadable files, migrations, and no lost writes."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from flow_sdk_local import Migration, Store, StoreError, VersionConflict
from flow_sdk_local._store import _CORE_SCHEMA, SCHEMA_VERSION
from hypothesis import given, settings
from hypothesis import strategies as st


def test_in_memory_stores_are_separate():
    a, b = Store(), Store()
    with a.transaction() as tx:
        tx.insert("thing", "", "t1", {"n": 1})
    with b.transaction() as tx:
        assert tx.get("thing", "", "t1") is None


def test_file_store_keeps_data_and_schema_version(tmp_path: Path):
    path = tmp_path / "sub" / "p.sqlite3"
    with Store(path).transaction() as tx:
        tx.insert("thing", "s", "t1", {"n": 1})
    reopened = Store(path)
    assert reopened.schema_version == SCHEMA_VERSION
    with reopened.transaction() as tx:
        assert tx.get("thing", "s", "t1").data == {"n": 1}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert reopened._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_schema_is_refused_with_what_to_do(tmp_path: Path):
    path = tmp_path / "new.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as err:
        Store(path)
    message = str(err.value)
    assert str(path) in message
    assert "schema version 99" in message
    assert "upgrade flow-sdk-local" in message


_PAGE = (
    "EXPLAIN QUERY PLAN SELECT seq FROM documents "
    "WHERE kind = ? AND seq > ? AND scope = ? ORDER BY seq LIMIT ?"
)


def _page_plan(store: Store) -> str:
    """How SQLite reads one list page (the query ``Transaction.list`` builds)."""
    with store.transaction(write=False) as tx:
        return " | ".join(row[-1] for row in tx.execute(_PAGE, ("thing", 0, "s", 50)))


def test_a_list_page_reads_the_scope_index_instead_of_sorting():
    plan = _page_plan(Store())
    assert "documents_by_scope" in plan
    assert "TEMP B-TREE" not in plan


def test_a_version_1_file_is_upgraded_in_place(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)  # the file as flow-sdk-local 0.1 (schema version 1) left it
    for statement in _CORE_SCHEMA:
        conn.execute(statement)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO documents (kind, scope, id, version, data, created_at, updated_at) "
        "VALUES ('thing', 's', 't1', 3, '{\"n\": 1}', 'then', 'later')"
    )
    conn.commit()
    plan = " | ".join(row[-1] for row in conn.execute(_PAGE, ("thing", 0, "s", 50)))
    assert "TEMP B-TREE" in plan  # version 1 sorts the scope for every page
    conn.close()
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION == 2
    assert "documents_by_scope" in _page_plan(store)
    with store.transaction() as tx:
        [doc] = tx.list("thing", "s")
    assert (doc.id, doc.version, doc.data) == ("t1", 3, {"n": 1})
    store.close()
    assert Store(path).schema_version == SCHEMA_VERSION  # opening it again changes nothing


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError) as err:
        Store(path)
    assert str(path) in str(err.value)
    assert "flow local init" in str(err.value)


def _insert_then_fail(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert("thing", "", "t1", {})
        raise RuntimeError("boom")


def _nested_then_fail(store: Store) -> None:
    with store.transaction() as outer:
        outer.insert("thing", "", "a", {})
        with store.transaction() as inner:
            inner.insert("thing", "", "b", {})
        raise RuntimeError("undo both")


def test_transaction_rolls_back_on_error():
    store = Store()
    with pytest.raises(RuntimeError):
        _insert_then_fail(store)
    with store.transaction() as tx:
        assert tx.get("thing", "", "t1") is None


def test_nested_transactions_join_the_outer_one():
    store = Store()
    with pytest.raises(RuntimeError):
        _nested_then_fail(store)
    with store.transaction() as tx:
        assert tx.list("thing", "") == []


def test_update_with_a_stale_version_conflicts():
    store = Store()
    with store.transaction() as tx:
        tx.insert("thing", "", "t", {"n": 1})
        tx.update("thing", "", "t", {"n": 2}, expected_version=1)
        with pytest.raises(VersionConflict) as err:
            tx.update("thing", "", "t", {"n": 3}, expected_version=1)
        assert err.value.current == 2
        assert tx.update("thing", "", "missing", {}) is None


def test_list_filters_and_pages():
    store = Store()
    with store.transaction() as tx:
        for i in range(5):
            tx.insert("thing", "s", f"t{i}", {"name": "even" if i % 2 == 0 else "odd"})
        tx.insert("thing", "other", "x", {"name": "even"})
        evens = tx.list("thing", "s", where={"name": "even"})
        assert [d.id for d in evens] == ["t0", "t2", "t4"]
        page = tx.list("thing", "s", after=evens[0].seq, limit=2)
        assert [d.id for d in page] == ["t1", "t2"]
        assert len(tx.list("thing", None)) == 6


TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
"""What a name can hold (the platform refuses control characters in names)."""


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(st.text(TEXT, max_size=12), min_size=1, max_size=8),
    needle=st.text(TEXT, max_size=4),
)
def test_list_finds_text_a_field_contains_in_any_case(names: list[str], needle: str) -> None:
    store = Store()
    with store.transaction() as tx:
        for i, name in enumerate(names):
            tx.insert("thing", "s", f"t{i}", {"name": name, "n": i})
        tx.insert("thing", "s", "no-name", {"n": -1})  # no such field: never found
        found = [d.id for d in tx.list("thing", "s", contains={"name": needle})]
    fold = str.casefold
    if not needle:  # no condition at all
        assert found == [*(f"t{i}" for i in range(len(names))), "no-name"]
    else:
        assert found == [f"t{i}" for i, name in enumerate(names) if fold(needle) in fold(name)]


def test_migrations_run_once_and_again_after_wipe(tmp_path: Path):
    path = tmp_path / "m.sqlite3"
    migration = Migration("test-001", "CREATE TABLE extra (k TEXT PRIMARY KEY);")
    store = Store(path)
    assert store.migrate([migration]) == ["test-001"]
    assert store.migrate([migration]) == []
    with store.transaction() as tx:
        tx.execute("INSERT INTO extra VALUES ('a')")
    store.wipe()
    with store.transaction() as tx:
        assert tx.execute("SELECT count(*) FROM extra").fetchone()[0] == 0
    assert Store(path).migrate([migration]) == []


def test_function_migration():
    calls = []

    def apply(conn):
        calls.append(conn)
        conn.execute("CREATE TABLE f (x INTEGER)")

    store = Store()
    store.migrate([Migration("f-001", apply)])
    store.migrate([Migration("f-001", apply)])
    assert len(calls) == 1


def _bump(store: Store, times: int) -> None:
    for _ in range(times):
        with store.transaction() as tx:
            doc = tx.get("counter", "", "c")
            tx.update("counter", "", "c", {"n": doc.data["n"] + 1})


def test_threads_lose_no_updates(tmp_path: Path):
    store = Store(tmp_path / "threads.sqlite3")
    with store.transaction() as tx:
        tx.insert("counter", "", "c", {"n": 0})
    threads = [threading.Thread(target=_bump, args=(store, 50)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.transaction() as tx:
        doc = tx.get("counter", "", "c")
    assert doc.data["n"] == 200
    assert doc.version == 201


WORKER = textwrap.dedent(
    """
    import sys
    from flow_sdk_local import Store
    store = Store(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        with store.transaction() as tx:
            doc = tx.get("counter", "", "c")
            tx.update("counter", "", "c", {"n": doc.data["n"] + 1})
    """
)


def test_processes_and_threads_together_lose_no_updates(tmp_path: Path):
    path = tmp_path / "procs.sqlite3"
    store = Store(path)
    with store.transaction() as tx:
        tx.insert("counter", "", "c", {"n": 0})
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(path), "40"], env=os.environ.copy())
        for _ in range(3)
    ]
    threads = [threading.Thread(target=_bump, args=(store, 40)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    with store.transaction() as tx:
        assert tx.get("counter", "", "c").data["n"] == 200


def test_a_database_held_too_long_by_another_writer_is_explained(tmp_path: Path):
    path = tmp_path / "held.sqlite3"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another process"):
            Store(path, busy_timeout=0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
