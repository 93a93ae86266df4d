"""The web console (``/console``) over plain HTTP: who gets in, and what a form needs."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from flow_sdk.hookspecs import hookimpl
from flow_sdk_local import LocalPlatform
from flow_sdk_local.console import COOKIE, csrf_token, login_link, session_value


def _get_in(handle: Any) -> httpx.Client:
    """A client holding the console cookie, got through a one-time link."""
    client = httpx.Client(base_url=handle.url, timeout=10, trust_env=False)
    answer = client.get(login_link(handle.url, handle.admin_secret))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/console/overview"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/console" in cookie
    client.cookies.set(COOKIE, session_value(handle.admin_secret), path="/console")
    return client


def test_without_the_cookie_every_page_is_refused(served_platform: Any) -> None:
    for path in ("/console", "/console/overview", "/console/platform", "/console/nope"):
        answer = httpx.get(f"{served_platform.url}{path}", timeout=10)
        assert answer.status_code == 403, path
        assert "flow local console" in answer.text
    wrong = httpx.get(
        f"{served_platform.url}/console/overview", cookies={COOKIE: "x" * 64}, timeout=10
    )
    assert wrong.status_code == 403


def test_a_foreign_host_is_refused(served_platform: Any) -> None:
    client = _get_in(served_platform)
    answer = client.get("/console/overview", headers={"Host": "evil.example:80"})
    assert answer.status_code == 403
    assert answer.json()["code"] == "host_not_allowed"
    foreign = client.post(
        "/console/platform",
        data={"csrf": csrf_token(served_platform.admin_secret), "action": "clear"},
        headers={"Origin": "http://evil.example"},
    )
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "origin_not_allowed"


def test_a_post_without_the_csrf_token_is_refused(served_platform: Any) -> None:
    client = _get_in(served_platform)
    form = {"action": "clock", "seconds": "60"}
    assert client.post("/console/platform", data=form).status_code == 403
    bad = client.post("/console/platform", data={**form, "csrf": "0" * 64})
    assert bad.status_code == 403
    assert served_platform.platform.clock.offset == 0
    page = client.get("/console/platform").text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert token
    good = client.post("/console/platform", data={**form, "csrf": token.group(1)})
    assert good.status_code == 200, good.text
    assert served_platform.platform.clock.offset == 60
    assert "The clock is 60 s ahead." in good.text


def test_the_one_time_link_works_once(served_platform: Any) -> None:
    link = login_link(served_platform.url, served_platform.admin_secret)
    first = httpx.get(link, timeout=10)
    assert first.status_code == 303
    again = httpx.get(link, timeout=10)
    assert again.status_code == 403
    assert "set-cookie" not in again.headers
    forged = link[:-4] + ("0000" if not link.endswith("0000") else "1111")
    assert httpx.get(forged, timeout=10).status_code == 403
    other = login_link(served_platform.url, "another secret")
    assert httpx.get(other, timeout=10).status_code == 403


def test_reset_needs_its_confirmation(served_platform: Any) -> None:
    client = _get_in(served_platform)
    csrf = csrf_token(served_platform.admin_secret)
    key = served_platform.api_key
    refused = client.post("/console/platform", data={"csrf": csrf, "action": "reset"})
    assert refused.status_code == 422
    assert "Tick the box" in refused.text
    assert served_platform.platform.dev_api_key == key
    done = client.post(
        "/console/platform", data={"csrf": csrf, "action": "reset", "confirm": "reset"}
    )
    assert done.status_code == 200
    assert served_platform.platform.dev_api_key != key


def test_pages_are_paged_and_switch_org(served_platform: Any) -> None:
    client = _get_in(served_platform)
    admin = served_platform.http()
    for i in range(25):
        admin.post("/_local/tenants", json={"org_name": f"Org {i:02d}"}).raise_for_status()
    first = client.get("/console/overview").text
    assert first.count("<tr>") >= 20
    cursor = re.search(r'href="/console/overview\?cursor=([^"]+)"', first)
    assert cursor, first
    second = client.get(f"/console/overview?cursor={cursor.group(1)}").text
    assert ">Org 24</a>" in second
    assert ">Org 24</a>" not in first
    chosen = client.get("/console/overview?org=org_dev&ws=ws_dev").text
    assert '<option value="org_dev" selected>' in chosen
    assert "<h2>Workspaces</h2>" in chosen
    assert '<svg role="img" aria-label="Components by type"' in chosen


class _Panels:
    """A plugin contributing one console panel."""

    @hookimpl
    def flow_sdk_local_console_panels(self, console: Any) -> None:
        console.panel("hello", "Hello", lambda view: "<section><p id=hi>hi there</p></section>")


def test_a_plugin_contributes_a_panel() -> None:
    platform = LocalPlatform(plugins=[_Panels()])
    cookie = f"{COOKIE}={session_value(platform.admin_secret)}"
    wire = platform.handle("GET", "/console/hello", "", {"cookie": cookie}, b"")
    assert wire.status == 200
    assert b"<p id=hi>hi there</p>" in wire.body
    assert b'href="/console/hello" aria-current="page">Hello</a>' in wire.body
    without = LocalPlatform()
    assert "hello" not in without.app.console.panels
    assert {"overview", "platform"} <= set(without.app.console.panels)


@pytest.mark.parametrize("slug", ["Bad", "login", "a b"])
def test_a_panel_slug_is_a_lowercase_word(slug: str) -> None:
    with pytest.raises(ValueError, match="slug"):
        LocalPlatform().app.console.panel(slug, "x", lambda view: "")


def test_flow_local_console_prints_a_link_that_works(
    served_platform: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import flow_sdk_local._platform as platform_module
    from flow_sdk.cli import CLISettings, main

    secret = served_platform.admin_secret
    monkeypatch.setattr(platform_module, "read_admin_secret", lambda *a, **k: secret)
    port = served_platform.url.rsplit(":", 1)[1]
    out, err = io.StringIO(), io.StringIO()
    settings = CLISettings(stdout=out, stderr=err, stdin=io.StringIO())
    code = main(["local", "console", "--port", port, "--no-open"], settings=settings)
    assert code == 0, err.getvalue()
    words = (out.getvalue() + err.getvalue()).split()
    link = next(w for w in words if "/console/login?" in w)
    assert httpx.get(link, timeout=10).status_code == 303
    assert httpx.get(link, timeout=10).status_code == 403


def test_recent_activity_is_the_chosen_org_s(served_platform: Any) -> None:
    ours = served_platform.client().agents.create(name="ours")
    tenant = served_platform.create_tenant()
    theirs = served_platform.client(
        api_key=tenant["api_key"], org_id=tenant["org_id"], workspace_id=tenant["workspace_id"]
    ).agents.create(name="theirs")
    console = served_platform.console()
    everyone = console.get("/console/overview").text
    assert f"<td>{ours.id}</td>" in everyone
    assert f"<td>{theirs.id}</td>" in everyone
    for chosen in ("org=org_dev", "org=org_dev&ws=ws_dev"):
        page = console.get(f"/console/overview?{chosen}").text
        assert f"<td>{ours.id}</td>" in page
        assert f"<td>{theirs.id}</td>" not in page
    other = console.get(f"/console/overview?org={tenant['org_id']}").text
    assert f"<td>{theirs.id}</td>" in other
    assert f"<td>{ours.id}</td>" not in other


def test_a_browser_at_the_platform_s_address_is_sent_to_the_console(served_platform: Any) -> None:
    page = httpx.get(served_platform.url, headers={"Accept": "text/html,*/*"}, timeout=10)
    assert page.status_code == 303
    assert page.headers["location"] == "/console"
    api = httpx.get(served_platform.url, headers={"Accept": "application/json"}, timeout=10)
    assert api.status_code == 404
    assert api.json()["code"] == "route_not_found"
