"""Endpoint checks and matching: pure functions, tested without a platform."""

from __future__ import annotations

import string
from typing import Any

import pytest
from flow_sdk_hosted_services.endpoints import (
    check_endpoints,
    match_endpoint,
    normalise_path,
    split_version,
)
from flow_sdk_hosted_services.handlers import handler_inputs, runnable_source
from hypothesis import given
from hypothesis import strategies as st

HANDLER = "def main():\n    return 1\n"


def endpoint(method: str, path: str, handler: str = HANDLER, **more: Any) -> dict[str, Any]:
    return {"method": method, "path": path, "handler": handler, **more}


def problems(*endpoints: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    return [(p.loc, p.message) for p in check_endpoints(list(endpoints))]


def test_a_valid_list_has_no_problems() -> None:
    assert (
        problems(
            endpoint("GET", "/items"),
            endpoint("post", "items"),
            endpoint("GET", "/items/{item_id}"),
            endpoint("DELETE", "/items/{item_id}", timeout_s=5),
            endpoint("GET", "/v/x.y~z-1"),
        )
        == []
    )


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (endpoint("FETCH", "/a"), "method", "must be one of GET, POST"),
        (endpoint("GET", "/"), "path", "at least one segment"),
        (endpoint("GET", ""), "path", "at least one segment"),
        (endpoint("GET", "/versions"), "path", "cannot start with 'versions'"),
        (endpoint("GET", "/v2/items"), "path", "cannot start with 'v2'"),
        (endpoint("GET", "/a b"), "path", "segment 'a b' is not allowed"),
        (endpoint("GET", "/a/../b"), "path", "segment '..' is not allowed"),
        (endpoint("GET", "/{1x}"), "path", "is not allowed"),
        (endpoint("GET", "/{a}/{a}"), "path", "parameter names repeat: a"),
        (endpoint("GET", "/a", handler=""), "handler", "must be Python source code"),
        (endpoint("GET", "/a", handler=None), "handler", "or give code_block_id"),
        (endpoint("GET", "/a", handler=None, code_block_id="cmp_1"), "workspace_id", "needed"),
        (endpoint("GET", "/a", code_block_id="cmp_1", workspace_id="w"), "handler", "not both"),
        (endpoint("GET", "/a", handler=None, code_block_id=""), "code_block_id", "must be"),
        (endpoint("GET", "/a", handler="def main(:"), "handler", "is not valid Python"),
        (endpoint("GET", "/a", handler="x = 1\0"), "handler", "is not valid Python"),
        (endpoint("GET", "/a", timeout_s=0), "timeout_s", "more than 0"),
        (endpoint("GET", "/a", timeout_s=61), "timeout_s", "at most 60"),
        (endpoint("GET", "/a", timeout_s="5"), "timeout_s", "more than 0"),
    ],
)
def test_each_problem_names_its_field(bad: dict[str, Any], field: str, words: str) -> None:
    found = problems(bad)
    assert found, bad
    assert any(loc == (0, field) and words in message for loc, message in found), found


def test_two_endpoints_answering_the_same_request_clash() -> None:
    found = problems(endpoint("GET", "/items/{id}"), endpoint("get", "items/{other}/"))
    assert found == [((1, "path"), "GET /items/{other} answers the same requests as endpoint 0")]
    assert problems(endpoint("GET", "/items/{id}"), endpoint("POST", "/items/{id}")) == []


def test_too_many_endpoints() -> None:
    many = [endpoint("GET", f"/e{i}") for i in range(101)]
    assert any("at most 100" in m for _loc, m in problems(*many))


def test_matching_prefers_literal_segments() -> None:
    endpoints = [
        endpoint("GET", "/items/{item_id}"),
        endpoint("GET", "/items/special"),
        endpoint("POST", "/items"),
    ]
    special = match_endpoint(endpoints, "GET", "/items/special")
    assert special is not None
    assert special.endpoint is endpoints[1]
    assert special.params == {}
    one = match_endpoint(endpoints, "get", "items/42/")
    assert one is not None
    assert one.endpoint is endpoints[0]
    assert one.params == {"item_id": "42"}


def test_a_known_path_with_another_method_lists_the_allowed_ones() -> None:
    endpoints = [endpoint("GET", "/items"), endpoint("POST", "/items")]
    wrong = match_endpoint(endpoints, "DELETE", "/items")
    assert wrong is not None
    assert wrong.endpoint is None
    assert wrong.allowed == ("GET", "POST")
    assert match_endpoint(endpoints, "GET", "/nothing") is None
    assert match_endpoint(endpoints, "GET", "/items/1") is None


def test_split_version() -> None:
    assert split_version("v2/items/3") == (2, ["items", "3"])
    assert split_version("items/3") == (None, ["items", "3"])
    assert split_version("v10") == (10, [])
    assert split_version("version/1") == (None, ["version", "1"])
    assert split_version(["v1", "a/b"]) == (1, ["a/b"])


def test_a_decoded_segment_may_hold_a_slash() -> None:
    found = match_endpoint([endpoint("GET", "/files/{name}")], "GET", ["files", "a/b"])
    assert found is not None
    assert found.params == {"name": "a/b"}
    assert match_endpoint([endpoint("GET", "/files/{name}")], "GET", "files/a/b") is None


def test_handler_inputs_flatten_single_query_values() -> None:
    inputs = handler_inputs(
        method="GET",
        path="/a",
        body=None,
        query={"one": ["1"], "many": ["1", "2"]},
        params={"id": "x"},
        version=3,
    )
    assert inputs == {
        "body": None,
        "query": {"one": "1", "many": ["1", "2"]},
        "params": {"id": "x"},
        "method": "GET",
        "path": "/a",
        "version": 3,
    }


def test_runnable_source_keeps_the_handlers_line_numbers() -> None:
    source = runnable_source("def main():\n    raise ValueError\n")
    assert source.startswith("def main():\n    raise ValueError\n")
    compile(source, "<handler>", "exec")


segment = st.text(
    alphabet=string.ascii_letters + string.digits + "._~-", min_size=1, max_size=12
).filter(lambda s: s not in (".", ".."))


@given(st.lists(segment, min_size=1, max_size=5))
def test_normalise_path_is_idempotent_and_matches_itself(segments: list[str]) -> None:
    path = "/".join(segments)
    normal = normalise_path(path)
    assert normal == normalise_path(normal + "/")
    assert normal.startswith("/")
    assert not normal.endswith("/")
    found = match_endpoint([endpoint("GET", normal)], "GET", path)
    assert found is not None
    assert found.endpoint is not None


@given(st.lists(segment, min_size=1, max_size=5), st.integers(1, 10_000))
def test_a_version_prefix_round_trips(segments: list[str], version: int) -> None:
    path = "/" + "/".join(segments)
    assert split_version(f"v{version}{path}") == (version, segments)


@given(st.text(max_size=40), st.text(max_size=40))
def test_checking_never_raises(path: str, method: str) -> None:
    check_endpoints([{"method": method, "path": path, "handler": "x = 1"}])
