"""Pinned webhook signatures: the exact bytes signed, the tolerance edges, and the header grammar.

Receivers verify deliveries with code written against one version of the SDK
and keep running across upgrades, so the signature over a given secret,
timestamp and body, the default tolerance and the exact edge of the
tolerance window must never change silently. The hex values below were
computed once and written down literally; never regenerate them to make a test pass.
"""

from __future__ import annotations

import inspect
import math
import time

import pytest
from flow_sdk_webhooks import (
    SIGNATURE_HEADER,
    WebhookSignatureError,
    signature_header,
    verify_signature,
)
from flow_sdk_webhooks._signature import DEFAULT_TOLERANCE_S, compute_signature

SECRET = "whsec_test_secret_value"
NOW = 1_700_000_000
BODY = b"{}"
SIG_BODY_AT_NOW = "b85c361a7b603b783e19edfa7eb9b4ca2574157c2f9e28de43634cd2fd5791af"
"""``v1`` for ``BODY`` signed with ``SECRET`` at ``NOW``."""


def at(value: float):
    return lambda: value


def header_at(timestamp: int, body: bytes = BODY) -> dict[str, str]:
    return {SIGNATURE_HEADER: signature_header(body, SECRET, timestamp=timestamp)}


def check(headers: dict[str, str], *args: float, now: float = NOW, body: bytes = BODY) -> None:
    verify_signature(body, headers, SECRET, *args, now=at(now))


class TestGoldenVectors:
    @pytest.mark.parametrize(
        ("payload", "secret", "timestamp", "expected"),
        [
            (
                b'{"type":"ping"}',
                SECRET,
                NOW,
                "b6d3a029d37b5c7b4c624e3bb338a07cb3a05e031149b65a58a9737e0f4631e6",
            ),
            (BODY, SECRET, NOW, SIG_BODY_AT_NOW),
            (
                b"",
                SECRET,
                NOW,
                "e9c63574e8a3e39912571fd6aa91ae460f86368473063f8883095a858caec239",
            ),
            (
                BODY,
                SECRET,
                0,
                "24ee854cd63d72ce6470934e44477ad10d4f9dce3b3b808be3abbee664a279c4",
            ),
            (
                BODY,
                SECRET,
                999_999_999_999,
                "cdb88ca1bbb99f05a5efe7595d2489845e8a025101d67cd1da0c2210db13bd05",
            ),
            (  # a UTF-8 body and a non-ASCII secret (the secret is keyed as UTF-8)
                "héllo".encode(),
                "whsec_ünïcode",
                999_999_999_999,
                "e77e9142c5345357bd1431c3ecf88e9df1f4f711a15cd3d3589c7ed528d43407",
            ),
        ],
    )
    def test_compute_signature(
        self, payload: bytes, secret: str, timestamp: int, expected: str
    ) -> None:
        assert compute_signature(payload, secret, timestamp) == expected
        header = {SIGNATURE_HEADER: f"t={timestamp},v1={expected}"}
        verify_signature(payload, header, secret, math.inf, now=at(NOW))

    def test_the_header_value(self) -> None:
        assert signature_header(b'{"type":"ping"}', SECRET, timestamp=NOW) == (
            "t=1700000000,v1=b6d3a029d37b5c7b4c624e3bb338a07cb3a05e031149b65a58a9737e0f4631e6"
        )
        assert SIGNATURE_HEADER == "Flow-Signature"

    def test_a_text_body_is_signed_as_its_utf8_bytes(self) -> None:
        header = {SIGNATURE_HEADER: f"t={NOW},v1={SIG_BODY_AT_NOW}"}
        check(header, body="{}")  # type: ignore[arg-type]

    def test_a_fractional_timestamp_is_truncated_not_rounded(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        expected = f"t={NOW},v1={SIG_BODY_AT_NOW}"
        assert signature_header(BODY, SECRET, timestamp=NOW + 0.9) == expected  # type: ignore[arg-type]
        assert compute_signature(BODY, SECRET, NOW + 0.9) == SIG_BODY_AT_NOW  # type: ignore[arg-type]
        monkeypatch.setattr(time, "time", lambda: NOW + 0.9)
        assert signature_header(BODY, SECRET) == expected  # "now" is the real clock, truncated


class TestTolerance:
    def test_the_default_is_300_seconds(self) -> None:
        assert DEFAULT_TOLERANCE_S == 300
        assert inspect.signature(verify_signature).parameters["tolerance_s"].default == 300

    @pytest.mark.parametrize("offset", [0, -1, 1, -299, 299, -300, 300])
    def test_within_the_default_tolerance_and_exactly_at_it_passes(self, offset: int) -> None:
        check(header_at(NOW + offset))

    @pytest.mark.parametrize(
        ("offset", "message"),
        [
            (-301, "the delivery's timestamp is 301s old, outside the tolerance of 300s"),
            (301, "the delivery's timestamp is 301s in the future, outside the tolerance of 300s"),
        ],
    )
    def test_one_second_beyond_the_default_tolerance_fails(self, offset: int, message: str) -> None:
        with pytest.raises(WebhookSignatureError) as info:
            check(header_at(NOW + offset))
        assert str(info.value).startswith(message)
        assert "tolerance_s" in (info.value.hint or "")

    @pytest.mark.parametrize(
        ("tolerance", "passing", "failing"),
        [
            (0, [0], [-1, 1]),
            (10, [-10, 10], [-11, 11]),
            (2.5, [-2, 2], [-3, 3]),
            (0.5, [0], [-1, 1]),
            (3600, [-3600, 3600], [-3601, 3601]),
        ],
    )
    def test_an_explicit_tolerance_is_inclusive(
        self, tolerance: float, passing: list[int], failing: list[int]
    ) -> None:
        for offset in passing:
            check(header_at(NOW + offset), tolerance)
        outside = f"outside the tolerance of {tolerance:g}s"
        for offset in failing:
            with pytest.raises(WebhookSignatureError, match=outside):
                check(header_at(NOW + offset), tolerance)

    def test_the_tolerance_message_formats_the_tolerance_with_g(self) -> None:
        with pytest.raises(WebhookSignatureError) as info:
            check(header_at(NOW - 3), 2.5)
        assert str(info.value).startswith(
            "the delivery's timestamp is 3s old, outside the tolerance of 2.5s"
        )

    def test_a_fractional_clock_is_compared_exactly(self) -> None:
        # the age is now() - t, a float, compared with the tolerance without rounding
        check(header_at(NOW - 300), now=NOW)
        with pytest.raises(WebhookSignatureError, match="old"):
            check(header_at(NOW - 300), now=NOW + 0.5)
        check(header_at(NOW + 300), now=NOW + 0.5)  # 299.5 s in the future
        with pytest.raises(WebhookSignatureError, match="in the future"):
            check(header_at(NOW + 300), now=NOW - 0.5)
        check(header_at(NOW), 0.5, now=NOW + 0.5)
        with pytest.raises(WebhookSignatureError, match="old"):
            check(header_at(NOW), 0, now=NOW + 0.25)

    def test_an_infinite_tolerance_accepts_any_time(self) -> None:
        check(header_at(0), math.inf)
        check(header_at(999_999_999_999), math.inf)

    @pytest.mark.parametrize("tolerance", [-1, -0.001, -math.inf])
    def test_a_negative_tolerance_is_refused(self, tolerance: float) -> None:
        with pytest.raises(ValueError, match="tolerance_s must be 0 or more") as info:
            check(header_at(NOW), tolerance)
        assert not isinstance(info.value, WebhookSignatureError)

    def test_the_timestamp_is_checked_before_the_signature(self) -> None:
        stale = {SIGNATURE_HEADER: f"t={NOW - 301},v1=00"}
        with pytest.raises(WebhookSignatureError, match="301s old"):
            check(stale)
        fresh = {SIGNATURE_HEADER: f"t={NOW - 300},v1=00"}
        with pytest.raises(WebhookSignatureError, match="does not match"):
            check(fresh)


class TestTimestampBounds:
    def test_zero_is_a_valid_timestamp_but_stale(self) -> None:
        with pytest.raises(WebhookSignatureError, match="1700000000s old"):
            check(header_at(0))

    def test_twelve_digits_are_a_timestamp_but_far_in_the_future(self) -> None:
        with pytest.raises(WebhookSignatureError, match="in the future"):
            check(header_at(999_999_999_999))

    @pytest.mark.parametrize(
        "value",
        [
            "1000000000000",  # 13 digits
            "-1",
            "-1700000000",
            "+1700000000",
            "1700000000.0",
            "1700000000.5",
            "1.7e9",
            "0x6553f100",
            "",
            " 1700000000",
            "1700000000;v1=" + SIG_BODY_AT_NOW,
        ],
    )
    def test_anything_but_up_to_12_ascii_digits_is_a_malformed_timestamp(self, value: str) -> None:
        header = {SIGNATURE_HEADER: f"t={value},v1={SIG_BODY_AT_NOW}"}
        with pytest.raises(WebhookSignatureError, match="malformed timestamp"):
            check(header, math.inf)

    def test_a_negative_timestamp_can_be_signed_but_never_verifies(self) -> None:
        header = header_at(-5)
        assert header[SIGNATURE_HEADER].startswith("t=-5,v1=")
        with pytest.raises(WebhookSignatureError, match="malformed timestamp"):
            check(header, math.inf)

    def test_a_digit_int_cannot_parse_is_still_refused(self) -> None:
        # "²" passes str.isdigit but not int(): refused with a ValueError (today not a
        # WebhookSignatureError, which is itself a ValueError)
        with pytest.raises(ValueError):  # noqa: PT011
            check({SIGNATURE_HEADER: f"t=²,v1={SIG_BODY_AT_NOW}"})

    def test_the_last_timestamp_wins(self) -> None:
        check({SIGNATURE_HEADER: f"t=1,t={NOW},v1={SIG_BODY_AT_NOW}"})
        with pytest.raises(WebhookSignatureError, match="old"):
            check({SIGNATURE_HEADER: f"t={NOW},t=1,v1={SIG_BODY_AT_NOW}"})


class TestHeaderGrammar:
    @pytest.mark.parametrize(
        "value",
        [
            "",
            ",",
            f"t={NOW}",
            f"v1={SIG_BODY_AT_NOW}",
            f"T={NOW},v1={SIG_BODY_AT_NOW}",
            f"t={NOW},V1={SIG_BODY_AT_NOW}",
            f"t={NOW},v0={SIG_BODY_AT_NOW}",
            f"t={NOW},v2={SIG_BODY_AT_NOW}",
            f"t={NOW},v1:{SIG_BODY_AT_NOW}",
            f"t {NOW} v1 {SIG_BODY_AT_NOW}",
            f"t={NOW} v1={SIG_BODY_AT_NOW}",  # one part: its timestamp is malformed
        ],
    )
    def test_malformed_headers(self, value: str) -> None:
        with pytest.raises(WebhookSignatureError, match="malformed") as info:
            check({SIGNATURE_HEADER: value})
        assert info.value.hint
        assert "t=<unix seconds>,v1=<hex>" in info.value.hint

    @pytest.mark.parametrize(
        "value",
        [
            f"t={NOW},v1={SIG_BODY_AT_NOW}",
            f"v1={SIG_BODY_AT_NOW},t={NOW}",  # any order
            f" t={NOW} , v1={SIG_BODY_AT_NOW} ",  # spaces around parts
            f"t={NOW},v1={SIG_BODY_AT_NOW},v0=ignored,x=y,flag",  # unknown parts are ignored
            f"t={NOW},v1={SIG_BODY_AT_NOW},v1=00",  # the good one first
            f"t={NOW},v1=00,v1={'0' * 64},v1={SIG_BODY_AT_NOW}",  # the good one last
            f"t={NOW},v1=,v1={SIG_BODY_AT_NOW},v1=zz",  # among empty and non-hex ones
        ],
    )
    def test_any_matching_v1_signature_passes(self, value: str) -> None:
        check({SIGNATURE_HEADER: value})

    @pytest.mark.parametrize(
        "signatures",
        [
            [SIG_BODY_AT_NOW.upper()],  # the hex is compared as lowercase text
            [SIG_BODY_AT_NOW[:-1]],
            [SIG_BODY_AT_NOW + "0"],
            [""],
            ["00", "ff" * 32],
            ["é" * 64],
        ],
    )
    def test_no_matching_signature_fails(self, signatures: list[str]) -> None:
        value = f"t={NOW}," + ",".join(f"v1={s}" for s in signatures)
        with pytest.raises(WebhookSignatureError) as info:
            check({SIGNATURE_HEADER: value})
        assert str(info.value).startswith("the delivery's signature does not match")
