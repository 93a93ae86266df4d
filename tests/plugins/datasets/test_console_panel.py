"""The "Datasets" console panel over plain HTTP: listing, schema, rows paged by keyset
(fast at 200,000 rows), escaping, and a cut cell keeping its full value in its title."""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any

import pytest
from flow_sdk_datasets._console import CELL_CHARS, cell, schema_summary
from flow_sdk_local.console import next_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WS = "org=org_dev&ws=ws_dev"
SCHEMA = [
    {"name": "id", "type": "integer", "required": True},
    {"name": "name", "type": "string"},
    {"name": "tags", "type": "array"},
]


def _cells(page: str, first: int) -> list[str]:
    """The cells after the ``#`` of the row numbered ``first`` in the rows table."""
    found = re.search(rf"<tr><td>{first}</td>(.*?)</tr>", page)
    assert found, page
    return re.findall(r"<td>(.*?)</td>", found.group(1))


def test_the_listing_shows_count_schema_and_pages(served_platform: Any) -> None:
    sdk = served_platform.client()
    people = sdk.datasets.create(name="people", schema=SCHEMA, description="who is who")
    sdk.datasets.append_rows(people.id, [{"id": i, "name": f"p{i}"} for i in range(3)])
    for i in range(22):
        sdk.datasets.create(name=f"extra {i:02d}")
    console = served_platform.console()
    first = console.get(f"/console/datasets?{WS}")
    assert first.status_code == 200, first.text
    assert 'aria-current="page">Datasets</a>' in first.text
    row = re.search(rf">people</a></td><td>{people.id}</td>(.*?)</tr>", first.text)
    assert row, first.text
    assert "<td>3</td>" in row.group(1)
    assert "id integer*, name string, tags array" in row.group(1)
    assert ">extra 18</a>" in first.text
    assert ">extra 19</a>" not in first.text
    second = console.get(next_page(first.text)).text
    assert ">extra 21</a>" in second
    assert ">people</a>" not in second
    assert "any JSON object" in second
    assert "Choose an org and a workspace" in console.get("/console/datasets").text


def test_the_detail_shows_the_schema_and_rows(served_platform: Any) -> None:
    sdk = served_platform.client()
    people = sdk.datasets.create(name="people", schema=SCHEMA, description="who is who")
    sdk.datasets.append_rows(
        people.id,
        [{"id": 1, "name": "Ada", "tags": ["x", "y"]}, {"id": 2, "name": None}],
    )
    console = served_platform.console()
    page = console.get(f"/console/datasets?{WS}&id={people.id}").text
    assert "<h2>Dataset people</h2>" in page
    assert "who is who" in page
    assert "<h2>Schema</h2>" in page
    assert "<tr><td>id</td><td>integer</td><td>yes</td><td>no</td></tr>" in page
    assert "<tr><td>tags</td><td>array</td><td>no</td><td>yes</td></tr>" in page
    assert "<h2>Rows 1 to 2 of 2</h2>" in page
    head = '<th scope="col">#</th><th scope="col">id</th><th scope="col">name</th>'
    assert head in page
    assert _cells(page, 1) == ["1", "Ada", html.escape('["x", "y"]')]
    assert _cells(page, 2) == ["2", "", ""]
    assert 'rel="next"' not in page
    back = re.search(r'href="([^"]+)" id="all-datasets"', page)
    assert back
    assert ">people</a>" in console.get(html.unescape(back.group(1))).text


def test_go_to_a_row_then_page_on_from_there(served_platform: Any) -> None:
    sdk = served_platform.client()
    numbers = sdk.datasets.create(name="numbers", schema=[{"name": "n", "type": "integer"}])
    sdk.datasets.append_rows(numbers.id, [{"n": i * 10} for i in range(1, 201)])
    console = served_platform.console()
    there = console.get(f"/console/datasets?{WS}&id={numbers.id}&row=150").text
    assert "<h2>Rows 150 to 169 of 200</h2>" in there
    assert _cells(there, 150) == ["1500"]
    assert 'id="row" value="150"' in there  # the form says where it went
    onwards = console.get(next_page(there)).text  # the next page leaves the jump behind
    assert "<h2>Rows 170 to 189 of 200</h2>" in onwards
    first = re.search(r'href="([^"]+)" id="first-page"', there)
    assert first
    assert "<h2>Rows 1 to 20 of 200</h2>" in console.get(html.unescape(first.group(1))).text
    past = console.get(f"/console/datasets?{WS}&id={numbers.id}&row=999").text
    assert "No more rows." in past
    for nonsense in ("0", "-5", "abc", "9" * 40):
        page = console.get(f"/console/datasets?{WS}&id={numbers.id}&row={nonsense}").text
        assert "<h2>Rows 1 to 20 of 200</h2>" in page, nonsense


def test_a_dataset_without_a_schema_shows_its_rows_keys(served_platform: Any) -> None:
    sdk = served_platform.client()
    loose = sdk.datasets.create(name="loose")
    sdk.datasets.append_rows(loose.id, [{"b": 1}, {"a": {"deep": True}, "b": 2}])
    page = served_platform.console().get(f"/console/datasets?{WS}&id={loose.id}").text
    assert "No columns: any JSON object is a row." in page
    assert '<th scope="col">b</th><th scope="col">a</th>' in page
    assert _cells(page, 2) == ["2", html.escape('{"deep": true}')]


def test_rows_page_by_keyset_and_stay_fast_at_200_000(served_platform: Any) -> None:
    sdk = served_platform.client()
    big = sdk.datasets.create(name="big", schema=SCHEMA)
    sdk.datasets.append_rows(big.id, [{"id": 1, "name": "first through the SDK"}])
    total = 200_000
    # the rest as the append route stores them (its SQL), in one transaction
    with served_platform.store.transaction() as tx:
        tx.conn.executemany(
            "INSERT INTO dataset_rows (dataset_id, seq, data) VALUES (?, ?, ?)",
            ((big.id, n, f'{{"id":{n},"name":"row {n}"}}') for n in range(2, total + 1)),
        )
        tx.execute("UPDATE dataset_stats SET row_count = ? WHERE dataset_id = ?", (total, big.id))
    assert sdk.datasets.get(big.id).row_count == total
    console = served_platform.console()
    url = f"/console/datasets?{WS}&id={big.id}"
    console.get(url)  # warm up
    started = time.perf_counter()
    first = console.get(url).text
    took = time.perf_counter() - started
    assert "<h2>Rows 1 to 20 of 200,000</h2>" in first
    assert _cells(first, 1) == ["1", "first through the SDK", ""]
    assert _cells(first, 20) == ["20", "row 20", ""]
    assert "<td>21</td>" not in first
    second = console.get(next_page(first)).text
    assert "<h2>Rows 21 to 40 of 200,000</h2>" in second
    assert 'id="first-page"' in second
    later = console.get(f"{url}&cursor=150000")
    assert later.status_code == 200
    assert "<h2>Rows 150,001 to 150,020 of 200,000</h2>" in later.text
    assert _cells(later.text, 150_020) == ["150020", "row 150020", ""]
    for junk in ("abc", "9" * 30):
        assert "<h2>Rows 1 to 20 of 200,000</h2>" in console.get(f"{url}&cursor={junk}").text
    last = console.get(f"{url}&cursor={total - 5}").text
    assert "<h2>Rows 199,996 to 200,000 of 200,000</h2>" in last
    assert 'rel="next"' not in last
    listing = console.get(f"/console/datasets?{WS}").text
    assert "<td>200,000</td>" in listing
    assert took < 0.5, f"the first page took {took:.3f} s"


def test_a_long_value_is_cut_and_kept_whole_in_its_title(served_platform: Any) -> None:
    sdk = served_platform.client()
    wide = sdk.datasets.create(name="wide", schema=SCHEMA)
    long_name = "<b>" + "x" * 200 + '"</b>'
    sdk.datasets.append_rows(wide.id, [{"id": 1, "name": long_name}])
    page = served_platform.console().get(f"/console/datasets?{WS}&id={wide.id}").text
    assert "<b>" not in page
    span = re.search(r'<span title="([^"]*)">([^<]*)</span>', page)
    assert span, page
    assert html.unescape(span.group(1)) == long_name
    shown = html.unescape(span.group(2))
    assert shown.endswith("…")
    assert len(shown) == CELL_CHARS


def test_hostile_names_and_values_are_escaped(served_platform: Any) -> None:
    sdk = served_platform.client()
    bad = sdk.datasets.create(
        name="<script>alert(1)</script>",
        description="<img src=x onerror=alert(2)>",
        schema=[{"name": "<i>col</i>", "type": "string"}],
    )
    sdk.datasets.append_rows(bad.id, [{"<i>col</i>": "<script>alert(3)</script>"}])
    console = served_platform.console()
    listing = console.get(f"/console/datasets?{WS}").text
    assert "<script>alert(1)</script>" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    page = console.get(f"/console/datasets?{WS}&id={bad.id}").text
    for raw in ("<script>", "<img", "<i>"):
        assert raw not in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "&lt;i&gt;col&lt;/i&gt;" in page


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.recursive(st.text() | st.integers() | st.booleans(), st.lists, max_leaves=5))
def test_any_cell_is_escaped(value: Any) -> None:
    shown = str(cell(value))
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    assert "<" not in re.sub(r'<span( title="[^"]*")?>|</span>', "", shown)
    if len(text) <= CELL_CHARS:
        assert shown == text  # escaped later by View.table
    else:
        assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == text[: CELL_CHARS - 1] + "…"


def test_unknown_dataset_and_other_workspace_are_not_found(served_platform: Any) -> None:
    sdk = served_platform.client()
    mine = sdk.datasets.create(name="mine")
    console = served_platform.console()
    missing = console.get(f"/console/datasets?{WS}&id=ds_nope")
    assert missing.status_code == 200
    assert 'id="not-found"' in missing.text
    elsewhere = console.get(f"/console/datasets?org=org_dev&ws=ws_other&id={mine.id}").text
    assert 'id="not-found"' in elsewhere


@pytest.mark.parametrize("columns", [0, 3, 8])
def test_schema_summary(columns: int) -> None:
    schema = {"columns": [{"name": f"c{i}", "type": "string"} for i in range(columns)]}
    summary = schema_summary(schema)
    if columns == 0:
        assert summary == "any JSON object"
    elif columns == 3:
        assert summary == "c0 string, c1 string, c2 string"
    else:
        assert summary.endswith("… (+3 more)")


def test_a_post_is_refused(served_platform: Any) -> None:
    sdk = served_platform.client()
    kept = sdk.datasets.create(name="kept")
    console = served_platform.console()
    url = f"/console/datasets?{WS}&id={kept.id}"
    assert console.post(url, data={"action": "delete"}).status_code == 403  # no CSRF token
    assert sdk.datasets.get(kept.id).name == "kept"
