"""Auth end to end: key exchange, real JWT expiry and refresh, CLI logins, hashed keys."""

from __future__ import annotations

import base64
import json

import pytest
from flow_sdk import CLIAuthenticationError, CLIClient, CLIClientError, CLIConflictError


def test_exchange_api_key_gives_a_signed_jwt_with_the_ttl(flow_client, local_platform):
    token = CLIClient.exchange_api_key(local_platform.url, local_platform.api_key, ttl_minutes=5)
    header, payload = (
        json.loads(base64.urlsafe_b64decode(part + "==")) for part in token.split(".")[:2]
    )
    assert payload["sub"] == "usr_dev"
    assert payload["exp"] - payload["iat"] == 300
    assert header["alg"] == "HS256"


def test_token_reply_has_type_and_expiry(local_platform):
    reply = local_platform.http(authenticated=False).post(
        "/api/v1/auth/token", json={"api_key": local_platform.api_key, "ttl_minutes": 2}
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "bearer"
    assert body["expires_at"].endswith("Z")


@pytest.mark.usefixtures("flow_transport_mode")
@pytest.mark.parametrize("key", ["fl_nope", "fl_abc_def", "not-a-key", "fl_" + "x" * 40])
def test_a_wrong_key_fails_the_exchange_with_401(local_platform, key):
    with pytest.raises(CLIAuthenticationError, match=r"API key exchange failed \(401\)") as err:
        CLIClient.exchange_api_key(local_platform.url, key)
    assert key not in str(err.value)


@pytest.mark.usefixtures("flow_transport_mode")
@pytest.mark.parametrize("ttl", [0, -1, 30 * 24 * 60 + 1])
def test_ttl_out_of_range_is_refused(local_platform, ttl):
    with pytest.raises(CLIAuthenticationError, match=r"\(422\).*ttl_minutes"):
        CLIClient.exchange_api_key(local_platform.url, local_platform.api_key, ttl_minutes=ttl)


def test_expired_token_is_refreshed_once_by_the_client(flow_client, local_platform):
    assert flow_client.get_current_user()["id"] == "usr_dev"
    source = flow_client._token_source
    assert source.exchanges == 1
    local_platform.advance_clock(61 * 60)
    assert flow_client.get_current_user()["id"] == "usr_dev"
    assert source.exchanges == 2


def test_token_from_another_platform_is_rejected(local_platform):
    from flow_sdk_local import LocalPlatform

    other = LocalPlatform("local://memory-other-secret")
    try:
        foreign = other.handle(
            "POST",
            "/api/v1/auth/token",
            "",
            {},
            f'{{"api_key": "{other.dev_api_key}"}}'.encode(),
        )
        token = __import__("json").loads(foreign.body)["access_token"]
    finally:
        other.close()
    with pytest.raises(CLIAuthenticationError, match="signature"):
        CLIClient.get_current_user_with_token(local_platform.url, token)


def test_reset_invalidates_old_tokens(local_platform):
    token = local_platform.token()
    local_platform.reset()
    with pytest.raises(CLIAuthenticationError):
        CLIClient.get_current_user_with_token(local_platform.url, token)


def test_cli_login_approved_hands_out_the_token_once(flow_client, local_platform):
    request = CLIClient.create_cli_login_request(local_platform.url)
    assert request["status"] == "pending"
    assert request["id"].startswith("clr_")
    assert len(request["user_code"]) == 9
    assert request["poll_interval"] >= 1
    http = local_platform.http(authenticated=False)
    poll = f"/api/v1/auth/cli-login-requests/{request['id']}"
    assert http.get(poll).json()["status"] == "pending"
    local_platform.approve_login(request["user_code"])
    first = http.get(poll).json()
    assert first["status"] == "approved"
    user = CLIClient.get_current_user_with_token(local_platform.url, first["access_token"])
    assert user["id"] == "usr_dev"
    second = http.get(poll).json()
    assert second["status"] == "approved"
    assert "access_token" not in second


def test_cli_login_can_be_approved_by_a_signed_in_user(flow_client, local_platform):
    request = CLIClient.create_cli_login_request(local_platform.url)
    path = f"/api/v1/auth/cli-login-requests/{request['id']}"
    approved = flow_client._call("POST", f"{path}/approve")
    assert approved["status"] == "approved"
    with pytest.raises(CLIConflictError, match="approved, not pending"):
        flow_client._call("POST", f"{path}/deny")


def test_approving_needs_a_signed_in_user(local_platform):
    request = CLIClient.create_cli_login_request(local_platform.url)
    response = local_platform.http(authenticated=False).post(
        f"/api/v1/auth/cli-login-requests/{request['id']}/approve"
    )
    assert response.status_code == 401


def test_denied_and_expired_login_requests(local_platform):
    http = local_platform.http(authenticated=False)
    denied = CLIClient.create_cli_login_request(local_platform.url)
    local_platform.deny_login(denied["id"])
    assert http.get(f"/api/v1/auth/cli-login-requests/{denied['id']}").json()["status"] == "denied"
    late = CLIClient.create_cli_login_request(local_platform.url)
    local_platform.advance_clock(601)
    view = http.get(f"/api/v1/auth/cli-login-requests/{late['id']}").json()
    assert view["status"] == "expired"
    assert "access_token" not in view
    with pytest.raises(Exception, match="expired, not pending"):
        local_platform.approve_login(late["user_code"])


def test_unknown_login_request_is_404(local_platform):
    response = local_platform.http(authenticated=False).get("/api/v1/auth/cli-login-requests/x")
    assert response.status_code == 404


def test_login_request_failure_message(local_platform):
    local_platform.inject_faults("503", count=1, path_prefix="/api/v1/auth/cli-login")
    with pytest.raises(CLIClientError, match=r"CLI login request failed \(503\)"):
        CLIClient.create_cli_login_request(local_platform.url)


def test_api_keys_are_shown_once_and_stored_only_as_hashes(flow_client, local_platform):
    created = flow_client._call("POST", flow_client._org_url("api-keys"), json={"name": "ci"})
    key = created["key"]
    assert key.startswith("fl_")
    assert created["prefix"] == key[:9]
    secret_part = key.split("_", 2)[2]
    dump = "\n".join(local_platform.store._conn.iterdump())
    assert key not in dump
    assert secret_part not in dump
    listed = flow_client._call("GET", flow_client._org_url("api-keys"))["items"]
    assert all("key" not in item for item in listed)
    assert created["id"] in [item["id"] for item in listed]
    assert CLIClient.exchange_api_key(local_platform.url, key)


def test_revoked_key_cannot_be_exchanged(flow_client, local_platform):
    created = flow_client._call("POST", flow_client._org_url("api-keys"), json={})
    flow_client._call("DELETE", flow_client._org_url(f"api-keys/{created['id']}"))
    with pytest.raises(CLIAuthenticationError, match="401"):
        CLIClient.exchange_api_key(local_platform.url, created["key"])


def test_me_lists_the_callers_orgs(flow_client):
    me = flow_client.get_current_user()
    assert me == {
        "id": "usr_dev",
        "email": "dev@flow.local",
        "name": "Local Developer",
        "orgs": [{"id": "org_dev", "name": "Development", "slug": "dev"}],
    }


def test_verification_page_approves_the_request(local_platform):
    request = CLIClient.create_cli_login_request(local_platform.url)
    http = local_platform.http(authenticated=False)
    path = request["verification_url"].split("://", 1)[1].partition("/")[2]
    page = http.get(f"/{path}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    action = f'action="/_local/cli-login-requests/{request["id"]}/approve"'
    assert action in page.text
    assert http.post(f"/_local/cli-login-requests/{request['id']}/approve").status_code == 200
    polled = http.get(f"/api/v1/auth/cli-login-requests/{request['id']}").json()
    assert polled["status"] == "approved"
    assert polled["access_token"]
