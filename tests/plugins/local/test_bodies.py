"""Arbitrary bodies: what is stored comes back unchanged; what is malformed is a clean 422."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from flow_sdk_local import LocalPlatform, Store
from flow_sdk_local._store import SCHEMA_VERSION
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import widget_plugin

W = "/api/v1/orgs/org_dev/workspaces/ws_dev/components/widget"
CONTROLS = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

_platform = LocalPlatform("local://memory-bodies", plugins=[widget_plugin])


def _token() -> str:
    reply = _platform.handle(
        "POST",
        "/api/v1/auth/token",
        "",
        {},
        json.dumps({"api_key": _platform.dev_api_key}).encode(),
    )
    return str(json.loads(reply.body)["access_token"])


_headers = {"authorization": f"Bearer {_token()}", "content-type": "application/json"}


@settings(max_examples=60, deadline=None)
@given(
    # names hold no control characters (test_limits.py); descriptions are free text
    name=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters=CONTROLS),
        min_size=1,
        max_size=50,
    ).filter(str.strip),
    description=st.text(max_size=50),
    spec=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
)
def test_any_component_round_trips(name, description, spec):
    body = json.dumps({"name": name, "description": description, "spec": spec}).encode()
    created = _platform.handle("POST", W, "", _headers, body)
    assert created.status == 201, created.body
    component = json.loads(created.body)
    fetched = json.loads(_platform.handle("GET", f"{W}/{component['id']}", "", _headers, b"").body)
    assert (fetched["name"], fetched["description"], fetched["spec"]) == (name, description, spec)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_body_gets_an_answer_never_a_500(body):
    reply = _platform.handle("POST", W, "", _headers, body)
    assert reply.status in (201, 422), reply.body
    if reply.status == 422:
        error = json.loads(reply.body)
        assert error["code"] == "validation_error"
        assert error["detail"]


def test_an_older_schema_is_migrated(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.execute("DROP TABLE idempotency_keys")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION
    with store.transaction() as tx:
        assert tx.execute("SELECT count(*) FROM idempotency_keys").fetchone() == (0,)
