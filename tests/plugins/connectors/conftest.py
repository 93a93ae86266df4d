"""Fixtures for the connector tests: a real PostgreSQL server, one fresh schema per test.

The server comes from ``eval "$(bash .ci/postgres.sh)"``, which exports
FLOW_TEST_POSTGRES_DSN. Without it the PostgreSQL tests skip, except under CI,
where they fail: CI must never silently skip them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

POSTGRES_HINT = 'start one with: eval "$(bash .ci/postgres.sh)"'


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (CI must run the PostgreSQL tests; {POSTGRES_HINT})")
    pytest.skip(f"{reason}; {POSTGRES_HINT}")


@pytest.fixture(scope="session")
def postgres_server_dsn() -> str:
    """The DSN of the test server (its owner role may create schemas)."""
    dsn = os.environ.get("FLOW_TEST_POSTGRES_DSN", "").strip()
    if not dsn:
        _unavailable("FLOW_TEST_POSTGRES_DSN is not set")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'flow-sdk-connectors[postgres]')")
    return dsn


@pytest.fixture
def postgres_dsn(postgres_server_dsn: str) -> Iterator[str]:
    """A DSN whose search_path is a fresh, empty schema, dropped after the test."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    parts = urlsplit(postgres_server_dsn)
    query = urlencode({"options": f"-csearch_path={schema}"})
    yield urlunsplit(parts._replace(query=query))
    with psycopg.connect(postgres_server_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# instances on the local platform


TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
    "postgres": (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() ORDER BY 1"
    ),
}


class Database:
    """A connector instance on the local platform, and how to look inside its database."""

    def __init__(self, client: Any, instance: Any, dialect: str, dsn: str | None = None) -> None:
        self.dsn = dsn
        self.client = client
        self.instance = instance
        self.dialect = dialect
        self.id = instance.id

    def tables(self) -> list[str]:
        result = self.client.connector_instances.query(self.id, TABLES_SQL[self.dialect])
        return [row[0] for row in result.rows]

    def ddl(self, sql: str, **options: Any) -> Any:
        return self.client.connector_instances.execute_ddl(self.id, sql, **options)


def make_database(request: pytest.FixtureRequest, client: Any, dialect: str, tmp: Path) -> Database:
    dsn = None
    if dialect == "sqlite":
        config = {"path": str(tmp / f"db-{uuid.uuid4().hex[:8]}.sqlite")}
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        config = {"dsn": dsn}
    instance = client.connector_instances.create(
        connector_key=dialect, name=f"{dialect} test", config=config
    )
    return Database(client, instance, dialect, dsn)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, flow_client: Any, tmp_path: Path) -> Database:
    """A fresh database of each kind behind an instance, through ``flow_client`` (both modes)."""
    return make_database(request, flow_client, request.param, tmp_path)


@pytest.fixture(params=["sqlite", "postgres"])
def database_inprocess(
    request: pytest.FixtureRequest, flow_client_inprocess: Any, tmp_path: Path
) -> Database:
    """The same, in-process only (for the finer cases)."""
    return make_database(request, flow_client_inprocess, request.param, tmp_path)
