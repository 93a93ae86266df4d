"""SafeClient: idempotency keys, retries, Retry-After, the budget, error mapping, logging."""

from __future__ import annotations

import email.utils
import logging
import platform
import random
import time
from typing import Any

import httpx
import msgspec
import pytest
from flow_sdk import (
    CLIAuthenticationError,
    CLIClientError,
    CLIConflictError,
    CLIConnectionError,
    CLINotFoundError,
    CLIRateLimitError,
    CLIServerError,
    CLITimeoutError,
    CLIValidationError,
    RetryPolicy,
    __version__,
)
from flow_sdk._retry import RetryBudget
from flow_sdk._transport import (
    USER_AGENT,
    SafeClient,
    _after_fork_in_child,
    build_http_client,
    decode_error_body,
    decode_json,
)
from flow_sdk.testing import RecordingTransport, SleepRecorder

BASE = "http://flow.test"


def safe(
    *replies: Any,
    max_retries: int = 2,
    budget: RetryBudget | None = None,
    sleeps: SleepRecorder | None = None,
    **policy: Any,
) -> tuple[SafeClient, RecordingTransport, SleepRecorder]:
    transport = RecordingTransport(*replies)
    recorder = sleeps or SleepRecorder()
    client = SafeClient(
        build_http_client(BASE, transport=transport),
        retry=RetryPolicy(max_retries=max_retries, **policy),
        sleep=recorder,
        rng=random.Random(1),
        budget=budget,
    )
    return client, transport, recorder


def status(code: int, **kwargs: Any) -> httpx.Response:
    return httpx.Response(code, **kwargs)


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def time_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


# headers and bodies


def test_user_agent_names_sdk_python_and_httpx() -> None:
    assert (
        f"flow-sdk/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
    ) == USER_AGENT
    client, transport, _ = safe({"ok": True})
    client.request("GET", "/x")
    assert transport.last.headers["User-Agent"] == USER_AGENT


def test_json_body_is_encoded_with_content_type() -> None:
    client, transport, _ = safe({"ok": True})
    client.request("PUT", "/x", json={"a": [1, "é"]})
    assert transport.last.headers["Content-Type"] == "application/json"
    assert msgspec.json.decode(transport.last.content) == {"a": [1, "é"]}


@pytest.mark.parametrize("method", ["POST", "PATCH", "post"])
def test_post_and_patch_carry_a_generated_idempotency_key(method: str) -> None:
    client, transport, _ = safe({})
    client.request(method, "/x", json={})
    client.request(method, "/x", json={})
    first, second = (r.headers["Idempotency-Key"] for r in transport.requests)
    assert len(first) >= 16
    assert first != second


def test_given_idempotency_key_is_sent() -> None:
    client, transport, _ = safe({})
    client.request("POST", "/x", idempotency_key="key-1")
    assert transport.last.headers["Idempotency-Key"] == "key-1"
    client.request("POST", "/x", headers={"Idempotency-Key": "key-2"})
    assert transport.last.headers["Idempotency-Key"] == "key-2"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD"])
def test_other_methods_carry_no_idempotency_key(method: str) -> None:
    client, transport, _ = safe(status(200))
    client.request(method, "/x")
    assert "Idempotency-Key" not in transport.last.headers


def test_params_drop_none_and_spell_booleans() -> None:
    client, transport, _ = safe({})
    client.request("GET", "/x", params={"a": None, "b": True, "c": False, "d": 3})
    assert dict(transport.last.url.params) == {"b": "true", "c": "false", "d": "3"}


def test_per_request_timeout_overrides_the_client_default() -> None:
    client, transport, _ = safe({})
    client.request("GET", "/x")
    assert transport.last.extensions["timeout"]["read"] == 30.0
    client.request("GET", "/x", timeout=2.5)
    assert transport.last.extensions["timeout"] == {
        "connect": 2.5,
        "read": 2.5,
        "write": 2.5,
        "pool": 2.5,
    }


# retries


RETRYABLE = [408, 429, 502, 503, 504]


@pytest.mark.parametrize("code", RETRYABLE)
def test_retryable_status_is_retried_then_raised(code: int) -> None:
    client, transport, sleeps = safe(status(code), max_retries=2)
    with pytest.raises(CLIClientError) as info:
        client.request("GET", "/x")
    assert len(transport.requests) == 3
    assert len(sleeps.calls) == 2
    assert info.value.status_code == code


@pytest.mark.parametrize("code", RETRYABLE)
def test_retryable_status_then_success(code: int) -> None:
    client, transport, _ = safe(status(code), {"ok": 1})
    assert client.request_json("GET", "/x") == {"ok": 1}
    assert len(transport.requests) == 2


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 422, 500, 501])
def test_other_statuses_are_not_retried(code: int) -> None:
    client, transport, sleeps = safe(status(code), {"ok": 1})
    with pytest.raises(CLIClientError):
        client.request("GET", "/x")
    assert len(transport.requests) == 1
    assert sleeps.calls == []


def test_connection_errors_are_retried_and_mapped() -> None:
    client, transport, sleeps = safe(refuse, max_retries=3)
    with pytest.raises(CLIConnectionError) as info:
        client.request("GET", "/x")
    assert not isinstance(info.value, CLITimeoutError)
    assert len(transport.requests) == 4
    assert len(sleeps.calls) == 3
    assert "connection refused" in info.value.message
    assert info.value.method == "GET"
    assert info.value.url == f"{BASE}/x"
    assert "network" in (info.value.hint or "")


def test_timeouts_are_retried_and_mapped() -> None:
    client, transport, _ = safe(time_out, max_retries=1)
    with pytest.raises(CLITimeoutError) as info:
        client.request("GET", "/x")
    assert len(transport.requests) == 2
    assert "timed out" in info.value.message
    assert "timeout=" in (info.value.hint or "")


def test_connection_error_then_success() -> None:
    client, transport, _ = safe(refuse, {"ok": 1})
    assert client.request_json("GET", "/x") == {"ok": 1}
    assert len(transport.requests) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_post_and_patch_are_retried_with_the_same_key(method: str) -> None:
    client, transport, _ = safe(status(503), refuse, {"id": "1"})
    assert client.request_json(method, "/x", json={"n": 1}) == {"id": "1"}
    keys = {r.headers["Idempotency-Key"] for r in transport.requests}
    assert len(transport.requests) == 3
    assert len(keys) == 1
    assert {r.content for r in transport.requests} == {b'{"n":1}'}


def test_given_key_is_unchanged_across_retries() -> None:
    client, transport, _ = safe(status(502), status(504), {"id": "1"})
    client.request("POST", "/x", idempotency_key="mine")
    assert [r.headers["Idempotency-Key"] for r in transport.requests] == ["mine"] * 3


def test_methods_that_are_not_idempotent_are_not_retried() -> None:
    client, transport, _ = safe(status(503), {"ok": 1})
    with pytest.raises(CLIServerError):
        client.request("CONNECT", "/x")
    assert len(transport.requests) == 1


def test_max_retries_zero_disables_retries() -> None:
    client, transport, sleeps = safe(status(503), {"ok": 1}, max_retries=0)
    with pytest.raises(CLIServerError):
        client.request("GET", "/x")
    client2, transport2, _ = safe(refuse, {"ok": 1}, max_retries=0)
    with pytest.raises(CLIConnectionError):
        client2.request("POST", "/x")
    assert len(transport.requests) == 1
    assert len(transport2.requests) == 1
    assert sleeps.calls == []


def test_backoff_delays_grow_within_their_caps() -> None:
    client, _, sleeps = safe(status(503), max_retries=5, backoff_base=0.5, backoff_cap=3.0)
    with pytest.raises(CLIServerError):
        client.request("GET", "/x")
    assert len(sleeps.calls) == 5
    for attempt, delay in enumerate(sleeps.calls):
        assert 0.0 <= delay <= min(3.0, 0.5 * 2**attempt)


def test_retry_after_seconds_is_honoured() -> None:
    client, transport, sleeps = safe(status(429, headers={"Retry-After": "7"}), {"ok": 1})
    client.request("GET", "/x")
    assert sleeps.calls == [7.0]
    assert len(transport.requests) == 2


def test_retry_after_http_date_is_honoured() -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    client, _, sleeps = safe(status(503, headers={"Retry-After": when}), {"ok": 1})
    client.request("GET", "/x")
    assert len(sleeps.calls) == 1
    assert 17.0 <= sleeps.calls[0] <= 20.0


def test_retry_after_beyond_the_cap_gives_up_at_once() -> None:
    client, transport, sleeps = safe(
        status(429, headers={"Retry-After": "3600"}), {"ok": 1}, retry_after_cap=60.0
    )
    with pytest.raises(CLIRateLimitError) as info:
        client.request("GET", "/x")
    assert len(transport.requests) == 1
    assert sleeps.calls == []
    assert info.value.retry_after == 3600.0
    assert "wait 3600s" in (info.value.hint or "")
    assert "tried 1 time(s)" in (info.value.hint or "")
    assert "max_retries" in (info.value.hint or "")


def test_rate_limit_error_counts_attempts() -> None:
    client, _, _ = safe(status(429, headers={"Retry-After": "1"}), max_retries=2)
    with pytest.raises(CLIRateLimitError) as info:
        client.request("GET", "/x")
    assert "tried 3 time(s)" in (info.value.hint or "")
    assert info.value.retry_after == 1.0


def test_retry_budget_stops_hammering_a_failing_platform() -> None:
    budget = RetryBudget(capacity=3.0, tokens=3.0, refill_per_success=0.1, floor_per_second=0)
    client, transport, _ = safe(status(503), max_retries=2, budget=budget)
    for _ in range(5):
        with pytest.raises(CLIServerError):
            client.request("GET", "/x")
    # 5 first attempts + the 3 retries the budget allowed, not 5 * 3 = 15.
    assert len(transport.requests) == 8
    assert budget.tokens < 1.0


def test_retry_budget_covers_connection_errors_too() -> None:
    budget = RetryBudget(capacity=1.0, tokens=1.0, floor_per_second=0)
    client, transport, _ = safe(refuse, max_retries=2, budget=budget)
    for _ in range(3):
        with pytest.raises(CLIConnectionError):
            client.request("GET", "/x")
    assert len(transport.requests) == 4


def test_successes_refill_the_budget() -> None:
    budget = RetryBudget(capacity=5.0, tokens=0.0, refill_per_success=0.5, floor_per_second=0)
    client, _, _ = safe({"ok": 1}, budget=budget)
    for _ in range(4):
        client.request("GET", "/x")
    assert budget.tokens == 2.0


def test_the_default_budget_allows_ordinary_retries() -> None:
    client, transport, _ = safe(status(503), status(503), {"ok": 1})
    client.request("GET", "/x")
    assert len(transport.requests) == 3


# error mapping


def test_error_carries_status_detail_code_request_id_method_url() -> None:
    body = {"detail": "no such thing", "code": "not_found"}
    client, _, _ = safe(status(404, json=body, headers={"X-Request-ID": "req_9"}))
    with pytest.raises(CLINotFoundError) as info:
        client.request("GET", "/api/v1/things/t1", params={"verbose": True})
    error = info.value
    assert error.message == "GET /api/v1/things/t1 failed (404): no such thing"
    assert error.status_code == 404
    assert error.detail == "no such thing"
    assert error.code == "not_found"
    assert error.request_id == "req_9"
    assert error.method == "GET"
    assert error.url == f"{BASE}/api/v1/things/t1?verbose=true"
    assert "[request id req_9]" in str(error)
    assert error.hint


@pytest.mark.parametrize(
    ("code", "cls", "hint_word"),
    [
        (401, CLIAuthenticationError, "flow login"),
        (403, CLIClientError, "access"),
        (409, CLIConflictError, "if_match"),
        (422, CLIValidationError, "fix the fields"),
        (500, CLIServerError, "request id"),
    ],
)
def test_errors_have_hints(code: int, cls: type[CLIClientError], hint_word: str) -> None:
    client, _, _ = safe(status(code, json={"detail": "x"}), max_retries=0)
    with pytest.raises(cls) as info:
        client.request("GET", "/x")
    assert hint_word in (info.value.hint or "")


def test_validation_detail_list_is_readable() -> None:
    detail = [
        {"loc": ["body", "name"], "msg": "field required", "type": "missing"},
        {"loc": ["body", "spec", "x"], "msg": "not an int"},
        "free text",
    ]
    client, _, _ = safe(status(422, json={"detail": detail}))
    with pytest.raises(CLIValidationError) as info:
        client.request("POST", "/x", json={})
    assert info.value.message.endswith(
        "failed (422): name: field required; spec.x: not an int; free text"
    )
    assert info.value.detail == detail


def test_non_json_error_body_is_the_detail() -> None:
    client, _, _ = safe(status(502, text="<html>Bad gateway</html>"), max_retries=0)
    with pytest.raises(CLIServerError) as info:
        client.request("GET", "/x")
    assert info.value.detail == "<html>Bad gateway</html>"
    assert info.value.message == "GET /x failed (502): <html>Bad gateway</html>"


def test_empty_error_body_says_no_detail() -> None:
    client, _, _ = safe(status(404))
    with pytest.raises(CLINotFoundError) as info:
        client.request("GET", "/x")
    assert info.value.message == "GET /x failed (404): no detail"


def test_decode_error_body_shapes() -> None:
    assert decode_error_body(b'{"detail": "d", "code": "c"}') == (
        "d",
        "c",
        '{"detail": "d", "code": "c"}',
    )
    assert decode_error_body(b'{"code": 5}')[:2] == ('{"code": 5}', None)
    assert decode_error_body(b"[1, 2]")[:2] == ("[1, 2]", None)
    assert decode_error_body(b"oops")[:2] == ("oops", None)
    assert decode_error_body(b"")[:2] == (None, None)
    assert decode_error_body(b"\xff\xfe")[0] == "\ufffd\ufffd"
    long_detail, _, _ = decode_error_body(b"x" * 10_000)
    assert len(long_detail) == 2000


def test_local_url_without_the_local_plugin_says_what_to_install() -> None:
    client = SafeClient(build_http_client("local://default"), retry=RetryPolicy(max_retries=0))
    with pytest.raises(CLIConnectionError) as info:
        client.request("GET", "/api/v1/tenants/orgs")
    assert "pip install flow-sdk-local" in (info.value.hint or "")
    assert "not installed" in info.value.message


# decoding success bodies


def test_decode_json_variants() -> None:
    client, _, _ = safe(status(204), status(200, content=b""), {"a": 1}, status(200, text="nope"))
    assert client.request_json("DELETE", "/x") is None
    assert client.request_json("GET", "/x") is None
    assert client.request_json("GET", "/x") == {"a": 1}
    with pytest.raises(CLIClientError) as info:
        client.request_json("GET", "/x")
    assert "cannot read" in info.value.message
    assert info.value.status_code == 200


def test_decode_json_into_a_type_reports_a_wrong_shape() -> None:
    class Thing(msgspec.Struct):
        id: str

    response = httpx.Response(200, json={"id": 5}, request=httpx.Request("GET", f"{BASE}/things/1"))
    with pytest.raises(CLIClientError) as info:
        decode_json(response, Thing)
    assert "GET /things/1 returned a body the SDK cannot read" in info.value.message
    good = httpx.Response(200, json={"id": "5"}, request=httpx.Request("GET", f"{BASE}/x"))
    assert decode_json(good, Thing) == Thing(id="5")


# logging


def test_debug_logging_redacts_and_keeps_request_ids(caplog: pytest.LogCaptureFixture) -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlMTIz"
    client, _, _ = safe(status(503, headers={"X-Request-ID": "req_42"}), {"ok": 1})
    caplog.set_level(logging.DEBUG, logger="flow_sdk")
    client.request(
        "GET",
        "/x",
        params={"access_token": token},
        headers={"Authorization": f"Bearer {token}"},
    )
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in text
    assert "req_42" in text
    assert "retrying in" in text
    assert all(record.name == "flow_sdk" for record in caplog.records)


def test_nothing_is_logged_above_debug_for_a_normal_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _, _ = safe({"ok": 1})
    caplog.set_level(logging.INFO, logger="flow_sdk")
    client.request("GET", "/x")
    assert caplog.records == []


# lifecycle


def test_after_fork_rebuilds_an_owned_client() -> None:
    built: list[httpx.Client] = []

    def rebuild() -> httpx.Client:
        built.append(build_http_client(BASE))
        return built[-1]

    first = build_http_client(BASE)
    client = SafeClient(first, rebuild=rebuild)
    injected = SafeClient(build_http_client(BASE))
    injected_http = injected.http
    _after_fork_in_child()
    assert client.http is built[0]
    assert client.http is not first
    assert injected.http is injected_http


def test_close_closes_the_pool() -> None:
    client, _, _ = safe({})
    client.close()
    assert client.http.is_closed


def test_auth_flow_is_applied() -> None:
    class Stamp(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Any:
            request.headers["Authorization"] = "Bearer stamped"
            yield request

    transport = RecordingTransport({})
    client = SafeClient(build_http_client(BASE, transport=transport), auth=Stamp())
    client.request("GET", "/x")
    assert transport.last.headers["Authorization"] == "Bearer stamped"


def test_empty_body_where_a_type_is_expected_is_an_error() -> None:
    class Thing(msgspec.Struct):
        id: str

    request = httpx.Request("GET", f"{BASE}/things/1")
    for response in (
        httpx.Response(200, content=b"", request=request),
        httpx.Response(204, request=request),
    ):
        with pytest.raises(CLIClientError, match="returned no body"):
            decode_json(response, Thing)
        assert decode_json(response) is None


def test_an_invalid_url_is_a_client_error() -> None:
    client, transport, _ = safe({})
    with pytest.raises(CLIClientError) as info:
        client.request("GET", "/a\x00b")
    assert "control characters" in (info.value.hint or "")
    assert transport.requests == []


def test_request_id_is_redacted_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    key = "fl_live_echoedkey123456"
    client, _, _ = safe(status(200, json={}, headers={"X-Request-ID": key}))
    caplog.set_level(logging.DEBUG, logger="flow_sdk")
    client.request("GET", "/x")
    assert key not in caplog.text
    assert "request-id=<redacted>" in caplog.text


def test_a_retried_delete_whose_first_attempt_took_effect_succeeds() -> None:
    """The first DELETE was done but its answer lost (503 here); the retry sees 404."""
    client, transport, _ = safe(status(503), status(404))
    response = client.request("DELETE", "/things/t1")
    assert response.status_code == 204
    assert len(transport.requests) == 2


def test_a_first_delete_of_a_missing_resource_is_still_not_found() -> None:
    client, transport, _ = safe(status(404))
    with pytest.raises(CLINotFoundError):
        client.request("DELETE", "/things/t1")
    assert len(transport.requests) == 1
