"""The "Policies" panel in a real headless chromium: in through the one-time link, the
list filtered, a policy opened, "would this be allowed?" asked from its form and
answered as the SDK answers; a screenshot of each page is saved under tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_sdk import CLIClient
from flow_sdk_local.console import login_link

from ..local.browser_support import DevTools, browser, needs_chromium
from .conftest import ADMIN

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium


def _fill(browser: DevTools, **values: str) -> None:
    for field, value in values.items():
        browser.evaluate(f"document.getElementById({field!r}).value = {value!r}")


def _table_column(browser: DevTools, column: int) -> Any:
    return browser.evaluate(
        "[...document.querySelectorAll('#enforcement ~ table tbody tr')]"
        f".map(r => r.children[{column}].textContent)"
    )


def test_the_policies_panel_in_chromium(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    shots = tmp_path / "policies-screenshots"
    shots.mkdir()
    sdk: CLIClient = served_platform.client()
    sdk.policies.create(ADMIN)
    sdk.policies.create(
        name="read datasets", effect="allow", actions=["datasets:read"], resources=["datasets/*"]
    )
    no_prod = sdk.policies.create(
        name="no prod",
        effect="deny",
        principals=["user:u2"],
        actions=["datasets:*"],
        resources=["datasets/prod*"],
    )

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    assert browser.evaluate("location.pathname") == "/console/overview"
    browser.open(f"{served_platform.url}/console/policies?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.title") == "Policies · Flow console"
    assert browser.text("h1") == "Policies"
    assert browser.headings() == ["Would this be allowed?", "Policies in force"]
    assert "3 policies in force" in browser.text("#enforcement")
    assert _table_column(browser, 0) == ["policy admins", "read datasets", "no prod"]
    assert "Principal (user:<user id>)" in browser.texts("label")
    browser.screenshot(shots / "list.png")

    # phone width: the page itself never scrolls sideways
    browser.screenshot(shots / "list-phone.png", width=390, height=800)
    assert browser.fits(390)

    # the effect filter (a GET form)
    _fill(browser, effect="deny")
    browser.click("#filter")
    assert "effect=deny" in browser.evaluate("location.search")
    assert _table_column(browser, 0) == ["no prod"]

    # a policy's detail: follow its link
    browser.click("#enforcement ~ table a")
    assert f"id={no_prod.id}" in browser.evaluate("location.search")
    assert browser.text("h2") == f"Policy {no_prod.id}"
    assert "datasets/prod*" in browser.text("pre code")
    assert "version 1" in browser.text("#no-history")
    browser.screenshot(shots / "detail.png")

    # would this be allowed? asked from the form, answered as the SDK's evaluate answers
    _fill(browser, principal="user:u2", action="datasets:read", resource="datasets/prod_1")
    browser.click("#evaluate")
    api = sdk.policies.evaluate("user:u2", "datasets:read", "datasets/prod_1")
    assert api.allowed is False
    assert browser.text("#verdict") == "Denied"
    assert browser.text("#reason") == api.reason
    assert browser.evaluate(
        "getComputedStyle(document.querySelector('#verdict .badge')).borderTopStyle"
    ) == ("solid")
    matched = browser.evaluate(
        "[...document.querySelectorAll('#matched tbody a')]"
        ".map(a => new URL(a.href).searchParams.get('id'))"
    )
    assert matched == [m.id for m in api.matched_policies]
    assert browser.evaluate("document.getElementById('principal').value") == "user:u2"
    browser.screenshot(shots / "denied.png")

    _fill(browser, principal="user:u1")
    browser.click("#evaluate")
    api = sdk.policies.evaluate("user:u1", "datasets:read", "datasets/prod_1")
    assert api.allowed is True
    assert browser.text("#verdict") == "Allowed"
    assert browser.text("#reason") == api.reason
    browser.screenshot(shots / "allowed.png")

    # an input the platform refuses: said so, no answer
    _fill(browser, action="")
    browser.click("#evaluate")
    assert "action: Expected `str` of length >= 1" in browser.text("#eval-error")
    assert browser.evaluate("document.getElementById('verdict')") is None
    browser.screenshot(shots / "refused.png")

    # asking changed nothing
    assert [p.name for p in sdk.policies.list()] == ["policy admins", "read datasets", "no prod"]
    assert all(p.version == 1 for p in sdk.policies.list())
    for name in ("list.png", "list-phone.png", "detail.png", "denied.png", "allowed.png"):
        assert (shots / name).stat().st_size > 1000
    assert (shots / "refused.png").stat().st_size > 1000
