"""Secret redaction: keys, JWTs, bearer tokens and DSN passwords, in text, URLs and headers."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flow_sdk._redact import REDACTED, redact_headers, redact_text, redact_url

KEY = "fl_live_abcdef123456"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig_nature-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {KEY} bad", f"key {REDACTED} bad"),
        (f"token={JWT};", f"token={REDACTED};"),
        ("Authorization: Bearer abc.def", f"Authorization: Bearer {REDACTED}"),
        ("bearer xyz, next", f"bearer {REDACTED}, next"),
        (
            "postgresql://flow:s3cr3t@db:5432/app failed",
            f"postgresql://flow:{REDACTED}@db:5432/app failed",
        ),
        ("nothing secret here: fl_ab", "nothing secret here: fl_ab"),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_redact_url_userinfo_and_secret_query_names() -> None:
    url = f"https://bob:pw123456@flow.example/api?api_key={KEY}&x=1&access_token=abc&Signature=s"
    redacted = redact_url(url)
    assert "bob" not in redacted
    assert "pw123456" not in redacted
    assert KEY not in redacted
    assert "abc" not in redacted.split("?")[1].replace("access_token", "")
    assert "x=1" in redacted
    assert redacted.startswith(f"https://{REDACTED}@flow.example/api?")


def test_redact_url_finds_encoded_secrets() -> None:
    dsn = "postgresql://u:hunter2hunter2@db/x"
    url = f"http://flow.test/a/{quote(dsn, safe='')}?dsn={quote(dsn, safe='')}#{quote(dsn)}"
    redacted = redact_url(url)
    assert "hunter2hunter2" not in redacted
    assert "flow.test/a/" in redacted


def test_redact_url_leaves_ordinary_urls_alone() -> None:
    url = "http://flow.test/api/v1/orgs/o%2F1/things?limit=5&cursor=abc%3D"
    assert redact_url(url) == url


def test_redact_url_of_garbage_is_still_redacted() -> None:
    assert KEY not in redact_url(f"http://[bad/{KEY}")


def test_redact_headers() -> None:
    headers = {
        "Authorization": f"Bearer {JWT}",
        "Cookie": "session=1",
        "X-API-Key": "anything",
        "X-Note": f"key is {KEY}",
        "Accept": "application/json",
    }
    assert redact_headers(headers) == {
        "Authorization": REDACTED,
        "Cookie": REDACTED,
        "X-API-Key": REDACTED,
        "X-Note": f"key is {REDACTED}",
        "Accept": "application/json",
    }


def test_httpxs_own_log_line_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs every request's full URL at INFO; a client redacts what it writes."""
    import logging

    import httpx
    from flow_sdk import CLIClient, FlowConfig

    secret = "fl_live_0123456789abcdef"
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=[]))
    config = FlowConfig(platform_url="http://flow.test", access_token="t", org_id="o")
    with (
        CLIClient(config, transport=transport, plugins=[]) as client,
        caplog.at_level(logging.INFO, logger="httpx"),
    ):
        client.list_orgs.with_options(extra_query={"api_key": secret})()
        client.list_orgs.with_options(extra_query={"note": secret})()
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert len(lines) == 2
    assert all("HTTP Request: GET http://flow.test/api/v1/tenants/orgs" in line for line in lines)
    assert all(secret not in line for line in lines)
