"""The "Connectors" console panel over plain HTTP: instances (paged), never a secret, an
instance's detail and its DDL audit log (newest first, paged), escaping, CSRF."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import pytest
from flow_sdk import CLIValidationError
from flow_sdk_connectors._console import MASK, masked_dsn
from flow_sdk_local.console import next_page
from hypothesis import given, settings
from hypothesis import strategies as st

WS = "org=org_dev&ws=ws_dev"
PASSWORD = "Pa55-word-never-shown"
QUERY_PASSWORD = "Query-pass-9876"
FIELD_PASSWORD = "Field-secret-1234"


def _sqlite(sdk: Any, name: str, path: str = "app.db") -> Any:
    return sdk.connector_instances.create(connector_key="sqlite", name=name, config={"path": path})


def test_the_listing_shows_instances_and_pages(served_platform: Any) -> None:
    sdk = served_platform.client()
    for i in range(22):
        _sqlite(sdk, f"db {i:02d}", f"db{i}.sqlite")
    console = served_platform.console()
    first = console.get(f"/console/connectors?{WS}")
    assert first.status_code == 200, first.text
    assert 'aria-current="page">Connectors</a>' in first.text
    row = re.search(r">db 00</a></td>(.*?)</tr>", first.text)
    assert row, first.text
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert cells[:2] == ["SQLite (sqlite)", "db0.sqlite"]
    assert ">ready</span>" in cells[2]
    assert ">db 19</a>" in first.text
    assert ">db 20</a>" not in first.text
    second = console.get(next_page(first.text)).text
    assert ">db 21</a>" in second
    assert ">db 00</a>" not in second
    assert "Choose an org and a workspace" in console.get("/console/connectors").text


def test_no_password_reaches_any_page(served_platform: Any) -> None:
    sdk = served_platform.client()
    in_dsn = sdk.connector_instances.create(
        connector_key="postgres",
        name="warehouse",
        config={"dsn": f"postgresql://app:{PASSWORD}@db.example.com:5432/sales"},
    )
    in_query = sdk.connector_instances.create(
        connector_key="postgres",
        name="reports",
        config={"dsn": f"postgresql://rep@db.example.com/rep?password={QUERY_PASSWORD}"},
    )
    in_field = sdk.connector_instances.create(
        connector_key="postgres",
        name="billing",
        config={"dsn": "postgresql://bill@127.0.0.1:6543/bill", "password": FIELD_PASSWORD},
    )
    console = served_platform.console()
    pages = [console.get(f"/console/connectors?{WS}").text]
    pages += [
        console.get(f"/console/connectors?{WS}&id={i.id}").text
        for i in (in_dsn, in_query, in_field)
    ]
    for page in pages:
        for secret in (PASSWORD, QUERY_PASSWORD, FIELD_PASSWORD):
            assert secret not in page
            assert quote(secret) not in page
            assert html.escape(secret) not in page
    listing, detail, _, field = pages
    assert "postgresql://app@db.example.com:5432/sales" in listing
    assert "db.example.com" in detail
    assert "<dd>password (stored apart, never shown)</dd>" in detail
    assert "<dd>password (stored apart, never shown)</dd>" in field
    assert "Config: dsn" in field


@settings(max_examples=25, deadline=None)
@given(
    password=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~", min_size=6).map("PW".__add__),
    where=st.sampled_from(["userinfo", "query"]),
)
def test_a_masked_dsn_never_holds_the_password(password: str, where: str) -> None:
    if where == "userinfo":
        dsn = f"postgresql://someone:{password}@host.example:5432/db?sslmode=require"
    else:
        dsn = f"postgresql://someone@host.example/db?password={password}&sslmode=require"
    shown = masked_dsn(dsn)
    assert password not in shown
    assert MASK in shown
    assert "host.example" in shown
    assert "sslmode=require" in shown


def test_text_that_is_no_dsn_is_masked_whole() -> None:
    assert masked_dsn("host=db password=secret") == MASK
    assert masked_dsn("postgresql://u:p@[::1:bad") == MASK


def test_the_detail_shows_the_audit_newest_first_and_paged(served_platform: Any) -> None:
    sdk = served_platform.client()
    instance = _sqlite(sdk, "app database")
    ddl = sdk.connector_instances.execute_ddl
    for i in range(21):
        ddl(instance.id, f"CREATE TABLE t{i:02d} (a integer)", confirm=True)
    ddl(instance.id, "DROP TABLE t00", confirm=True, reason="no longer used")
    with pytest.raises(CLIValidationError, match="statement 1 failed"):  # audited too
        ddl(instance.id, "ALTER TABLE missing ADD COLUMN b text", confirm=True)
    console = served_platform.console()
    page = console.get(f"/console/connectors?{WS}&id={instance.id}").text
    assert "<h2>Instance app database</h2>" in page
    assert f"<dd>{instance.id}</dd>" in page
    assert "<dd>none</dd>" in page  # no secrets
    assert "<h2>DDL audit</h2>" in page
    rows = re.findall(
        r'<tr><td><time datetime="([^"]+)">[^<]+</time></td>'
        r"<td><pre><code>(.*?)</code></pre></td>(.*?)</tr>",
        page,
    )
    assert len(rows) == 20
    first_sql, first_rest = rows[0][1], rows[0][2]
    assert first_sql == "ALTER TABLE missing ADD COLUMN b text;"
    assert ">failed</span>" in first_rest
    assert "Local Developer (usr_dev)" in first_rest
    assert rows[1][1] == "DROP TABLE t00;"
    assert "<td>no longer used</td>" in rows[1][2]
    assert ">applied</span>" in rows[1][2]
    assert rows[2][1] == "CREATE TABLE t20 (a integer);"
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), reverse=True)
    older = console.get(next_page(page)).text
    assert f"id={instance.id}" in next_page(page)
    older_sql = re.findall(r"<pre><code>(.*?)</code></pre>", older)
    assert older_sql == [f"CREATE TABLE t{i:02d} (a integer);" for i in (2, 1, 0)]
    assert 'rel="next"' not in older
    listing = console.get(f"/console/connectors?{WS}").text
    listed = re.search(r">app database</a>.*?</tr>", listing)
    assert listed
    assert ">failed</span>" in listed.group(0)  # the last DDL's outcome


def test_hostile_text_is_escaped(served_platform: Any) -> None:
    sdk = served_platform.client()
    bad = sdk.connector_instances.create(
        connector_key="sqlite",
        name="<script>alert(1)</script>",
        description="<img src=x onerror=alert(2)>",
        config={"path": "<b>odd</b>.db"},
    )
    sdk.connector_instances.execute_ddl(
        bad.id,
        'CREATE TABLE "<i>t</i>" (a integer)',
        confirm=True,
        reason="<script>alert(3)</script>",
    )
    console = served_platform.console()
    listing = console.get(f"/console/connectors?{WS}").text
    assert "<script>alert(1)</script>" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert "&lt;b&gt;odd&lt;/b&gt;.db" in listing
    page = console.get(f"/console/connectors?{WS}&id={bad.id}").text
    for raw in ("<script>", "<img", "<i>", "<b>"):
        assert raw not in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "CREATE TABLE &quot;&lt;i&gt;t&lt;/i&gt;&quot; (a integer);" in page


def test_an_instance_of_another_workspace_is_not_shown(served_platform: Any) -> None:
    sdk = served_platform.client()
    mine = _sqlite(sdk, "mine")
    console = served_platform.console()
    elsewhere = console.get(f"/console/connectors?org=org_dev&ws=ws_other&id={mine.id}").text
    assert 'id="not-found"' in elsewhere
    assert ">mine</a>" not in console.get("/console/connectors?org=org_dev&ws=ws_other").text
    assert 'id="not-found"' in console.get(f"/console/connectors?{WS}&id=conn_nope").text


def test_a_post_is_refused(served_platform: Any) -> None:
    sdk = served_platform.client()
    instance = _sqlite(sdk, "kept")
    console = served_platform.console()
    url = f"/console/connectors?{WS}&id={instance.id}"
    assert console.post(url, data={"action": "delete"}).status_code == 403  # no CSRF token
    assert sdk.connector_instances.get(instance.id).name == "kept"


def test_the_orgs_instances_are_listed_with_the_workspaces(served_platform: Any) -> None:
    sdk = served_platform.client()
    shared = sdk.connector_instances.create(
        connector_key="sqlite",
        name="shared",
        scope_type="org",
        scope_id="org_dev",
        config={"path": "shared.db"},
    )
    own = _sqlite(sdk, "own")
    console = served_platform.console()
    listing = console.get(f"/console/connectors?{WS}").text
    assert listing.index(">shared</a>") < listing.index(">own</a>")  # creation order
    page = console.get(f"/console/connectors?{WS}&id={shared.id}").text
    assert "<dd>org org_dev</dd>" in page
    assert "<dd>workspace ws_dev</dd>" not in page
    assert "<dd>workspace ws_dev</dd>" in console.get(f"/console/connectors?{WS}&id={own.id}").text
