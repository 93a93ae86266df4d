"""The "Deployments" panel in a real headless chromium: what runs where, a deployment
opened from it, rolled back and promoted by clicking (checked through the SDK), and a
screenshot of each page saved under the test's tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium


def test_roll_back_and_promote_by_clicking(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    sdk = served_platform.client()
    canary = sdk.rings.create(name="canary", order=10, traffic_percent=5)
    beta = sdk.rings.create(name="beta", order=20, traffic_percent=50)
    agent = sdk.agents.create(name="support", spec={"temperature": 0.1})
    sdk.agents.update(agent.id, spec={"temperature": 0.2})
    deployments = sdk.component_deployments
    deployment = deployments.deploy("agent", agent.id, ring_id=canary.id, version=1, wait=True)
    deployments.deploy("agent", agent.id, ring_id=canary.id, version=2, wait=True)

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    browser.open(f"{served_platform.url}/console/deployments?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.title") == "Deployments · Flow console"
    assert browser.text("h1") == "Deployments"
    assert browser.headings() == ["What runs where", "Deployments"]
    assert browser.headings("h3") == [
        "canary · order 10 · 5 % of traffic",
        "beta · order 20 · 50 % of traffic",
        "Component deployments",
    ]
    in_canary = browser.inner_text(f"#ring-{canary.id}")
    assert "support (agent" in in_canary
    assert "v2" in in_canary
    assert "active" in in_canary
    browser.screenshot(tmp_path / "deployments.png")

    # the deployment, opened from "What runs where"
    browser.click(f'#ring-{canary.id} a[href$="id={deployment.id}"]')
    assert browser.evaluate("location.search").endswith(f"id={deployment.id}")
    assert f"Deployment {deployment.id}" in browser.headings()
    assert "Versions in this ring over time" in browser.texts("svg title")
    browser.screenshot(tmp_path / "deployment.png")

    # rolling back asks for its confirmation: the browser does not send the form without it
    browser.evaluate("document.getElementById('rollback').click()")
    assert browser.evaluate("document.getElementById('rollback-confirm').validity.valueMissing")
    assert deployments.get(deployment.id).component_version == 2
    browser.evaluate("document.getElementById('rollback-confirm').checked = true")
    browser.click("#rollback")
    notice = browser.text("#notice")
    assert notice.startswith(f"Rolled back deployment {deployment.id} to v1")
    back = deployments.wait(deployment.id, timeout_s=10)
    assert (back.component_version, back.status) == (1, "active")
    assert [e.action for e in back.history] == ["deploy", "deploy", "rollback"]
    assert "rolled back" in browser.texts("td")
    browser.screenshot(tmp_path / "rolled-back.png")

    # promote v1 to beta by clicking, from the page as it is now
    browser.open(
        f"{served_platform.url}/console/deployments?org=org_dev&ws=ws_dev&id={deployment.id}"
    )
    assert browser.text("#promote") == "Promote v1 to beta"
    browser.click("#promote")
    assert "to ring beta" in browser.text("#notice")
    in_beta = list(deployments.list(ring_id=beta.id))
    assert [(d.component_id, d.component_version) for d in in_beta] == [(agent.id, 1)]

    # phone width: nothing wider than the screen
    browser.screenshot(tmp_path / "deployment-phone.png", width=390, height=900)
    assert browser.fits(390)

    for name in ("deployments", "deployment", "rolled-back", "deployment-phone"):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
