"""Fixtures for the connector tests: a real PostgreSQL server, one fresh schema per test.

The server comes from ``eval "$(bash .ci/postgres.sh)"``, which exports
FLOW_TEST_POSTGRES_DSN. Without it the PostgreSQL tests skip, except under CI,
where they fail: CI must never silently skip them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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
