"""The "Experiments" panel in a real headless chromium: the list, an experiment's detail
with its intervals drawn, and stop/start clicked from the page (the effect checked
through the SDK); a screenshot of each page is saved under the test's tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium


def test_the_experiments_panel_in_chromium(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    sdk = served_platform.client()
    first = sdk.agents.create(name="support-bot", spec={"prompt": "be brief"})
    second = sdk.agents.create(name="support-bot-2", spec={"prompt": "be kind"})
    variants = [
        {"component_id": first.id, "version": 1, "weight": 50},
        {"component_id": second.id, "version": 1, "weight": 50},
    ]
    exp = sdk.experiments.create(name="tone of voice", variants=variants, metric="csat")
    sdk.experiments.start(exp.id)
    for value in (3.0, 4.0, 3.5, 4.5, 3.2):
        sdk.experiments.record(exp.id, 0, value)
    for value in (4.0, 4.8, 4.4, 5.0):
        sdk.experiments.record(exp.id, 1, value)
    results = sdk.experiments.results(exp.id)

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    assert browser.evaluate("location.pathname") == "/console/overview"
    browser.open(f"{served_platform.url}/console/experiments?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.title") == "Experiments · Flow console"
    assert browser.text("h1") == "Experiments"
    assert browser.headings() == ["Experiments"]
    row = browser.texts("tbody td")
    assert row[:5] == ["tone of voice", "running", "csat", "2", "9"]
    browser.screenshot(tmp_path / "experiments.png")

    browser.click("tbody a")
    assert browser.evaluate("location.search").endswith(f"id={exp.id}")
    assert browser.headings() == [
        "Experiment tone of voice",
        "Variants",
        "Variant configs",
        "Outcomes per variant",
        "Mean csat per variant (95% intervals)",
        "Difference from the control (95% intervals)",
        "Results",
    ]
    charts = browser.texts("svg[role=img] > title")
    assert charts == browser.headings()[3:6]
    whiskers = browser.evaluate("document.querySelectorAll('svg line.whisker').length")
    assert whiskers == 3  # two means and one difference
    drawn = browser.text("svg g title")
    assert drawn.startswith(f"0: support-bot: {results.variants[0].mean:.4g} [")
    assert "be brief" in browser.text("pre")
    browser.screenshot(tmp_path / "experiment.png", height=2100)  # the whole page
    browser.screenshot(tmp_path / "experiment-phone.png", width=390, height=900)
    assert browser.fits(390)
    browser.call("Emulation.clearDeviceMetricsOverride")

    # stop it by clicking the button: the notice, the new status, and the SDK agrees
    browser.click("#stop")
    assert browser.text("#notice") == f"Experiment {exp.id} stopped."
    assert sdk.experiments.get(exp.id).status == "stopped"
    assert browser.evaluate("document.getElementById('start') !== null")
    browser.screenshot(tmp_path / "stopped.png")

    browser.click("#start")
    assert sdk.experiments.get(exp.id).status == "running"
    assert browser.text("dd .badge") == "running"

    # the link back to the list
    browser.click("main section p a")
    assert browser.headings() == ["Experiments"]

    for name in ("experiments.png", "experiment.png", "experiment-phone.png", "stopped.png"):
        assert (tmp_path / name).stat().st_size > 1000
