"""The conventions of the platform API (docs/openapi.json), over raw HTTP in both modes."""

from __future__ import annotations

import pytest

from .conftest import with_widgets

pytestmark = [with_widgets, pytest.mark.usefixtures("flow_transport_mode")]

W = "/api/v1/orgs/org_dev/workspaces/ws_dev/components/widget"


def test_every_response_has_a_request_id(local_platform):
    http = local_platform.http()
    for response in (
        http.get("/api/v1/auth/me"),
        http.get("/no/such/route"),
        http.post(W, json={"name": 1}),
        local_platform.http(authenticated=False).get("/api/v1/auth/me"),
        http.get("/_local/health"),
    ):
        assert response.headers["x-request-id"].startswith("req_"), response.status_code
    ids = {http.get("/api/v1/auth/me").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_errors_have_detail_and_code(local_platform):
    response = local_platform.http().get("/api/v1/nothing/here")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "route_not_found"
    assert "/openapi.json" in body["detail"]


def test_wrong_method_is_405_with_allow(local_platform):
    response = local_platform.http().put("/api/v1/auth/me")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "missing_token"),
        ("Basic abc", "bad_token"),
        ("Bearer not-a-jwt", "bad_token"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfZGV2In0.c2lnbmF0dXJl", "bad_token"),
    ],
)
def test_missing_or_bad_token_is_401(local_platform, authorization, code):
    http = local_platform.http(authenticated=False)
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get("/api/v1/tenants/orgs", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_401(local_platform):
    token = local_platform.token(ttl_minutes=1)
    http = local_platform.http(token=token)
    assert http.get("/api/v1/auth/me").status_code == 200
    local_platform.advance_clock(61)
    response = http.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_bad_body_is_422_naming_the_field(local_platform):
    http = local_platform.http()
    response = http.post(W, json={"name": "a", "spec": []})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "spec"], "msg": "Expected `object`, got `array`"}],
        "code": "validation_error",
    }
    missing = http.post(W, json={"description": "no name"}).json()
    assert missing["detail"] == [{"loc": ["body", "name"], "msg": "field required"}]
    not_json = http.post(W, content=b"{nope", headers={"content-type": "application/json"})
    assert not_json.status_code == 422
    assert not_json.json()["detail"][0]["loc"] == ["body"]


def test_create_is_201_with_location_and_delete_is_204(local_platform):
    http = local_platform.http()
    created = http.post(W, json={"name": "w"})
    assert created.status_code == 201
    widget = created.json()
    assert created.headers["location"] == f"{W}/{widget['id']}"
    assert created.headers["etag"] == '"1"'
    deleted = http.delete(f"{W}/{widget['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert http.get(f"{W}/{widget['id']}").status_code == 404


def test_if_match_guards_patch_and_delete(local_platform):
    http = local_platform.http()
    widget = http.post(W, json={"name": "w"}).json()
    item = f"{W}/{widget['id']}"
    assert http.patch(item, json={"name": "v2"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = http.patch(item, json={"name": "v3"}, headers={"If-Match": "1"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict"
    assert "current version is 2" in stale.json()["detail"]
    assert http.delete(item, headers={"If-Match": "1"}).status_code == 409
    assert http.patch(item, json={"name": "x"}, headers={"If-Match": "two"}).status_code == 400
    assert http.delete(item, headers={"If-Match": "2"}).status_code == 204


def test_patch_without_if_match_changes_only_the_fields_sent(local_platform):
    http = local_platform.http()
    widget = http.post(W, json={"name": "w", "description": "d", "spec": {"a": 1}}).json()
    updated = http.patch(f"{W}/{widget['id']}", json={"spec": {"b": 2}}).json()
    assert (updated["name"], updated["description"], updated["spec"]) == ("w", "d", {"b": 2})
    assert updated["version"] == 2
    assert updated["created_at"] == widget["created_at"]
    assert updated["updated_at"] >= widget["updated_at"]


def test_idempotency_key_replays_the_first_result(local_platform):
    http = local_platform.http()
    headers = {"Idempotency-Key": "key-1"}
    first = http.post(W, json={"name": "once"}, headers=headers)
    again = http.post(W, json={"name": "once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert len(http.get(W).json()["items"]) == 1
    other = http.post(W, json={"name": "different"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"


def test_idempotency_keys_expire_after_24_hours(local_platform):
    http = local_platform.http()
    headers = {"Idempotency-Key": "key-2"}
    first = http.post(W, json={"name": "a"}, headers=headers).json()
    local_platform.advance_clock(24 * 3600 + 1)
    http = local_platform.http()  # the old token expired with the clock
    second = http.post(W, json={"name": "a"}, headers=headers).json()
    assert second["id"] != first["id"]


def test_failed_requests_are_not_remembered(local_platform):
    http = local_platform.http()
    headers = {"Idempotency-Key": "key-3"}
    assert http.post(W, json={"name": ""}, headers=headers).status_code == 422
    assert http.post(W, json={"name": "ok"}, headers=headers).status_code == 201


def test_cursor_pages(local_platform):
    http = local_platform.http()
    ids = [http.post(W, json={"name": f"w{i}"}).json()["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = http.get(W, params=params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3
    default = http.get(W).json()
    assert len(default["items"]) == 7
    assert default["next_cursor"] is None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"limit": "x"}, {"cursor": "!!"}])
def test_bad_page_parameters_are_422(local_platform, params):
    response = local_platform.http().get(W, params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_limit_of_500_is_allowed(local_platform):
    assert local_platform.http().get(W, params={"limit": 500}).status_code == 200


def test_auth_errors_read_well_after_the_clients_redaction(flow_client_inprocess, local_platform):
    from flow_sdk import CLIAuthenticationError, CLIClient, FlowConfig

    anonymous = CLIClient(FlowConfig(platform_url=local_platform.url, org_id="org_dev"))
    with pytest.raises(CLIAuthenticationError) as err:
        anonymous.list_orgs()
    anonymous.close()
    assert "<redacted>" not in str(err.value)
    assert "missing access token" in str(err.value)


def test_head_answers_like_get_without_a_body(local_platform):
    response = local_platform.http().head("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["x-request-id"]


def test_auth_and_tenant_come_before_body_validation(local_platform):
    anonymous = local_platform.http(authenticated=False).post(W, json={"name": 5})
    assert anonymous.status_code == 401
    other = local_platform.create_tenant()
    foreign = f"/api/v1/orgs/{other['org_id']}/workspaces/{other['workspace_id']}/components/widget"
    assert local_platform.http().post(foreign, json={"name": 5}).status_code == 404
