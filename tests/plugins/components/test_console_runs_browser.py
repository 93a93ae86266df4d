"""The "Runs" console panel in a real headless chromium: the runs listed and filtered,
a run opened from its link (its timeline and steps), "Run again" clicked and its run
seen through the SDK, the workflow followed to the Components panel; a screenshot of
each page is saved under the test's tmp_path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link

from ..local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium
SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def _in_section(heading: str, selector: str) -> str:
    """A script finding every ``selector`` in the section headed ``heading``."""
    return (
        "[...document.querySelectorAll('section')].find(s => s.querySelector('h2')"
        f"?.textContent === {heading!r}).querySelectorAll({selector!r})"
    )


def test_the_runs_panel_in_chromium(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    sdk = served_platform.client()
    double = sdk.transforms.create(
        name="double", spec={"code": "def main(n):\n    return {'n': n * 2}"}
    )
    check = sdk.validations.create(name="integer", spec={"schema": SCHEMA})
    workflow = sdk.workflows.create(
        name="double and check",
        spec={
            "steps": [
                {
                    "id": "check",
                    "component": {"type": "validation", "id": check.id},
                    "inputs": {"n": "$inputs.n"},
                },
                {
                    "id": "double",
                    "component": {"type": "transform", "id": double.id},
                    "inputs": {"n": "$steps.check.outputs.n"},
                },
            ]
        },
    )
    good = sdk.workflows.run(workflow.id, {"n": 4}, wait=True)
    bad = sdk.workflows.run(workflow.id, {"n": "four"}, wait=True)
    assert (good.status, bad.status) == ("succeeded", "failed")

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    assert browser.evaluate("location.pathname") == "/console/overview"
    browser.open(f"{served_platform.url}/console/runs?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.title") == "Runs · Flow console"
    assert browser.text("h1") == "Runs"
    assert browser.headings() == ["Runs"]
    assert browser.texts("tbody tr td:first-child") == [bad.id, good.id]  # newest first
    assert "double and check" in browser.text("tbody")
    browser.screenshot(tmp_path / "runs.png")

    # filter: only the failed runs (a GET form)
    browser.evaluate("document.getElementById('status').value = 'failed'")
    browser.click("#filter")
    assert "status=failed" in browser.evaluate("location.search")
    assert browser.evaluate("document.querySelectorAll('tbody tr').length") == 1
    assert bad.id in browser.text("tbody")

    # the run's own page, from its link
    browser.click("tbody a")
    assert f"run={bad.id}" in browser.evaluate("location.search")
    assert browser.headings() == [
        f"Run {bad.id}",
        "Inputs",
        "Outputs",
        "Error",
        "Steps timeline",
        "Steps",
        "Runs",
    ]
    inputs = browser.evaluate(_in_section("Inputs", "pre") + "[0].textContent")
    assert inputs == '{\n  "n": "four"\n}'
    bars = browser.texts('svg[aria-label="Steps timeline"] g title')
    assert len(bars) == 1  # the check failed; the double step never started
    assert bars[0].startswith("check: failed, ")
    step_rows = browser.evaluate(_in_section("Steps", "tbody tr") + ".length")
    assert step_rows == 2
    assert "ValidationFailed" in browser.evaluate("document.body.innerText")
    browser.screenshot(tmp_path / "run.png")
    browser.screenshot(tmp_path / "run-phone.png", width=390, height=900)
    assert browser.fits(390)

    # run it again: a new run with the same inputs, seen through the SDK
    browser.click("#rerun")
    notice = browser.text("#notice")
    started = re.fullmatch(
        rf"Started run (run_[0-9a-f]+) of workflow {workflow.id} with the same inputs\.", notice
    )
    assert started, notice
    again = sdk.workflows.wait_for_run(workflow.id, started.group(1), timeout_s=30)
    assert again.inputs == {"n": "four"}
    assert again.status == "failed"
    assert [r.id for r in sdk.workflows.list_runs(workflow.id)] == [again.id, bad.id, good.id]
    browser.screenshot(tmp_path / "run-again.png")

    # the workflow, in the Components panel
    browser.click("dl a")
    assert browser.evaluate("location.pathname") == "/console/components"
    assert f"Component {workflow.id}" in browser.headings()
    browser.screenshot(tmp_path / "workflow.png")

    for name in ("runs.png", "run.png", "run-phone.png", "run-again.png", "workflow.png"):
        assert (tmp_path / name).stat().st_size > 1000
