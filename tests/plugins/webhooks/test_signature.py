"""verify_signature: a good delivery passes; any tampering, staleness or malformation fails."""

from __future__ import annotations

import hashlib
import hmac
import pickle
from email.message import Message

import pytest
from flow_sdk import CLIClientError
from flow_sdk_webhooks import (
    SIGNATURE_HEADER,
    WebhookSignatureError,
    signature_header,
    verify_signature,
)
from hypothesis import assume, given
from hypothesis import strategies as st

SECRET = "whsec_test_secret_value"
NOW = 1_700_000_000


def clock(value: float = NOW):
    return lambda: value


def signed(payload: bytes, secret: str = SECRET, timestamp: int = NOW) -> dict[str, str]:
    return {SIGNATURE_HEADER: signature_header(payload, secret, timestamp=timestamp)}


def test_header_is_hmac_sha256_over_timestamp_dot_body() -> None:
    payload = b'{"type":"ping"}'
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + payload, hashlib.sha256).hexdigest()
    assert signature_header(payload, SECRET, timestamp=NOW) == f"t={NOW},v1={expected}"


@given(st.binary(max_size=300), st.text(min_size=1, max_size=40))
def test_a_genuine_delivery_verifies(payload: bytes, secret: str) -> None:
    verify_signature(payload, signed(payload, secret), secret, now=clock())


@given(st.binary(max_size=200), st.integers(0, 1999), st.integers(0, 7))
def test_any_flipped_bit_in_the_body_fails(payload: bytes, index: int, bit: int) -> None:
    body = payload or b"x"
    tampered = bytearray(body)
    tampered[index % len(body)] ^= 1 << bit
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(bytes(tampered), signed(body), SECRET, now=clock())


@given(st.binary(max_size=100), st.binary(min_size=1, max_size=10))
def test_appending_to_the_body_fails(payload: bytes, extra: bytes) -> None:
    with pytest.raises(WebhookSignatureError):
        verify_signature(payload + extra, signed(payload), SECRET, now=clock())


@given(st.binary(max_size=100), st.text(min_size=1, max_size=40))
def test_another_secret_fails(payload: bytes, other: str) -> None:
    assume(other != SECRET)
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(payload, signed(payload), other, now=clock())


@given(st.binary(max_size=100), st.integers(-250, 250).filter(lambda d: d != 0))
def test_a_changed_timestamp_fails_even_within_tolerance(payload: bytes, shift: int) -> None:
    header = signed(payload)[SIGNATURE_HEADER]
    forged = header.replace(f"t={NOW}", f"t={NOW + shift}")
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(payload, {SIGNATURE_HEADER: forged}, SECRET, now=clock())


@given(st.binary(max_size=100), st.integers(0, 63), st.sampled_from("0123456789abcdef"))
def test_a_changed_signature_character_fails(payload: bytes, index: int, char: str) -> None:
    header = signed(payload)[SIGNATURE_HEADER]
    prefix, digest = header.split("v1=")
    assume(digest[index] != char)
    forged = prefix + "v1=" + digest[:index] + char + digest[index + 1 :]
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(payload, {SIGNATURE_HEADER: forged}, SECRET, now=clock())


@given(st.integers(301, 10**9))
def test_a_stale_or_future_timestamp_fails(age: int) -> None:
    payload = b"{}"
    with pytest.raises(WebhookSignatureError, match="old"):
        verify_signature(payload, signed(payload, timestamp=NOW - age), SECRET, now=clock())
    with pytest.raises(WebhookSignatureError, match="in the future"):
        verify_signature(payload, signed(payload, timestamp=NOW + age), SECRET, now=clock())


def test_tolerance_is_inclusive_and_configurable() -> None:
    payload = b"{}"
    verify_signature(payload, signed(payload, timestamp=NOW - 300), SECRET, now=clock())
    verify_signature(payload, signed(payload, timestamp=NOW - 3000), SECRET, 3600, now=clock())
    with pytest.raises(WebhookSignatureError):
        verify_signature(payload, signed(payload, timestamp=NOW - 11), SECRET, 10, now=clock())
    with pytest.raises(ValueError, match="tolerance_s"):
        verify_signature(payload, signed(payload), SECRET, -1, now=clock())


def test_the_real_clock_is_the_default() -> None:
    payload = b'{"a": 1}'
    verify_signature(payload, {SIGNATURE_HEADER: signature_header(payload, SECRET)}, SECRET)


def test_headers_are_found_in_any_case_and_container() -> None:
    payload = b"body"
    value = signed(payload)[SIGNATURE_HEADER]
    message = Message()
    message["FLOW-SIGNATURE"] = value
    for headers in (
        {"flow-signature": value},
        [(b"Flow-Signature", value.encode())],
        message,
    ):
        verify_signature(payload, headers, SECRET, now=clock())
    verify_signature(payload.decode(), {"flow-signature": value}, SECRET, now=clock())


def test_a_second_signature_supports_secret_rotation() -> None:
    payload = b"{}"
    old = signed(payload, "whsec_old")[SIGNATURE_HEADER]
    new = signed(payload, SECRET)[SIGNATURE_HEADER].split(",")[1]
    verify_signature(payload, {SIGNATURE_HEADER: f"{old},{new}"}, SECRET, now=clock())
    verify_signature(payload, {SIGNATURE_HEADER: f"{old},{new}"}, "whsec_old", now=clock())


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "no Flow-Signature header"),
        ({SIGNATURE_HEADER: ""}, "malformed"),
        ({SIGNATURE_HEADER: f"t={NOW}"}, "malformed"),
        ({SIGNATURE_HEADER: "v1=abc"}, "malformed"),
        ({SIGNATURE_HEADER: "t=soon,v1=abc"}, "malformed timestamp"),
        ({SIGNATURE_HEADER: "t=-5,v1=abc"}, "malformed timestamp"),
        ({SIGNATURE_HEADER: f"t={NOW},v0=abc"}, "malformed"),
    ],
)
def test_missing_or_malformed_headers_say_so(headers: dict[str, str], message: str) -> None:
    with pytest.raises(WebhookSignatureError, match=message) as info:
        verify_signature(b"{}", headers, SECRET, now=clock())
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, CLIClientError)
    assert info.value.hint


@given(st.text(min_size=1, max_size=80))
def test_errors_never_contain_the_secret_or_the_expected_signature(suffix: str) -> None:
    secret = "whsec_" + suffix
    payload = b"{}"
    good = signed(payload, secret)[SIGNATURE_HEADER].split("v1=")[1]
    for headers in ({SIGNATURE_HEADER: f"t={NOW},v1=00"}, {}):
        with pytest.raises(WebhookSignatureError) as info:
            verify_signature(payload, headers, secret, now=clock())
        text = str(info.value) + repr(info.value)
        assert good not in text
        assert secret not in text


def test_errors_pickle() -> None:
    with pytest.raises(WebhookSignatureError) as info:
        verify_signature(b"{}", {}, SECRET, now=clock())
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is WebhookSignatureError
    assert str(again) == str(info.value)


def test_wrong_argument_types_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match="raw request body"):
        verify_signature({"a": 1}, {}, SECRET)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="secret"):
        verify_signature(b"{}", {}, "")
