"""Never a 500 for input: bodies (depth, syntax, encoding, media type, numbers), names and
ids with control characters, If-Match, and bounded control-plane values."""

from __future__ import annotations

import json
import math
import re
import types
from typing import Any

import httpx
import msgspec
import pytest
from flow_sdk import hookimpl
from flow_sdk_local import TENANT, HTTPError, LocalPlatform, LocalTransport, Request
from flow_sdk_local._faults import MAX_DELAY_S, FaultRule
from flow_sdk_local._http import MAX_JSON_DEPTH, check_json
from flow_sdk_local._platform import MAX_CLOCK_OFFSET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import widget_plugin, with_widgets

W = "/api/v1/orgs/org_dev/workspaces/ws_dev/components/widget"
JSON = "application/json"
RAW = "/api/v1/orgs/org_dev/workspaces/ws_dev/raw"
CONTROLS = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _raw_routes() -> types.ModuleType:
    """Routes whose handlers read the body themselves (as plugins' custom routes do)."""
    module = types.ModuleType("raw_body_test_plugin")

    @hookimpl
    def flow_sdk_local_routes(app: Any) -> None:
        @app.post(TENANT + "/raw/lines", raw_body="application/x-ndjson", tags=("test",))
        def lines(request: Request) -> dict[str, int]:
            rows = [msgspec.json.decode(line) for line in request.body.splitlines() if line]
            return {"rows": len(rows)}

        @app.post(TENANT + "/raw/decoded", tags=("test",))
        def decoded(request: Request) -> dict[str, str]:
            return {"type": type(msgspec.json.decode(request.body)).__name__}

        @app.post(TENANT + "/raw/json", tags=("test",))
        def as_json(request: Request) -> dict[str, str]:
            return {"type": type(request.json()).__name__}

        @app.post(TENANT + "/raw/text", tags=("test",))
        def text(request: Request) -> dict[str, int]:
            return {"length": len(request.body.decode())}

    module.flow_sdk_local_routes = flow_sdk_local_routes  # type: ignore[attr-defined]
    return module


raw_plugin = _raw_routes()
both_modes = pytest.mark.usefixtures("flow_transport_mode")


def nested(depth: int, kind: str) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "array" else {"a": value}
    return value


def deep_text(depth: int, kind: str) -> bytes:
    opening, closing = ("[", "]") if kind == "array" else ('{"a":', "}")
    return (opening * depth + "1" + closing * depth).encode()


# bodies


@with_widgets
@both_modes
@pytest.mark.parametrize("kind", ["array", "object"])
def test_a_body_nested_1000_deep_is_a_422_that_says_so(local_platform, kind):
    http = local_platform.http()
    body = b'{"name": "deep", "spec": {"x": ' + deep_text(1000, kind) + b"}}"
    response = http.post(W, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body"]
    assert f"at most {MAX_JSON_DEPTH} levels" in error["msg"]
    assert "1002 levels deep" in error["msg"]


@with_widgets
@pytest.mark.parametrize("kind", ["array", "object"])
def test_the_nesting_limit_is_64_levels(local_platform, kind):
    http = local_platform.http()
    # the body is one level, spec another: 62 more make 64
    fits = {"name": "n", "spec": {"x": nested(62, kind)}}
    assert http.post(W, json=fits).status_code == 201
    deeper = {"name": "n", "spec": {"x": nested(63, kind)}}
    response = http.post(W, json=deeper)
    assert response.status_code == 422
    assert "65 levels deep" in response.json()["detail"][0]["msg"]


def test_brackets_inside_strings_do_not_count():
    check_json(json.dumps({"s": "[" * 5000, "t": '\\"{' * 300, "u": ["]" * 70]}).encode())
    with pytest.raises(HTTPError) as error:
        check_json(json.dumps({"s": '"\\', "deep": nested(64, "array")}).encode())
    assert "65 levels" in error.value.detail[0].msg


@pytest.mark.flow_plugins(raw_plugin)
@both_modes
@pytest.mark.parametrize("path", ["lines", "decoded", "json"])
@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_bodies_read_by_handlers_themselves_are_422(local_platform, path, depth):
    response = local_platform.http().post(
        f"{RAW}/{path}", content=deep_text(depth, "array"), headers={"content-type": JSON}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    assert "nest" in response.json()["detail"][0]["msg"]


@pytest.mark.flow_plugins(raw_plugin)
def test_undecodable_bodies_read_by_handlers_themselves_are_422(local_platform):
    http = local_platform.http()
    assert http.post(f"{RAW}/decoded", content=b"{nope").status_code == 422
    assert http.post(f"{RAW}/json", content=b"{nope").status_code == 422
    assert http.post(f"{RAW}/lines", content=b'{"a": 1}\n{nope\n').status_code == 422
    not_utf8 = http.post(f"{RAW}/text", content=b"\xff\xfe")
    assert not_utf8.status_code == 422
    assert "UTF-8" in not_utf8.json()["detail"][0]["msg"]
    assert http.post(f"{RAW}/text", content="é".encode()).json() == {"length": 1}


@with_widgets
@both_modes
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{nope", "malformed"),
        (b'{"name": "x"', "truncated"),
        (b'{"name": "\xff"}', "UTF-8"),
        (b'\xef\xbb\xbf{"name": "bom"}', "malformed"),
        (b'{"name": "x", "spec": {"n": NaN}}', "malformed"),
        (b'{"name": "x", "spec": {"n": 1e400}}', "out of range"),
        (b'{"name": "x", "spec": {"n": -1e400}}', "out of range"),
        (b'{"name": "x", "spec": {"n": 9223372036854775808}}', "64 bits"),
        (b'{"name": "x", "spec": {"n": -9223372036854775809}}', "64 bits"),
        (b'{"name": "x", "spec": {"n": 1' + b"0" * 5000 + b"}}", "64 bits"),
        (b"[1, 2]", "Expected `object`"),
    ],
)
def test_malformed_bodies_and_huge_numbers_are_422(local_platform, body, says):
    response = local_platform.http().post(
        W, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert says in response.json()["detail"][0]["msg"]


@with_widgets
def test_numbers_that_fit_are_kept(local_platform):
    http = local_platform.http()
    spec = {"min": -(2**63), "max": 2**63 - 1, "big": 1.5e308, "digits": "9" * 40}
    created = http.post(W, json={"name": "numbers", "spec": spec})
    assert created.status_code == 201, created.text
    assert created.json()["spec"] == spec


@with_widgets
@both_modes
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/xml",
    ],
)
def test_a_json_route_refuses_other_media_types_with_415(local_platform, content_type):
    response = local_platform.http().post(
        W, content=b'{"name": "x"}', headers={"content-type": content_type}
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@with_widgets
@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "application/json; charset=UTF-8", "application/merge-patch+json"],
)
def test_json_media_types_and_none_at_all_are_read(local_platform, content_type):
    raw = local_platform.platform.handle(
        "POST",
        W,
        "",
        {
            "authorization": f"Bearer {local_platform.token()}",
            **({"content-type": content_type} if content_type else {}),
        },
        b'{"name": "typed"}',
    )
    assert raw.status == 201, raw.body


_fuzz_platform = LocalPlatform("local://memory-limits-fuzz", plugins=[widget_plugin, raw_plugin])


def _fuzz_token() -> str:
    reply = _fuzz_platform.handle(
        "POST",
        "/api/v1/auth/token",
        "",
        {},
        json.dumps({"api_key": _fuzz_platform.dev_api_key}).encode(),
    )
    return str(json.loads(reply.body)["access_token"])


_fuzz_auth = {"authorization": f"Bearer {_fuzz_token()}"}
_paths = st.sampled_from(
    [
        W,
        f"{W}/cmp_x",
        "/api/v1/tenants/orgs",
        "/api/v1/orgs/org_dev/api-keys",
        "/api/v1/auth/token",
        "/api/v1/auth/cli-login-requests",
        f"{RAW}/lines",
        f"{RAW}/decoded",
        f"{RAW}/json",
        f"{RAW}/text",
        "/_local/tenants",
        "/_local/faults",
        "/_local/clock",
    ]
)
_json_text = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=10,
).map(lambda value: json.dumps(value).encode())
_bodies = (
    st.binary(max_size=300)
    | _json_text
    | st.builds(
        lambda depth, kind: deep_text(depth, kind),
        st.integers(0, 3000),
        st.sampled_from(["array", "object"]),
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["POST", "PATCH", "PUT", "DELETE", "GET"]),
    path=_paths,
    content_type=st.none()
    | st.sampled_from(["application/json", "text/plain", "application/x-ndjson"])
    | st.text(max_size=30),
    body=_bodies,
)
def test_no_body_gets_a_server_error(method, path, content_type, body):
    headers = dict(_fuzz_auth)
    if content_type is not None:
        headers["content-type"] = content_type
    reply = _fuzz_platform.handle(method, path, "", headers, body)
    assert reply.status < 500, reply.body
    _fuzz_platform.clock.offset = 0.0
    _fuzz_platform.faults.clear()


# names and ids


@with_widgets
@both_modes
@pytest.mark.parametrize(
    "bad", ["a\x00b", "\x1b[31mred", "tab\there", "line\nbreak", "c1\x85", "\x7f"]
)
def test_control_characters_in_names_are_422(local_platform, bad):
    http = local_platform.http()
    created = http.post(W, json={"name": bad})
    assert created.status_code == 422, created.text
    assert created.json()["detail"][0]["loc"] == ["body", "name"]
    assert "control characters" in created.json()["detail"][0]["msg"]
    widget = http.post(W, json={"name": "fine", "description": f"free text: {bad}"})
    assert widget.status_code == 201, widget.text
    assert widget.json()["description"] == f"free text: {bad}"
    patched = http.patch(f"{W}/{widget.json()['id']}", json={"name": bad})
    assert patched.status_code == 422
    for path, body in (
        ("/api/v1/tenants/orgs", {"name": bad}),
        ("/api/v1/tenants/orgs/org_dev/workspaces", {"name": bad}),
        ("/api/v1/orgs/org_dev/api-keys", {"name": bad}),
        ("/_local/tenants", {"org_name": bad}),
        ("/_local/tenants", {"email": bad}),
    ):
        response = http.post(path, json=body)
        assert response.status_code == 422, (path, response.text)


@with_widgets
@both_modes
@pytest.mark.parametrize("segment", ["%00", "a%0Ab", "%1B", "x%7F", "%C2%85", "%C2%9F"])
def test_control_characters_in_path_ids_are_422(local_platform, segment):
    http = local_platform.http()
    for method, path in (
        ("GET", f"{W}/{segment}"),
        ("PATCH", f"{W}/{segment}"),
        ("DELETE", f"{W}/{segment}"),
        ("GET", f"/api/v1/orgs/{segment}/api-keys"),
        ("GET", f"/api/v1/orgs/org_dev/workspaces/{segment}/components/widget"),
        ("POST", f"/_local/cli-login-requests/{segment}/approve"),
    ):
        response = http.request(method, path, json={} if method == "PATCH" else None)
        assert response.status_code == 422, (method, path, response.text)
        assert response.json()["detail"][0]["loc"][0] == "path"
    unauthenticated = local_platform.http(authenticated=False).get(f"{W}/{segment}")
    assert unauthenticated.status_code == 422


_names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@with_widgets
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=_names)
def test_a_name_is_stored_exactly_when_it_has_no_control_character(local_platform, name):
    http = local_platform.http()
    response = http.post(W, json={"name": name})
    if CONTROL.search(name):
        assert response.status_code == 422, response.text
    elif name.strip():
        assert response.status_code == 201, response.text
        assert response.json()["name"] == name
    else:
        assert response.status_code == 422


# If-Match


@with_widgets
@both_modes
def test_a_weak_if_match_never_matches(local_platform):
    http = local_platform.http()
    widget = http.post(W, json={"name": "w"}).json()
    item = f"{W}/{widget['id']}"
    assert http.patch(item, json={"name": "v2"}).json()["version"] == 2
    for weak in ('W/"2"', 'W/"1"', 'W/"3"'):
        refused = http.patch(item, json={"name": "x"}, headers={"If-Match": weak})
        assert refused.status_code == 409, weak
        assert refused.json()["code"] == "version_conflict"
        assert "weak" in refused.json()["detail"]
        assert http.delete(item, headers={"If-Match": weak}).status_code == 409
    assert http.get(item).json()["version"] == 2
    assert http.patch(item, json={"name": "v3"}, headers={"If-Match": '"2"'}).status_code == 200
    assert http.patch(item, json={"name": "v4"}, headers={"If-Match": "3"}).status_code == 200
    assert http.patch(item, json={"name": "v5"}, headers={"If-Match": "*"}).status_code == 200
    assert http.delete(item, headers={"If-Match": '"5"'}).status_code == 204


@with_widgets
@pytest.mark.parametrize(
    ("value", "status"),
    [
        ('"01"', 409),  # a different entity tag, compared strongly
        ('""', 409),
        ('"abc"', 409),
        ('"1', 400),
        ('1"', 400),
        ("", 400),
        ("two", 400),
        ("1 2", 400),
        ('"1", "2"', 400),
        ('W/"a b"', 400),
        ("W/1", 400),
        ("\u00bd".encode("latin-1"), 400),
        ("1_0", 400),
        ("+1", 400),
    ],
)
def test_if_match_values_that_are_not_a_current_version(local_platform, value, status):
    http = local_platform.http()
    widget = http.post(W, json={"name": "w"}).json()
    response = http.patch(f"{W}/{widget['id']}", json={"name": "x"}, headers={"If-Match": value})
    assert response.status_code == status, response.text
    assert response.json()["code"] == ("bad_if_match" if status == 400 else "version_conflict")


_if_match_platform = LocalPlatform("local://memory-limits-if-match", plugins=[widget_plugin])
_if_match_auth = {
    "authorization": "Bearer "
    + json.loads(
        _if_match_platform.handle(
            "POST",
            "/api/v1/auth/token",
            "",
            {},
            json.dumps({"api_key": _if_match_platform.dev_api_key}).encode(),
        ).body
    )["access_token"]
}


@settings(max_examples=200, deadline=None)
@given(value=st.text(st.characters(max_codepoint=0xFF), max_size=12))
def test_only_the_current_version_or_a_star_matches(value):
    created = _if_match_platform.handle("POST", W, "", _if_match_auth, b'{"name": "w"}')
    item = f"{W}/{json.loads(created.body)['id']}"
    reply = _if_match_platform.handle(
        "PATCH", item, "", {**_if_match_auth, "if-match": value}, b'{"name": "v"}'
    )
    assert reply.status in (200, 400, 409), reply.body
    matches = value.strip(" \t") in ("1", '"1"', "*") or (
        value.strip(" \t").isascii() and value.strip(" \t").isdigit() and int(value) == 1
    )
    assert (reply.status == 200) == matches, (value, reply.body)


# the control plane's values


@both_modes
@pytest.mark.parametrize(
    "seconds", [1e308, -1, -1e-9, MAX_CLOCK_OFFSET + 1, "1e400", "-1e400", "NaN", "Infinity"]
)
def test_the_clock_refuses_what_it_cannot_hold(local_platform, seconds):
    http = local_platform.http()
    body = (
        f'{{"seconds": {seconds}}}'
        if isinstance(seconds, str)
        else json.dumps({"seconds": seconds})
    )
    response = http.post(
        "/_local/clock", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert local_platform.platform.clock.offset == 0
    assert local_platform.token()  # token exchanges still work


def test_the_clock_moves_at_most_a_century_in_all(local_platform):
    http = local_platform.http()
    assert http.post("/_local/clock", json={"seconds": MAX_CLOCK_OFFSET}).status_code == 200
    more = http.post("/_local/clock", json={"seconds": 1})
    assert more.status_code == 422
    assert "at most" in more.json()["detail"][0]["msg"]
    assert local_platform.token()
    local_platform.reset()
    assert local_platform.platform.clock.offset == 0


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf, -1.0, 1e308])
def test_advance_clock_refuses_what_it_cannot_hold(local_platform, seconds):
    with pytest.raises(ValueError, match="seconds"):
        local_platform.advance_clock(seconds)
    assert local_platform.platform.clock.offset == 0


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seconds=st.floats() | st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_any_clock_step_leaves_a_working_platform(local_platform, seconds):
    local_platform.platform.clock.offset = 0.0
    reply = local_platform.platform.handle(
        "POST", "/_local/clock", "", {}, json.dumps({"seconds": seconds}).encode()
    )
    assert reply.status in (200, 422), reply.body
    assert local_platform.token(ttl_minutes=1)
    assert local_platform.client().list_orgs()


@both_modes
@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"kind": "503", "share": 2}, "share"),
        ({"kind": "503", "share": -0.1}, "share"),
        ({"kind": "503", "count": -1}, "count"),
        ({"kind": "503", "count": 10**7}, "count"),
        ({"kind": "429", "retry_after": 1e308}, "retry_after"),
        ({"kind": "429", "retry_after": -1}, "retry_after"),
        ({"kind": "delay", "delay_s": MAX_DELAY_S + 1}, "delay_s"),
        ({"kind": "delay", "delay_s": -1}, "delay_s"),
        ({"kind": "503", "path_prefix": "api"}, "path_prefix"),
        ({"kind": "503", "path_prefix": "/a\u0000"}, "path_prefix"),
        ({"kind": "503", "path_prefix": "/" + "a" * 2000}, "path_prefix"),
        ({"kind": "503", "methods": ["GET POST"]}, "methods"),
        ({"kind": "503", "methods": ["GET"] * 17}, "methods"),
    ],
)
def test_fault_rules_are_bounded(local_platform, rule, field):
    response = local_platform.http().post("/_local/faults", json={"rules": [rule]})
    assert response.status_code == 422, response.text
    loc = response.json()["detail"][0]["loc"]
    assert loc[0] == "body"
    assert field in loc
    assert local_platform.faults() == []


def test_at_most_100_fault_rules(local_platform):
    rules = [{"kind": "503", "share": 0}] * 101
    assert local_platform.http().post("/_local/faults", json={"rules": rules}).status_code == 422
    with pytest.raises(ValueError, match="delay_s"):
        local_platform.inject_faults("delay", delay_s=1e9)
    with pytest.raises(ValueError, match="share"):
        local_platform.inject_faults(rules=[FaultRule(kind="503", share=math.nan)])


def test_fault_methods_are_matched_in_upper_case(local_platform):
    http = local_platform.http()
    assert http.post("/_local/faults", json={"rules": [{"kind": "503", "methods": ["get"]}]})
    assert local_platform.faults()[0].methods == ["GET"]
    assert http.get("/api/v1/auth/me").status_code == 503


# sizes and keys


def test_the_in_process_platform_bounds_bodies_too():
    platform = LocalPlatform("local://memory-limits-small", max_body_bytes=1024)
    with httpx.Client(transport=LocalTransport(platform), base_url=platform.url) as http:
        fits = http.post("/api/v1/auth/token", json={"api_key": "x" * 900})
        assert fits.status_code == 401
        response = http.post("/api/v1/auth/token", json={"api_key": "x" * 1100})
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"
        assert "1024 bytes" in response.json()["detail"]
        assert response.headers["x-request-id"]
    platform.close()


@with_widgets
@both_modes
@pytest.mark.parametrize("key", ["", "k\x1b", "\x7f", "x" * 256])
def test_a_bad_idempotency_key_is_400(local_platform, key):
    http = local_platform.http()
    response = http.post(W, json={"name": "w"}, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_idempotency_key"
    assert (
        http.post(W, json={"name": "w"}, headers={"Idempotency-Key": "k" * 255}).status_code == 201
    )


@with_widgets
def test_an_idempotency_key_with_nul_is_400(local_platform):
    headers = {"authorization": f"Bearer {local_platform.token()}", "idempotency-key": "a\x00b"}
    reply = local_platform.platform.handle("POST", W, "", headers, b'{"name": "w"}')
    assert reply.status == 400


@with_widgets
def test_an_out_of_range_integer_is_named_by_its_place(local_platform):
    body = b'{"name": "x", "spec": {"n": [1, 18446744073709551616]}}'
    response = local_platform.http().post(W, content=body, headers={"content-type": JSON})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "spec", "n", 1]
