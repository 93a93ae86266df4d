"""The "Experiments" panel in a real headless chromium: the list, an experiment's detail
with its intervals drawn, and stop/start clicked from the page (the effect checked
through the SDK); a screenshot of each page is saved under the test's tmp_path."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium


def _shot(browser: DevTools, path: Path, width: int = 1000, height: int = 900) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    data = browser.call("Page.captureScreenshot", format="png")["data"]
    path.write_bytes(base64.b64decode(data))


def _click(browser: DevTools, script: str) -> None:
    browser.events.clear()
    browser.evaluate(script)
    browser.wait_for("Page.loadEventFired")


def _headings(browser: DevTools) -> Any:
    return browser.evaluate("[...document.querySelectorAll('h2')].map(h => h.textContent)")


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
    assert browser.evaluate("document.querySelector('h1').textContent") == "Experiments"
    assert _headings(browser) == ["Experiments"]
    row = browser.evaluate("[...document.querySelectorAll('tbody td')].map(td => td.textContent)")
    assert row[:5] == ["tone of voice", "running", "csat", "2", "9"]
    _shot(browser, tmp_path / "experiments.png")

    _click(browser, "document.querySelector('tbody a').click()")
    assert browser.evaluate("location.search").endswith(f"id={exp.id}")
    assert _headings(browser) == [
        "Experiment tone of voice",
        "Variants",
        "Variant configs",
        "Outcomes per variant",
        "Mean csat per variant (95% intervals)",
        "Difference from the control (95% intervals)",
        "Results",
    ]
    charts = browser.evaluate(
        "[...document.querySelectorAll('svg[role=img] > title')].map(t => t.textContent)"
    )
    assert charts == _headings(browser)[3:6]
    whiskers = browser.evaluate("document.querySelectorAll('svg line.whisker').length")
    assert whiskers == 3  # two means and one difference
    drawn = browser.evaluate("document.querySelector('svg g title').textContent")
    assert drawn.startswith(f"0: support-bot: {results.variants[0].mean:.4g} [")
    assert "be brief" in browser.evaluate("document.querySelector('pre').textContent")
    _shot(browser, tmp_path / "experiment.png", height=2100)  # the whole page
    _shot(browser, tmp_path / "experiment-phone.png", width=390, height=900)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390
    browser.call("Emulation.clearDeviceMetricsOverride")

    # stop it by clicking the button: the notice, the new status, and the SDK agrees
    _click(browser, "document.getElementById('stop').click()")
    notice = browser.evaluate("document.getElementById('notice').textContent")
    assert notice == f"Experiment {exp.id} stopped."
    assert sdk.experiments.get(exp.id).status == "stopped"
    assert browser.evaluate("document.getElementById('start') !== null")
    _shot(browser, tmp_path / "stopped.png")

    _click(browser, "document.getElementById('start').click()")
    assert sdk.experiments.get(exp.id).status == "running"
    assert browser.evaluate("document.querySelector('dd .badge').textContent") == "running"

    # the link back to the list
    _click(browser, "document.querySelector('main section p a').click()")
    assert _headings(browser) == ["Experiments"]

    for name in ("experiments.png", "experiment.png", "experiment-phone.png", "stopped.png"):
        assert (tmp_path / name).stat().st_size > 1000
