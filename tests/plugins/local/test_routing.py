"""The router: one segment per parameter, static before parameters, 404/405."""

from __future__ import annotations

import pytest
from flow_sdk._urls import path_segment
from flow_sdk_local import Route
from flow_sdk_local._routing import Router
from hypothesis import given
from hypothesis import strategies as st


def _noop(request):
    return None


def _router(*specs: tuple[str, str]) -> Router:
    router = Router()
    for method, path in specs:
        router.add(Route(method, path, _noop))
    return router


def test_static_segment_wins_over_parameter():
    router = _router(("GET", "/c/{type}/{id}"), ("GET", "/c/tool/{id}"))
    assert router.match("GET", "/c/tool/1").route.path == "/c/tool/{id}"
    match = router.match("GET", "/c/agent/1")
    assert match.route.path == "/c/{type}/{id}"
    assert match.params == {"type": "agent", "id": "1"}


def test_parameter_falls_back_when_static_branch_dead_ends():
    router = _router(("GET", "/c/tool/test"), ("GET", "/c/{type}/{id}"))
    assert router.match("GET", "/c/tool/xyz").params == {"type": "tool", "id": "xyz"}


def test_encoded_slash_stays_inside_one_segment():
    router = _router(("GET", "/items/{id}"), ("GET", "/items/{id}/versions"))
    match = router.match("GET", "/items/a%2Fversions")
    assert match.route.path == "/items/{id}"
    assert match.params == {"id": "a/versions"}


def test_rest_parameter_takes_the_remaining_path():
    router = _router(("GET", "/s/{id}/{path:path}"))
    assert router.match("GET", "/s/x/a/b%20c").params == {"id": "x", "path": "a/b c"}


def test_unknown_path_and_wrong_method():
    router = _router(("GET", "/a"), ("POST", "/a"))
    assert router.match("GET", "/b") is None
    miss = router.match("DELETE", "/a")
    assert miss.route is None
    assert miss.allowed == ("GET", "POST")


def test_duplicate_route_is_refused():
    router = _router(("GET", "/a/{id}"))
    with pytest.raises(ValueError, match=r"duplicate route GET /a/\{id\}"):
        router.add(Route("GET", "/a/{id}", _noop))


def test_two_names_for_one_position_are_refused():
    router = _router(("GET", "/a/{id}"))
    with pytest.raises(ValueError, match="use the same name"):
        router.add(Route("GET", "/a/{name}/x", _noop))


def test_rest_parameter_must_be_last():
    with pytest.raises(ValueError, match="must be the last segment"):
        Route("GET", "/a/{p:path}/b", _noop)


@given(st.text(min_size=1, max_size=40))
def test_any_id_is_exactly_one_parameter(value: str):
    router = _router(("GET", "/orgs/{org_id}/things/{id}"), ("GET", "/orgs/{org_id}/things"))
    match = router.match("GET", f"/orgs/{path_segment(value)}/things/{path_segment('x')}")
    assert match is not None
    assert match.params == {"org_id": value, "id": "x"}
