"""The console and CLI logins: the Platform panel lists the logins waiting for approval
(paged, each linking to its approval page), and a one-time console link stays used up
across a reset and a restart of the platform (its nonce is kept in the store)."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from flow_sdk import CLIClient
from flow_sdk_local import LocalPlatform, LocalServer
from flow_sdk_local._console import NONCE_TABLE
from flow_sdk_local.console import COOKIE, LINK_SECONDS, login_link, session_value


def _section(page: str) -> str:
    found = re.search(r'<section id="cli-logins">(.*?)</section>', page, re.DOTALL)
    assert found, page
    return found.group(1)


def _codes(page: str) -> list[str]:
    return re.findall(r'<code class="user-code">([^<]+)</code>', _section(page))


def _status(handle: Any, login_id: str) -> str:
    polled = httpx.get(f"{handle.url}/api/v1/auth/cli-login-requests/{login_id}", timeout=10)
    return str(polled.json()["status"])


def test_the_platform_panel_lists_the_pending_logins(served_platform: Any) -> None:
    console = served_platform.console()
    empty = console.get("/console/platform")
    assert "No CLI login is waiting" in _section(empty.text)
    waiting = CLIClient.create_cli_login_request(served_platform.url)
    approved = CLIClient.create_cli_login_request(served_platform.url)
    denied = CLIClient.create_cli_login_request(served_platform.url)
    served_platform.approve_login(approved["id"])
    served_platform.deny_login(denied["id"])

    section = _section(console.get("/console/platform").text)
    assert re.findall(r'<code class="user-code">([^<]+)</code>', section) == [waiting["user_code"]]
    assert "<h2>CLI logins waiting for approval</h2>" in section
    assert "(in 10.0 min)" in section  # expires ten minutes after it was asked for
    link = re.search(r'<a href="([^"]+)">Review and approve</a>', section)
    assert link
    assert link.group(1) == f"/_local/cli-login/{waiting['id']}"
    # the link leads to the approval page of that very login, its code shown
    page = httpx.get(f"{served_platform.url}{link.group(1)}", timeout=10)
    assert page.status_code == 200
    assert f'<p class="code" id="user-code">{waiting["user_code"]}</p>' in page.text
    assert _status(served_platform, waiting["id"]) == "pending"  # looking changes nothing

    # an expired login is not listed
    served_platform.advance_clock(601)
    assert "No CLI login is waiting" in _section(console.get("/console/platform").text)


def test_pending_logins_are_paged_newest_first(served_platform: Any) -> None:
    console = served_platform.console()
    codes = [
        CLIClient.create_cli_login_request(served_platform.url)["user_code"] for _ in range(25)
    ]
    first = console.get("/console/platform").text
    assert _codes(first) == codes[::-1][:20]
    pager = re.search(r'<a rel="next" href="([^"]+)">', _section(first))
    assert pager
    href = html.unescape(pager.group(1))
    assert urlsplit(href).path == "/console/platform"
    second = console.get(href).text
    assert _codes(second) == codes[::-1][20:]
    assert 'rel="next"' not in _section(second)
    assert console.get("/console/platform?cursor=not-a-cursor").status_code == 422


def test_the_login_page_is_the_console_style_without_its_frame(served_platform: Any) -> None:
    request = CLIClient.create_cli_login_request(served_platform.url)
    page = httpx.get(request["verification_url"], timeout=10)
    overview = served_platform.console().get("/console/overview")
    style = re.search(r"<style>(.*?)</style>", page.text, re.DOTALL)
    console_style = re.search(r"<style>(.*?)</style>", overview.text, re.DOTALL)
    assert style
    assert console_style
    assert style.group(1) == console_style.group(1)  # one stylesheet for both
    for header in ("content-security-policy", "x-frame-options", "referrer-policy"):
        assert page.headers[header] == overview.headers[header]
    assert page.headers["referrer-policy"] == "same-origin"
    assert "<title>Approve this CLI login? · Flow local platform</title>" in page.text
    assert "<nav" not in page.text  # no panel frame: the page needs no console cookie
    assert 'name="csrf"' not in page.text
    assert 'id="org"' not in page.text


# one-time links across a reset and a restart


def _nonce(link: str) -> str:
    token = parse_qs(urlsplit(link).query)["token"][0]
    return token.split(".")[1]


def test_a_used_link_stays_used_after_a_reset(served_platform: Any) -> None:
    link = login_link(served_platform.url, served_platform.admin_secret)
    assert httpx.get(link, timeout=10).status_code == 303
    served_platform.reset()
    assert httpx.get(link, timeout=10).status_code == 403
    with served_platform.store.transaction(write=False) as tx:
        kinds = {kind for (kind,) in tx.execute("SELECT DISTINCT kind FROM documents")}
    assert not any("nonce" in kind for kind in kinds)  # not a document: no listing shows it
    overview = served_platform.console().get("/console/overview").text
    assert _nonce(link) not in overview
    assert "nonce" not in overview


def test_a_used_link_stays_used_after_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "data" / "console.sqlite3"
    platform = LocalPlatform("local://console", path=database)
    with LocalServer(platform) as server:
        link = login_link(server.url, platform.admin_secret)
        first = httpx.get(link, timeout=10)
        assert first.status_code == 303
        assert first.cookies[COOKIE] == session_value(platform.admin_secret)
        platform.reset()  # wipes the store: the used nonce is written back
    platform.close()
    path_and_query = link[len(server.url) :]

    again = LocalPlatform("local://console", path=database)  # a new process would do this
    assert again.admin_secret == platform.admin_secret  # the same data dir: the same secret
    with LocalServer(again) as server:
        refused = httpx.get(f"{server.url}{path_and_query}", timeout=10)
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers
        assert "This link has expired" in refused.text
        fresh = httpx.get(login_link(server.url, again.admin_secret), timeout=10)
        assert fresh.status_code == 303
    again.close()


def test_expired_nonces_are_pruned() -> None:
    platform = LocalPlatform()
    now = int(time.time())
    with platform.store.transaction() as tx:
        tx.execute(f"INSERT INTO {NONCE_TABLE} (nonce, expires) VALUES ('old', ?)", (now - 1,))
    link = login_link("http://127.0.0.1", platform.admin_secret)
    token = parse_qs(urlsplit(link).query)["token"][0]
    wire = platform.handle("GET", "/console/login", f"token={token}", {}, b"")
    assert wire.status == 303
    with platform.store.transaction(write=False) as tx:
        rows = tx.execute(f"SELECT nonce, expires FROM {NONCE_TABLE}").fetchall()
    assert [nonce for nonce, _ in rows] == [_nonce(link)]
    assert now < rows[0][1] <= now + LINK_SECONDS + 1
    assert platform.handle("GET", "/console/login", f"token={token}", {}, b"").status == 403
    platform.close()
