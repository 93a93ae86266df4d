"""The local platform's HS256 tokens: standard JWTs, strictly checked, without PyJWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys

import pytest
from flow_sdk_local._jwt import ISSUER, TokenError, issue_token, read_token, sign
from hypothesis import given, settings
from hypothesis import strategies as st

SECRET = "a-local-platform-secret-of-32-chars!"
NOW = 1_800_000_000


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: object) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def hs256(secret: str, header: object, claims: object) -> str:
    """A token built by hand, as RFC 7515 describes, to check the implementation against."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def claims(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"iss": ISSUER, "sub": "usr_dev", "iat": NOW, "exp": NOW + 60}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_a_token_is_a_standard_hs256_jwt() -> None:
    token, expires = issue_token(SECRET, "usr_dev", now=NOW + 0.7, ttl_seconds=300)
    header, payload, signature = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert body["iss"] == ISSUER
    assert body["sub"] == "usr_dev"
    assert (body["iat"], body["exp"], expires) == (NOW, NOW + 300, NOW + 300)
    assert len(body["jti"]) == 16
    mac = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert signature == b64(mac)
    read = read_token(SECRET, token, now=NOW + 299)
    assert (read.user_id, read.issued_at, read.expires_at, read.token_id) == (
        "usr_dev",
        NOW,
        NOW + 300,
        body["jti"],
    )


def test_a_token_signed_by_hand_is_accepted() -> None:
    token = hs256(SECRET, {"typ": "JWT", "alg": "HS256", "kid": "x"}, claims(jti="abc"))
    assert read_token(SECRET, token, now=NOW).token_id == "abc"


def test_expiry_is_checked_on_every_read() -> None:
    token, _ = issue_token(SECRET, "usr_dev", now=NOW, ttl_seconds=60)
    assert read_token(SECRET, token, now=NOW + 59.9).user_id == "usr_dev"
    for late in (NOW + 60, NOW + 10_000):
        with pytest.raises(TokenError, match="expired"):
            read_token(SECRET, token, now=late)
    assert read_token(SECRET, token, now=NOW).user_id == "usr_dev"  # the cache keeps no verdict


def test_another_secret_is_a_signature_error() -> None:
    token, _ = issue_token(SECRET, "usr_dev", now=NOW, ttl_seconds=60)
    with pytest.raises(TokenError, match="signature is not valid for this platform"):
        read_token(SECRET + "x", token, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "typ": "JWT"},
        {"alg": "None"},
        {"alg": "HS384"},
        {"alg": "HS512"},
        {"alg": "RS256"},
        {"alg": "ES256"},
        {"alg": "hs256"},
        {"typ": "JWT"},
        {"alg": ["HS256"]},
        {"alg": "HS256", "crit": ["exp"]},
    ],
)
def test_only_hs256_is_accepted(header: dict[str, object]) -> None:
    with pytest.raises(TokenError, match=r"algorithm|critical"):
        read_token(SECRET, hs256(SECRET, header, claims()), now=NOW)


def test_an_unsigned_token_is_refused() -> None:
    unsigned = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims())}."
    with pytest.raises(TokenError):
        read_token(SECRET, unsigned, now=NOW)
    empty_signature = hs256(SECRET, {"alg": "HS256"}, claims()).rsplit(".", 1)[0] + "."
    with pytest.raises(TokenError, match="signature"):
        read_token(SECRET, empty_signature, now=NOW)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (claims(iss=None), "issuer"),
        (claims(iss="someone-else"), "issuer"),
        (claims(sub=None), "sub"),
        (claims(sub=""), "sub"),
        (claims(sub=7), "sub"),
        (claims(iat=None), "iat"),
        (claims(exp=None), "exp"),
        (claims(exp="soon"), "exp"),
        (claims(exp=1.5), "exp"),
        (claims(exp=True), "exp"),
        (["not", "an", "object"], "object"),
    ],
)
def test_claims_are_required_and_typed(payload: object, reason: str) -> None:
    with pytest.raises(TokenError, match=reason):
        read_token(SECRET, hs256(SECRET, {"alg": "HS256"}, payload), now=NOW)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.e30.e30",
        "e30.e30.e30=",  # padding is not base64url as JWS spells it
        "e30.e30.é",
        "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln",  # the payload is not JSON
        "bm90IGpzb24.e30.c2ln",  # the header is not JSON
        "eyJhbGciOiJIUzI1NiJ9.e30." + "A" * 10_000,
    ],
)
def test_malformed_tokens_are_errors_not_crashes(token: str) -> None:
    with pytest.raises(TokenError):
        read_token(SECRET, token, now=NOW)


def test_a_non_canonical_spelling_of_the_signature_is_refused() -> None:
    token, _ = issue_token(SECRET, "usr_dev", now=NOW, ttl_seconds=60)
    head, signature = token.rsplit(".", 1)
    # 32 bytes are 43 characters: the last one carries 2 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    for spare in (1, 2, 3):
        other = signature[:-1] + alphabet[last ^ spare]
        assert base64.urlsafe_b64decode(other + "=") == base64.urlsafe_b64decode(signature + "=")
        with pytest.raises(TokenError, match="canonical"):
            read_token(SECRET, f"{head}.{other}", now=NOW)


secrets_ = st.text(min_size=1, max_size=64)
user_ids = st.text(min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(secret=secrets_, user_id=user_ids, ttl=st.integers(1, 10**7), now=st.integers(0, 2**40))
def test_round_trip(secret: str, user_id: str, ttl: int, now: int) -> None:
    token, expires = issue_token(secret, user_id, now=now, ttl_seconds=ttl)
    read = read_token(secret, token, now=now)
    assert (read.user_id, read.issued_at, read.expires_at) == (user_id, now, expires)
    assert expires == now + ttl
    with pytest.raises(TokenError, match="expired"):
        read_token(secret, token, now=expires)


@settings(max_examples=300, deadline=None)
@given(
    user_id=user_ids,
    position=st.integers(min_value=0),
    replacement=st.sampled_from(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/"
    ),
)
def test_changing_any_character_is_refused(user_id: str, position: int, replacement: str) -> None:
    token, _ = issue_token(SECRET, user_id, now=NOW, ttl_seconds=60)
    index = position % len(token)
    if token[index] == replacement:
        return
    tampered = token[:index] + replacement + token[index + 1 :]
    with pytest.raises(TokenError):
        read_token(SECRET, tampered, now=NOW)


@settings(max_examples=200, deadline=None)
@given(
    payload=st.dictionaries(
        st.text(max_size=8),
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        max_size=6,
    )
)
def test_claims_signed_with_another_key_are_refused(payload: dict[str, object]) -> None:
    forged = hs256("not-the-secret", {"alg": "HS256", "typ": "JWT"}, {**claims(), **payload})
    with pytest.raises(TokenError, match="signature"):
        read_token(SECRET, forged, now=NOW)


@settings(max_examples=200, deadline=None)
@given(
    user_id=user_ids,
    changes=st.dictionaries(
        st.sampled_from(["sub", "iat", "exp", "jti"]),
        st.integers() | st.text(max_size=8),
        min_size=1,
    ),
)
def test_a_payload_swapped_under_a_valid_signature_is_refused(
    user_id: str, changes: dict[str, object]
) -> None:
    token, _ = issue_token(SECRET, user_id, now=NOW, ttl_seconds=60)
    header, payload, signature = token.split(".")
    original = json.loads(base64.urlsafe_b64decode(payload + "=="))
    altered = {**original, **changes}
    if altered == original:
        return
    with pytest.raises(TokenError, match="signature"):
        read_token(SECRET, f"{header}.{segment(altered)}.{signature}", now=NOW)


def test_the_local_platform_no_longer_imports_pyjwt_or_cryptography() -> None:
    code = (
        "import sys\n"
        "from flow_sdk_local._platform import platform_for\n"
        "platform_for('local://memory-jwt-check')\n"
        "from flow_sdk_local import _jwt, _auth, _asgi\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('jwt', 'cryptography'))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def test_signing_is_the_documented_function() -> None:
    assert sign(SECRET, claims()) == hs256(SECRET, {"alg": "HS256", "typ": "JWT"}, claims())
