"""A DSN password is stored apart and never comes back: not in a body, an error or a log."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec
import pytest
from flow_sdk import CLIValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

passwords = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=8, max_size=30
)
INSTANCES = "/api/v1/connectors/instances"


def _raw(client: Any, method: str, path: str, **kwargs: Any) -> bytes:
    """The response body as sent by the platform (bytes, before any decoding)."""
    response = client._client.request(method, path, **kwargs)
    return bytes(response.content)


def _store_text(local_platform: Any) -> dict[str, str]:
    """Every table of the platform's store, dumped to text."""
    dumped: dict[str, str] = {}
    with local_platform.store.transaction(write=False) as tx:
        tables = [
            row[0]
            for row in tx.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        ]
        for table in tables:
            rows = tx.execute(f'SELECT * FROM "{table}"').fetchall()
            dumped[table] = "\n".join("\t".join(str(value) for value in row) for row in rows)
    return dumped


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(password=passwords)
def test_a_password_never_leaves_the_secrets_table(
    flow_client_inprocess: Any,
    local_platform: Any,
    postgres_server_dsn: str,
    caplog: pytest.LogCaptureFixture,
    password: str,
) -> None:
    encoded = quote(password, safe="")
    assume(password.strip())
    server = urlsplit(postgres_server_dsn)
    dsn = f"postgresql://flow_test:{encoded}@{server.hostname}:{server.port}/flow_test"
    client = flow_client_inprocess
    caplog.set_level(logging.DEBUG)
    bodies = []

    created = client.connector_instances.create(
        connector_key="postgres", name="pg", config={"dsn": dsn, "connect_timeout_s": 5}
    )
    item = f"{INSTANCES}/{created.id}"
    bodies.append(_raw(client, "GET", item))
    bodies.append(_raw(client, "GET", INSTANCES))
    bodies.append(_raw(client, "PATCH", item, json={"name": "renamed"}))
    bodies.append(_raw(client, "POST", f"{item}/test"))  # the wrong password: auth fails
    bodies.append(
        _raw(client, "POST", INSTANCES, json={
            "connector_key": "postgres", "name": "pw-field", "scope_id": "ws_dev",
            "config": {"dsn": f"postgresql://flow_test@{server.hostname}/x", "password": password},
        })
    )  # fmt: skip
    errors = []
    for bad in (
        {"dsn": f"postgresql://flow_test:{encoded}@h:notaport/db"},
        {"dsn": f"host=h password={password}"},
        {"dsn": dsn, "password": 12},
        {"dsn": dsn, "unexpected": password},
    ):
        with pytest.raises(CLIValidationError) as info:
            client.connector_instances.create(connector_key="postgres", name="bad", config=bad)
        errors.append(str(info.value) + repr(info.value) + repr(info.value.detail))

    test = client.connector_instances.test(created.id)
    assert not test.ok
    assert "password authentication failed" in test.detail
    for text in [*(b.decode() for b in bodies), *errors, caplog.text, repr(created)]:
        assert password not in text
        assert encoded not in text
    assert created.secret_fields == ["password"]
    # stored apart: only the secrets table holds it
    forms = (password, msgspec.json.encode(password).decode()[1:-1])  # raw, or inside JSON
    holding = [
        t for t, dump in _store_text(local_platform).items() if any(f in dump for f in forms)
    ]
    assert holding == ["connector_secrets"]
    client.connector_instances.delete(created.id)


def test_deleting_an_instance_deletes_its_secret(
    flow_client_inprocess: Any, local_platform: Any
) -> None:
    instances = flow_client_inprocess.connector_instances
    password = "Very-Secret-Password-42"
    created = instances.create(
        connector_key="postgres",
        name="pg",
        config={"dsn": f"postgresql://u:{password}@127.0.0.1:1/db"},
    )
    assert any(password in dump for dump in _store_text(local_platform).values())
    instances.delete(created.id)
    assert not any(password in dump for dump in _store_text(local_platform).values())


def test_a_new_password_replaces_the_old_one(
    flow_client_inprocess: Any, local_platform: Any, postgres_server_dsn: str
) -> None:
    instances = flow_client_inprocess.connector_instances
    server = urlsplit(postgres_server_dsn)
    wrong = f"postgresql://flow_test:nope-nope@{server.hostname}:{server.port}/flow_test"
    created = instances.create(connector_key="postgres", name="pg", config={"dsn": wrong})
    assert not instances.test(created.id).ok
    instances.update(created.id, config={"dsn": postgres_server_dsn})
    assert instances.test(created.id).ok
    assert not any("nope-nope" in dump for dump in _store_text(local_platform).values())
