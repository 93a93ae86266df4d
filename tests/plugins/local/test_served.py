"""The served platform (uvicorn on 127.0.0.1): whom it answers, the admin secret of its
control plane, the CSRF-proof login page, and the size and time limits of a request."""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import os
import re
import socket
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flow_sdk.cli import CLISettings, main
from flow_sdk_local import LocalPlatform, LocalServer, forget_platform, platform_for
from flow_sdk_local._platform import AdminSecretError, read_admin_secret
from flow_sdk_local.pytest_plugin import PlatformHandle

from .conftest import widget_plugin

W = "/api/v1/orgs/org_dev/workspaces/ws_dev/components/widget"
ADMIN = "X-Flow-Local-Admin"
TIMEOUT = 0.5  # the served platform's body and head timeouts in this module


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[LocalServer, PlatformHandle]]:
    platform = LocalPlatform(
        f"local://memory-served-{uuid.uuid4().hex[:8]}", plugins=[widget_plugin]
    )
    with LocalServer(platform, body_timeout=TIMEOUT, head_timeout=TIMEOUT) as server:
        yield server, PlatformHandle(platform, server.url, "socket")
    platform.close()


@pytest.fixture
def server(served: tuple[LocalServer, PlatformHandle]) -> LocalServer:
    return served[0]


@pytest.fixture
def handle(served: tuple[LocalServer, PlatformHandle]) -> Iterator[PlatformHandle]:
    handle = served[1]
    yield handle
    handle._close_clients()


@pytest.fixture
def browser(server: LocalServer) -> Iterator[httpx.Client]:
    """A client with no token and no admin secret, as a web browser is."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def bearer(handle: PlatformHandle) -> dict[str, str]:
    return {"Authorization": f"Bearer {handle.token()}"}


# whom it answers


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_its_own_loopback_names_are_answered(server, browser, name):
    response = browser.get("/_local/health", headers={"Host": f"{name}:{server.port}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "host",
    ["attacker.example", "attacker.example:{port}", "127.0.0.1:1", "127.0.0.1", "localhost."],
)
def test_any_other_host_is_403_dns_rebinding(server, browser, handle, host):
    headers = {"Host": host.format(port=server.port)}
    for method, path, extra in (
        ("GET", "/_local/health", {}),
        ("GET", "/api/v1/auth/me", bearer(handle)),
        ("POST", "/api/v1/tenants/orgs", bearer(handle)),
    ):
        response = browser.request(method, path, headers={**headers, **extra}, json={"name": "x"})
        assert response.status_code == 403, (host, path)
        assert response.json()["code"] == "host_not_allowed"
        assert response.headers["x-request-id"].startswith("req_")
        assert response.headers["connection"] == "close"


def test_a_request_without_a_host_is_403(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /_local/health HTTP/1.0\r\n\r\n")
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 403"), answer[:80]
    assert b"host_not_allowed" in answer


@pytest.mark.parametrize("origin", ["http://attacker.example", "null", "http://127.0.0.1:1"])
def test_a_foreign_origin_cannot_change_anything(server, browser, handle, origin):
    headers = {"Origin": origin, **bearer(handle)}
    refused = browser.post("/api/v1/tenants/orgs", json={"name": "csrf"}, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_not_allowed"
    assert browser.delete(f"{W}/cmp_x", headers=headers).status_code == 403
    assert [
        o["name"] for o in browser.get("/api/v1/tenants/orgs", headers=bearer(handle)).json()
    ] == ["Development"]
    # reading is what the same-origin policy protects: a GET of the API is answered
    assert browser.get("/api/v1/auth/me", headers=headers).status_code == 200
    # but nothing of the control plane, not even with the admin secret
    for path in ("/_local/health", "/_local/dev", "/%5Flocal/dev"):
        answer = browser.get(path, headers={"Origin": origin, ADMIN: handle.admin_secret})
        assert answer.status_code == 403, path
        assert answer.json()["code"] == "origin_not_allowed"


def test_its_own_origin_and_programs_without_one_may_change_things(server, browser, handle):
    for headers in ({"Origin": server.url}, {"Origin": f"http://localhost:{server.port}"}, {}):
        created = browser.post(
            "/api/v1/tenants/orgs", json={"name": "ok"}, headers={**headers, **bearer(handle)}
        )
        assert created.status_code == 201, created.text
    handle.reset()


# the control plane's admin secret


@pytest.mark.parametrize("path", ["/_local/dev", "/%5Flocal/dev", "/_local/dev/"])
def test_the_control_plane_needs_the_admin_secret(browser, handle, path):
    refused = browser.get(path)
    assert refused.status_code == 403
    assert refused.json()["code"] == "admin_secret_required"
    assert ADMIN in refused.json()["detail"]
    assert handle.admin_secret not in refused.text
    assert browser.get(path, headers={ADMIN: "wrong"}).status_code == 403
    assert browser.get(path, headers=bearer(handle)).status_code == 403  # a user is no admin
    assert browser.get(path, headers={ADMIN: handle.admin_secret}).status_code == 200


def test_every_control_route_but_health_and_the_login_page_is_guarded(browser, handle):
    for route in handle.platform.app.routes:
        if route.auth != "control":
            continue
        path = route.path.replace("{id}", "clr_x").replace("{org_id}", "org_dev")
        path = path.replace("{workspace_id}", "ws_dev")
        answer = browser.request(route.method, path)
        if (route.method, route.path) in {
            ("GET", "/_local/health"),
            ("GET", "/_local/cli-login/{id}"),
        }:
            assert answer.status_code in (200, 404), route.path
        elif route.path == "/_local/cli-login-requests/{id}/approve":
            assert answer.json()["code"] == "form_token_invalid"
        else:
            assert answer.json()["code"] == "admin_secret_required", (route.method, route.path)


@pytest.mark.usefixtures("flow_transport_mode")
def test_the_fixture_sends_the_admin_secret_and_in_process_needs_none(local_platform):
    assert local_platform.http().get("/_local/dev").status_code == 200
    bare = local_platform.http(admin=False).get("/_local/dev")
    assert bare.status_code == (200 if local_platform.mode == "inprocess" else 403)
    assert local_platform.http(admin=False).get("/_local/health").status_code == 200
    assert local_platform.admin_headers() == {ADMIN: local_platform.admin_secret}


def test_a_file_platforms_secret_is_a_0600_file_in_its_data_directory(flow_config_dir):
    data = Path(os.environ["FLOW_DATA_DIR"])
    platform = LocalPlatform("local://secretive")
    secret = platform.admin_secret
    path = data / "admin-secret"
    assert path.read_text().strip() == secret
    assert len(secret) >= 32
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = LocalPlatform("local://other")
    assert other.admin_secret == secret  # one per data directory, made once
    assert platform.admin_secret_path == path
    with LocalServer(platform) as server:
        answer = httpx.get(f"{server.url}/_local/dev", headers={ADMIN: secret})
        assert answer.status_code == 200
    platform.close()
    other.close()
    assert not [p for p in data.iterdir() if p.name.startswith(".admin-secret")]


def test_the_secret_is_made_once_even_by_racing_starters(tmp_path):
    found: list[str] = []
    threads = [
        threading.Thread(target=lambda: found.append(read_admin_secret(tmp_path))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["admin-secret"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_secret_file_others_may_read_is_refused(tmp_path):
    secret = read_admin_secret(tmp_path)
    path = tmp_path / "admin-secret"
    path.chmod(0o644)
    with pytest.raises(AdminSecretError, match="other users") as error:
        read_admin_secret(tmp_path)
    assert "chmod 600" in (error.value.hint or "")
    path.chmod(0o600)
    assert read_admin_secret(tmp_path) == secret
    path.write_text("short\n")
    with pytest.raises(AdminSecretError, match="no usable secret"):
        read_admin_secret(tmp_path)


# the CLI login page


def _login(browser: httpx.Client) -> tuple[dict[str, str], str, str]:
    request = browser.post("/api/v1/auth/cli-login-requests").json()
    page = browser.get(request["verification_url"])
    assert page.status_code == 200
    token = re.search(r'name="form_token" value="([0-9a-f]+)"', page.text)
    action = re.search(r'action="([^"]+)"', page.text)
    assert token
    assert action
    return request, token.group(1), action.group(1)


def test_the_login_page_approves_with_its_own_form(server, browser):
    request, token, action = _login(browser)
    assert request["verification_url"].startswith(f"{server.url}/_local/cli-login/clr_")
    page = browser.get(request["verification_url"])
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-frame-options"] == "DENY"
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy  # the one stylesheet is allowed by its hash
    style = re.search(r"<style>(.*?)</style>", page.text, re.DOTALL)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "url(" not in style.group(1)  # no third-party (or any) asset
    assert "@import" not in style.group(1)
    assert "<script" not in page.text
    # under no-referrer a browser would send "Origin: null" with the form, and be refused
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert request["user_code"] in page.text
    assert "Local Developer &lt;dev@flow.local&gt;" in page.text  # the account it logs in as
    assert "Development" in page.text
    assert action == f"/_local/cli-login-requests/{request['id']}/approve"
    origin = {"Origin": server.url}
    # approving needs the box ticked that says the terminal shows the same code
    unconfirmed = browser.post(action, data={"form_token": token}, headers=origin)
    assert unconfirmed.status_code == 400
    assert unconfirmed.headers["content-type"].startswith("text/html")
    assert "Tick the box" in unconfirmed.text
    assert 'name="form_token"' in unconfirmed.text  # the form again, to tick and send
    polled = browser.get(f"/api/v1/auth/cli-login-requests/{request['id']}").json()
    assert polled["status"] == "pending"
    approved = browser.post(
        action,
        data={"form_token": token, "confirm": "yes", "decision": "approve"},
        headers=origin,
    )
    assert approved.status_code == 200, approved.text
    assert approved.headers["content-type"].startswith("text/html")
    assert "Login approved" in approved.text
    assert request["user_code"] in approved.text
    polled = browser.get(f"/api/v1/auth/cli-login-requests/{request['id']}").json()
    assert polled["status"] == "approved"
    assert polled["access_token"]
    again = browser.post(action, data={"form_token": token, "confirm": "yes"})
    assert again.status_code == 409
    assert again.json()["code"] == "login_approved"  # a program gets JSON
    as_page = browser.post(
        action, data={"form_token": token, "confirm": "yes"}, headers={"Accept": "text/html"}
    )
    assert as_page.status_code == 409
    assert "This login is approved" in as_page.text  # a browser gets a page
    done = browser.get(request["verification_url"])
    assert "form_token" not in done.text
    assert "approved" in done.text


def test_the_login_page_denies_with_its_own_form(server, browser):
    request, token, action = _login(browser)
    denied = browser.post(
        action, data={"form_token": token, "decision": "deny"}, headers={"Origin": server.url}
    )  # no box to tick for a denial
    assert denied.status_code == 200, denied.text
    assert denied.headers["content-type"].startswith("text/html")
    assert "Login denied" in denied.text
    polled = browser.get(f"/api/v1/auth/cli-login-requests/{request['id']}").json()
    assert polled["status"] == "denied"
    assert "access_token" not in polled
    assert "is denied" in browser.get(request["verification_url"]).text
    odd = _login(browser)
    refused = browser.post(odd[2], data={"form_token": odd[1], "decision": "maybe"})
    assert refused.status_code == 422


def test_a_browser_gets_a_page_for_a_form_without_its_token(server, browser):
    request, _, action = _login(browser)
    refused = browser.post(
        action,
        data={"form_token": "0" * 64, "confirm": "yes"},
        headers={"Accept": "text/html,application/xhtml+xml", "Origin": server.url},
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "This form has expired" in refused.text
    polled = browser.get(f"/api/v1/auth/cli-login-requests/{request['id']}").json()
    assert polled["status"] == "pending"


def test_the_login_form_is_csrf_proof(server, browser):
    request, token, action = _login(browser)
    other, other_token, _ = _login(browser)
    refusals = [
        browser.post(action),  # no token
        browser.post(action, data={"form_token": "", "confirm": "yes"}),
        browser.post(action, data={"form_token": other_token, "confirm": "yes"}),  # another's
        browser.post(action, content=json.dumps({"form_token": token, "confirm": "yes"})),
        browser.post(action, data={"form_token": other_token, "decision": "deny"}),
        browser.post(  # the guessable user code in place of the id
            f"/_local/cli-login-requests/{request['user_code']}/approve",
            data={"form_token": token, "confirm": "yes"},
        ),
    ]
    for refused in refusals:
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "form_token_invalid"
    cross_site = browser.post(
        action,
        data={"form_token": token, "confirm": "yes"},
        headers={"Origin": "http://attacker.example"},
    )
    assert cross_site.status_code == 403
    assert cross_site.json()["code"] == "origin_not_allowed"
    framed = browser.get(request["verification_url"], headers={"Origin": "http://attacker.example"})
    assert framed.status_code == 403
    deny = browser.post(
        f"/_local/cli-login-requests/{request['id']}/deny", data={"form_token": token}
    )
    assert deny.json()["code"] == "admin_secret_required"
    for login in (request, other):
        polled = browser.get(f"/api/v1/auth/cli-login-requests/{login['id']}").json()
        assert polled["status"] == "pending"
    assert browser.get("/_local/cli-login/clr_unknown").status_code == 404


# sizes


def _declared_only(server: LocalServer, path: str, length: int, headers: dict[str, str]):
    """Send a request head that promises ``length`` bytes, and no body; the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(length))
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    started = time.monotonic()
    response = conn.getresponse()
    return conn, response, time.monotonic() - started


def test_a_declared_body_over_the_limit_is_413_before_it_is_sent(server, handle):
    for path, headers, length in (
        ("/api/v1/auth/token", {}, 64 * 1024 + 1),  # before authentication: 64 KiB
        ("/api/v1/nothing/here", bearer(handle), 64 * 1024 + 1),  # no such route
        (W, {"Authorization": "Bearer not-a-token"}, 64 * 1024 + 1),
        (W, bearer(handle), 16 * 1024 * 1024 + 1),  # authenticated: 16 MiB
        ("/_local/tenants", {ADMIN: handle.admin_secret}, 10**12),
    ):
        conn, response, waited = _declared_only(server, path, length, headers)
        body = json.loads(response.read())
        assert response.status == 413, (path, body)
        assert body["code"] == "payload_too_large"
        assert waited < TIMEOUT, "decided from Content-Length, without waiting for the body"
        # the body never comes: the connection is closed once the body timeout is over
        assert conn.sock is not None
        conn.sock.settimeout(5)
        closed_after = time.monotonic()
        assert conn.sock.recv(1) == b""
        assert time.monotonic() - closed_after < TIMEOUT + 2
        conn.close()


def test_a_body_over_the_limit_is_413_and_the_connection_goes_on(server, handle):
    big = b'{"api_key": "' + b"x" * (65 * 1024) + b'"}'
    with httpx.Client(base_url=server.url, timeout=10) as client:
        declared = client.post("/api/v1/auth/token", content=big)
        assert declared.status_code == 413
        streamed = client.post("/api/v1/auth/token", content=iter([big[:40000], big[40000:]]))
        assert streamed.status_code == 413  # no Content-Length: counted while reading
        assert client.get("/_local/health").status_code == 200
        fits = client.post(
            W, json={"name": "big", "description": "d" * 200_000}, headers=bearer(handle)
        )
        assert fits.status_code == 201, fits.text
        chunked = client.post(
            W,
            content=iter([b'{"name": "chunked", "description": "', b"d" * 100_000, b'"}']),
            headers={**bearer(handle), "content-type": "application/json"},
        )
        assert chunked.status_code == 201, chunked.text


def test_the_body_limit_is_configurable():
    platform = LocalPlatform("local://memory-served-small", plugins=[widget_plugin])
    handle = PlatformHandle(platform, "", "socket")
    with LocalServer(platform, max_body_bytes=4096) as server:
        auth = {"Authorization": f"Bearer {handle.token()}"}
        too_big = httpx.post(
            f"{server.url}{W}", json={"name": "x", "description": "d" * 5000}, headers=auth
        )
        assert too_big.status_code == 413
        assert "at most 4096 bytes" in too_big.json()["detail"]
        fits = httpx.post(
            f"{server.url}{W}", json={"name": "x", "description": "d" * 3000}, headers=auth
        )
        assert fits.status_code == 201
    platform.close()


# time


def test_a_body_that_does_not_arrive_is_408_and_the_connection_closes(server, handle):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("POST", W)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", "100")
    conn.putheader("Authorization", bearer(handle)["Authorization"])
    conn.endheaders(b'{"name": "')  # 10 of the 100 bytes promised, then nothing
    started = time.monotonic()
    response = conn.getresponse()
    waited = time.monotonic() - started
    assert response.status == 408
    assert json.loads(response.read())["code"] == "request_timeout"
    assert response.getheader("connection") == "close"
    assert TIMEOUT - 0.1 <= waited < TIMEOUT + 2
    assert conn.sock is None or conn.sock.recv(1) == b""
    conn.close()


def test_a_request_head_that_does_not_arrive_is_408_and_the_connection_closes(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(f"GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode())
        answer = _read_until_closed(sock)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert b"request_timeout" in answer
    assert TIMEOUT - 0.1 <= waited < TIMEOUT + 2


def test_a_trickled_head_does_not_hold_the_connection(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT / 5) as sock:
        started = time.monotonic()
        head = f"GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nX-Slow: "
        sock.sendall(head.encode())
        answer = None
        for _ in range(50):  # a byte every 0.1 s: each one would reset an idle timer
            try:
                sock.sendall(b"a")
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                answer = b""  # closed on us (reset), as it should be
            break
        closed_after = time.monotonic() - started
    assert answer is not None, "the connection was held"
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert closed_after < TIMEOUT * 3


def test_a_silent_connection_is_closed_quietly(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        assert _read_until_closed(sock) == b""
    assert time.monotonic() - started < TIMEOUT + 2


def test_keep_alive_still_works_across_requests(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for _ in range(3):
            assert client.get("/_local/health").status_code == 200
            time.sleep(TIMEOUT * 1.5)  # idle between requests is not a slow head


def _read_until_closed(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


# `flow local` against a served platform


def flow(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), settings=CLISettings(stdout=out, stderr=err, stdin=io.StringIO()))
    return code, out.getvalue(), err.getvalue()


def test_flow_local_commands_reach_a_served_platform_with_the_secret(flow_config_dir, monkeypatch):
    platform = platform_for("local://default")
    with LocalServer(platform) as server:
        url = server.url
        code, out, err = flow("--platform-url", url, "local", "init", "--json")
        assert code == 0, err
        assert json.loads(out)["platform_url"] == url
        code, out, err = flow("orgs", "list", "--json")
        assert code == 0, err
        assert [o["id"] for o in json.loads(out)] == ["org_dev"]
        code, out, err = flow("--platform-url", url, "login", "--no-wait", "--json")
        assert code == 0, err
        login = json.loads(out)
        code, out, err = flow(
            "--platform-url", url, "local", "approve", login["user_code"], "--json"
        )
        assert code == 0, err
        assert json.loads(out)["status"] == "approved"
        code, _, err = flow("--platform-url", url, "local", "reset", "--yes")
        assert code == 0, err
        assert "profile(s): local" in err
        code, out, err = flow("orgs", "list", "--json")
        assert code == 0, err
        data_dir = os.environ["FLOW_DATA_DIR"]
        monkeypatch.setenv("FLOW_DATA_DIR", str(flow_config_dir.parent / "elsewhere"))
        code, _, err = flow("--platform-url", url, "local", "approve", "ABCD-EFGH")
        assert code == 1
        assert "no local admin secret" in err
        read_admin_secret(flow_config_dir.parent / "elsewhere")  # another directory's secret
        code, _, err = flow("--platform-url", url, "local", "approve", "ABCD-EFGH")
        assert code == 1
        assert "403" in err
        assert "FLOW_DATA_DIR" in err
    monkeypatch.setenv("FLOW_DATA_DIR", data_dir)
    forget_platform("local://default")
