"""The seven instance methods of the reference interface (docs/interface.md),
and the client's construction.

Each method is checked for method, path, headers (Authorization, User-Agent,
Idempotency-Key on POST), body, timeout, result and its error branches.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from flow_sdk import (
    CLIAuthenticationError,
    CLIClient,
    CLIClientError,
    CLIConnectionError,
    CLINotFoundError,
    CLIPermissionError,
    CLIServerError,
    CLIValidationError,
    FlowConfig,
)
from flow_sdk._transport import USER_AGENT, SafeClient
from flow_sdk.cli_client import _SafeSyncClient
from flow_sdk.testing import RecordingTransport

from .conftest import PLATFORM, TENANT, TOKEN, MakeClient

THIRTY = dict.fromkeys(("connect", "read", "write", "pool"), 30.0)


def check_common(request: httpx.Request, method: str, path: str) -> None:
    assert request.method == method
    assert request.url.raw_path.decode().split("?")[0] == path
    assert str(request.url).startswith(PLATFORM + "/")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.extensions["timeout"] == THIRTY
    if method in ("POST", "PATCH"):
        assert request.headers["Idempotency-Key"]
        assert request.headers["Content-Type"] == "application/json"
    else:
        assert "Idempotency-Key" not in request.headers


# construction


def test_construction_keeps_config_and_does_no_io(make_client: MakeClient) -> None:
    client, transport = make_client()
    assert isinstance(client.config, FlowConfig)
    assert transport.requests == []
    assert isinstance(client._client, SafeClient)
    assert _SafeSyncClient is SafeClient
    assert str(client._http.base_url) == PLATFORM
    assert client._http.timeout.read == 30.0
    assert client._http.headers["Authorization"] == f"Bearer {TOKEN}"


def test_repr_shows_no_secret(make_client: MakeClient) -> None:
    client, _ = make_client(api_key="fl_live_abcdefgh12345678")
    text = repr(client) + str(client) + repr(client.config) + str(client.config)
    assert TOKEN not in text
    assert "fl_live_abcdefgh12345678" not in text
    assert "org_1" in repr(client)


def test_configured_timeout_is_used(make_client: MakeClient) -> None:
    client, transport = make_client([], timeout=4.0)
    client.list_orgs()
    assert transport.last.extensions["timeout"]["read"] == 4.0


def test_context_manager_closes(make_client: MakeClient) -> None:
    client, _ = make_client()
    with client as entered:
        assert entered is client
    assert client._http.is_closed


def test_injected_http_client_gets_base_url_and_token(config: FlowConfig) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = CLIClient(config, http_client=http, plugins=[])
    client.list_orgs()
    assert str(seen[0].url) == f"{PLATFORM}/api/v1/tenants/orgs"
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert client._http is http


def test_injected_http_client_keeps_its_own_base_url(config: FlowConfig) -> None:
    seen: list[httpx.Request] = []
    http = httpx.Client(
        base_url="http://proxy.test/flow",
        transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json=[])),
    )
    CLIClient(config, http_client=http, plugins=[]).list_orgs()
    assert str(seen[0].url) == "http://proxy.test/flow/api/v1/tenants/orgs"


def test_no_token_sends_no_authorization(make_client: MakeClient) -> None:
    client, transport = make_client([], access_token=None)
    client.list_orgs()
    assert "Authorization" not in transport.last.headers


def test_the_default_platform_without_the_local_plugin_says_what_to_install() -> None:
    client = CLIClient(FlowConfig(), plugins=[])
    with pytest.raises(CLIConnectionError) as info:
        client.list_orgs()
    assert "flow-sdk-local" in (info.value.hint or "")


# create_component


def test_create_component(make_client: MakeClient) -> None:
    created = {"id": "cmp_1", "type": "agent", "name": "a", "version": 1}
    client, transport = make_client(httpx.Response(201, json=created))
    data = {"name": "a", "spec": {"model": "m"}}
    assert client.create_component("agent", data) == created
    check_common(transport.last, "POST", f"{TENANT}/components/agent")
    assert json.loads(transport.last.content) == data


def test_create_component_encodes_the_type(make_client: MakeClient) -> None:
    client, transport = make_client({})
    client.create_component("a/../b c", {})
    assert transport.last.url.raw_path == f"{TENANT}/components/a%2F..%2Fb%20c".encode()


def test_create_component_needs_org_and_workspace(make_client: MakeClient) -> None:
    client, transport = make_client({}, workspace_id=None)
    with pytest.raises(CLIClientError) as info:
        client.create_component("agent", {})
    assert info.value.message == "no workspace_id is configured"
    assert "FLOW_WORKSPACE_ID" in (info.value.hint or "")
    assert "flow workspaces use" in (info.value.hint or "")
    client, _ = make_client({}, org_id=None)
    with pytest.raises(CLIClientError, match="no org_id is configured"):
        client.create_component("agent", {})
    assert transport.requests == []


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (400, CLIValidationError),
        (401, CLIAuthenticationError),
        (403, CLIPermissionError),
        (404, CLINotFoundError),
        (422, CLIValidationError),
        (500, CLIServerError),
    ],
)
def test_create_component_errors(
    make_client: MakeClient, code: int, cls: type[CLIClientError]
) -> None:
    client, _ = make_client(
        httpx.Response(code, json={"detail": "why", "code": "c"}, headers={"X-Request-ID": "r"})
    )
    with pytest.raises(cls) as info:
        client.create_component("agent", {"name": "a"})
    assert info.value.status_code == code
    assert info.value.detail == "why"
    assert info.value.request_id == "r"
    assert info.value.message == f"POST {TENANT}/components/agent failed ({code}): why"


def test_create_component_is_retried_with_one_key(make_client: MakeClient) -> None:
    client, transport = make_client(httpx.Response(503), {"id": "cmp_1"})
    assert client.create_component("agent", {"name": "a"}) == {"id": "cmp_1"}
    keys = {r.headers["Idempotency-Key"] for r in transport.requests}
    assert len(transport.requests) == 2
    assert len(keys) == 1


# list_orgs, list_workspaces, verify_credentials, get_current_user


def test_list_orgs(make_client: MakeClient) -> None:
    orgs = [{"id": "org_1", "name": "Dev", "slug": "dev"}]
    client, transport = make_client(orgs)
    assert client.list_orgs() == orgs
    check_common(transport.last, "GET", "/api/v1/tenants/orgs")
    assert transport.last.content == b""


def test_list_orgs_needs_no_tenant(make_client: MakeClient) -> None:
    client, _ = make_client([], org_id=None, workspace_id=None)
    assert client.list_orgs() == []


def test_list_workspaces(make_client: MakeClient) -> None:
    spaces = [{"id": "ws_1", "org_id": "org 2", "name": "Main"}]
    client, transport = make_client(spaces)
    assert client.list_workspaces("org 2") == spaces
    check_common(transport.last, "GET", "/api/v1/tenants/orgs/org%202/workspaces")


def test_list_workspaces_refuses_an_empty_org(make_client: MakeClient) -> None:
    client, transport = make_client([])
    with pytest.raises(CLIClientError, match="org_id is empty"):
        client.list_workspaces("")
    assert transport.requests == []


def test_list_workspaces_not_found(make_client: MakeClient) -> None:
    client, _ = make_client(httpx.Response(404, json={"detail": "no such org"}))
    with pytest.raises(CLINotFoundError, match="no such org"):
        client.list_workspaces("org_x")


def test_verify_credentials(make_client: MakeClient) -> None:
    client, transport = make_client([])
    assert client.verify_credentials() is True
    check_common(transport.last, "GET", "/api/v1/tenants/orgs")


def test_verify_credentials_propagates_errors(make_client: MakeClient) -> None:
    client, _ = make_client(httpx.Response(401, json={"detail": "expired"}))
    with pytest.raises(CLIAuthenticationError):
        client.verify_credentials()


def test_get_current_user(make_client: MakeClient) -> None:
    me = {"id": "usr_1", "email": "a@b.c", "name": "A", "orgs": []}
    client, transport = make_client(me)
    assert client.get_current_user() == me
    check_common(transport.last, "GET", "/api/v1/auth/me")


def test_get_current_user_401(make_client: MakeClient) -> None:
    client, _ = make_client(httpx.Response(401, json={"detail": "bad token"}))
    with pytest.raises(CLIAuthenticationError) as info:
        client.get_current_user()
    assert info.value.message == "GET /api/v1/auth/me failed (401): bad token"


# execute_ddl


DDL_PATH = "/api/v1/connectors/instances/ci_1/execute-ddl"


def test_execute_ddl_preview(make_client: MakeClient) -> None:
    preview = {"executed": False, "statements": [{"sql": "CREATE TABLE t (a int)"}]}
    client, transport = make_client(preview)
    assert client.execute_ddl("ci_1", "CREATE TABLE t (a int)") == preview
    check_common(transport.last, "POST", DDL_PATH)
    assert json.loads(transport.last.content) == {
        "scope_type": "workspace",
        "scope_id": "ws_1",
        "sql": "CREATE TABLE t (a int)",
        "confirm": False,
    }


def test_execute_ddl_confirm_with_scope_and_reason(make_client: MakeClient) -> None:
    client, transport = make_client({"executed": True})
    client.execute_ddl(
        "ci/1", "DROP TABLE t", confirm=True, scope_type="org", scope_id="org_9", reason="cleanup"
    )
    assert transport.last.url.raw_path == b"/api/v1/connectors/instances/ci%2F1/execute-ddl"
    assert json.loads(transport.last.content) == {
        "scope_type": "org",
        "scope_id": "org_9",
        "sql": "DROP TABLE t",
        "confirm": True,
        "reason": "cleanup",
    }


def test_execute_ddl_without_workspace_sends_null_scope(make_client: MakeClient) -> None:
    client, transport = make_client({}, workspace_id=None)
    client.execute_ddl("ci_1", "SELECT 1", scope_type="org")
    assert json.loads(transport.last.content)["scope_id"] is None


def test_execute_ddl_errors(make_client: MakeClient) -> None:
    detail = [{"loc": ["body", "reason"], "msg": "a destructive statement needs a reason"}]
    client, _ = make_client(httpx.Response(422, json={"detail": detail}))
    with pytest.raises(CLIValidationError) as info:
        client.execute_ddl("ci_1", "DROP TABLE t", confirm=True)
    assert "reason: a destructive statement needs a reason" in info.value.message


# invoke_service


def test_invoke_service(make_client: MakeClient) -> None:
    client, transport = make_client({"sum": 3})
    result = client.invoke_service(
        "svc_1", "post", "/add", body={"a": 1, "b": 2}, query={"round": True, "skip": None}
    )
    assert result == {"sum": 3}
    check_common(transport.last, "POST", "/api/v1/orgs/org_1/services/svc_1/add")
    assert json.loads(transport.last.content) == {"a": 1, "b": 2}
    assert dict(transport.last.url.params) == {"round": "true"}


def test_invoke_service_with_version_and_list_result(make_client: MakeClient) -> None:
    client, transport = make_client([1, 2])
    assert client.invoke_service("svc 1", "GET", "items/all", version=2) == [1, 2]
    check_common(transport.last, "GET", "/api/v1/orgs/org_1/services/svc%201/v2/items/all")


def test_invoke_service_strips_only_leading_slashes(make_client: MakeClient) -> None:
    client, transport = make_client({})
    client.invoke_service("s", "delete", "//a/b/", version="3")
    assert transport.last.url.raw_path == b"/api/v1/orgs/org_1/services/s/v3/a/b/"
    assert transport.last.method == "DELETE"


@pytest.mark.parametrize("path", ["../../datasets", "a/./b", "..", "x/..?q=1"])
def test_invoke_service_refuses_dot_segments(make_client: MakeClient, path: str) -> None:
    client, transport = make_client({})
    with pytest.raises(CLIClientError, match="would leave the service"):
        client.invoke_service("s", "GET", path)
    assert transport.requests == []


def test_invoke_service_refuses_control_characters(make_client: MakeClient) -> None:
    client, transport = make_client({})
    with pytest.raises(CLIClientError) as info:
        client.invoke_service("s", "GET", "a\x01b")
    assert "control characters" in (info.value.hint or "")
    assert transport.requests == []


def test_invoke_service_needs_an_org(make_client: MakeClient) -> None:
    client, _ = make_client({}, org_id=None)
    with pytest.raises(CLIClientError, match="no org_id is configured"):
        client.invoke_service("s", "GET", "x")


def test_invoke_service_error(make_client: MakeClient) -> None:
    client, _ = make_client(httpx.Response(404, json={"detail": "no endpoint GET /x"}))
    with pytest.raises(CLINotFoundError, match="no endpoint GET /x"):
        client.invoke_service("s", "GET", "x")


# the reference's private helpers


def test_tenant_url_and_handle_response(make_client: MakeClient) -> None:
    client, _ = make_client()
    assert client._tenant_url("datasets") == f"{TENANT}/datasets"
    request = httpx.Request("GET", f"{PLATFORM}/x")
    ok = httpx.Response(200, json={"a": 1}, request=request)
    assert client._handle_response(ok) == {"a": 1}
    bad = httpx.Response(409, json={"detail": "stale"}, request=request)
    with pytest.raises(CLIClientError) as info:
        client._handle_response(bad)
    assert info.value.status_code == 409


def test_handle_response_of_an_empty_success(make_client: MakeClient) -> None:
    client, _ = make_client()
    request = httpx.Request("DELETE", f"{PLATFORM}/x")
    assert client._handle_response(httpx.Response(204, request=request)) is None


def test_client_is_usable_from_threads(make_client: MakeClient) -> None:
    import threading

    client, transport = make_client([])
    errors: list[Any] = []

    def work() -> None:
        try:
            for _ in range(10):
                client.list_orgs()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(transport.requests) == 40


def test_config_max_retries_reaches_the_transport(make_client: MakeClient) -> None:
    client, transport = make_client(httpx.Response(503), [])
    assert client.list_orgs() == []  # the default: 2 retries
    assert len(transport.requests) == 2
    client, transport = make_client(httpx.Response(503), [], max_retries=0)
    with pytest.raises(CLIServerError):
        client.list_orgs()
    assert len(transport.requests) == 1


def test_the_default_client_sleeps_between_retries(config: FlowConfig) -> None:
    transport = RecordingTransport(httpx.Response(503), [])
    sleeps: list[float] = []
    client = CLIClient(config, transport=transport, plugins=[], sleep=sleeps.append)
    client.list_orgs()
    assert len(sleeps) == 1
    assert 0.0 <= sleeps[0] <= 0.25


def test_private_helpers_and_reprs(make_client: MakeClient) -> None:
    from flow_sdk.cli_client import _StaticBearer

    client, _ = make_client()
    assert client._org_url("services") == "/api/v1/orgs/org_1/services"
    assert TOKEN not in repr(_StaticBearer(TOKEN))
    assert repr(client._plugin_host).startswith("PluginHost([")


def test_a_half_built_client_has_no_namespaces() -> None:
    # copy/pickle machinery creates instances without __init__; lookups must not recurse.
    bare = CLIClient.__new__(CLIClient)
    with pytest.raises(AttributeError):
        _ = bare.notes


def test_the_references_private_names_stay(make_client: Any) -> None:
    """Code written against the reference reaches ``_config`` and ``_client``."""
    from flow_sdk.cli_client import _SafeSyncClient

    client, transport = make_client([{"id": "org_1"}])
    assert client._config is client.config
    assert isinstance(client._client, _SafeSyncClient)
    for verb in ("get", "post", "put", "patch", "delete"):
        response = getattr(client._client, verb)("/api/v1/tenants/orgs")
        assert response.status_code == 200
        assert transport.last.method == verb.upper()
    assert client._handle_response(client._client.get("/api/v1/tenants/orgs")) == [{"id": "org_1"}]
