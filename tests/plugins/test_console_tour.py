"""A tour of the whole local console in one headless chromium: a workspace holding a bit of
everything (made through the SDK), every panel of the navigation opened in turn, its first
link followed, each page checked for what a person needs (one h1, labelled fields, named
charts, readable contrast in the light and the dark theme, no sideways scrolling on a
phone), and a screenshot of each kept as a test artefact. With FLOW_CONSOLE_SHOT=1 it
also rewrites the pictures of the docs (DOCS_SHOTS). Then, in one visit, the actions a
person takes there (approve a login, inject a fault, roll back, redeliver), each checked
through the SDK."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from flow_sdk import CLIClient, CLIServerError
from flow_sdk_local.console import login_link

from .local.browser_support import DevTools, browser, needs_chromium

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium

DOCS = Path(__file__).parents[2] / "docs"
DOCS_SHOTS = {
    "overview-light.png": "console.png",
    "runs-detail-chart.png": "console-run.png",
    "experiments-detail-chart.png": "console-experiment.png",
}
"""Which screenshots of the tour the docs show (README.md, docs/concepts/console.md); a
``-chart`` one is the card holding the page's last chart (a timeline, the intervals)."""

NAVIGATION = [
    "Overview",
    "Components",
    "Connectors",
    "Datasets",
    "Deployments",
    "Experiments",
    "MCP servers",
    "Notes",
    "Policies",
    "Runs",
    "Services",
    "Webhooks",
    "Platform",
]

# What a page must give a person, measured in the page: each problem as a line of text.
PROBLEMS = """
(() => {
  const problems = [];
  const h1 = document.querySelectorAll('h1');
  if (h1.length !== 1) problems.push(`${h1.length} h1 elements`);
  if (document.documentElement.lang !== 'en') problems.push('no lang on <html>');
  for (const field of document.querySelectorAll('input, select, textarea')) {
    if (field.type === 'hidden') continue;
    const named = field.closest('label') || field.getAttribute('aria-label')
      || (field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`));
    if (!named) problems.push(`a field without a label: ${field.outerHTML.slice(0, 80)}`);
  }
  for (const button of document.querySelectorAll('button')) {
    if (!button.textContent.trim()) problems.push('a button without text');
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.getAttribute('role') !== 'img' || !svg.getAttribute('aria-label'))
      problems.push('a chart without role=img and a name');
  }
  const stamp = document.body.innerText.match(/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d\\S*/);
  if (stamp) problems.push(`a time not shown as the console shows times: ${stamp[0]}`);
  for (const link of document.querySelectorAll('a')) {
    if (!link.textContent.trim()) problems.push(`an empty link to ${link.href}`);
  }
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (element) => {
    for (let at = element; at; at = at.parentElement) {
      const colour = rgb(getComputedStyle(at).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(element)) continue;
    if (element.closest('svg, option, title')) continue;
    seen.add(element);
    const fg = luminance(rgb(getComputedStyle(element).color));
    const bg = luminance(background(element));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const text = element.textContent.trim().slice(0, 40);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)} for "${text}"`);
  }
  return problems;
})()
"""


def _a_bit_of_everything(sdk: CLIClient, platform: Any) -> None:
    """One of each kind of thing the panels show, made through the SDK."""
    agent = sdk.agents.create(name="support agent", spec={"model": "small"})
    sdk.agents.update(agent.id, spec={"model": "large"})
    double = sdk.transforms.create(
        name="double", spec={"code": "def main(n):\n    return {'n': n * 2}"}
    )
    check = sdk.validations.create(
        name="a number",
        spec={"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}},
    )
    steps = [{"id": "check", "component": {"type": "validation", "id": check.id}}]
    steps[0]["inputs"] = {"n": "$inputs.n"}
    for step, source in (("double", "check"), ("again", "double")):
        steps.append(
            {
                "id": step,
                "component": {"type": "transform", "id": double.id},
                "inputs": {"n": f"$steps.{source}.outputs.n"},
            }
        )
    workflow = sdk.workflows.create(name="double it twice", spec={"steps": steps})
    sdk.workflows.run(workflow.id, {"n": 4}, wait=True)
    cities = sdk.datasets.create(
        name="cities", schema=[{"name": "city", "type": "string", "required": True}]
    )
    sdk.datasets.append_rows(cities.id, [{"city": f"City {i}"} for i in range(30)])
    database = sdk.connector_instances.create(
        connector_key="sqlite", name="app database", config={"path": "tour.db"}
    )
    sdk.connector_instances.execute_ddl(
        database.id, "CREATE TABLE orders (id integer PRIMARY KEY)", confirm=True
    )
    ring = sdk.rings.create(name="canary", order=10, traffic_percent=5)
    sdk.component_deployments.deploy("agent", agent.id, ring_id=ring.id, version=2, wait=True)
    other = sdk.agents.create(name="support agent 2", spec={"model": "small"})
    variants = [
        {"component_id": agent.id, "version": 2, "weight": 50},
        {"component_id": other.id, "version": 1, "weight": 50},
    ]
    experiment = sdk.experiments.create(name="tone", variants=variants, metric="csat")
    sdk.experiments.start(experiment.id)
    for value in (3.0, 4.0, 3.5):
        sdk.experiments.record(experiment.id, 0, value)
    for value in (4.0, 4.5, 5.0):
        sdk.experiments.record(experiment.id, 1, value)
    service = sdk.hosted_services.create(
        name="greeter",
        endpoints=[{"method": "GET", "path": "/hi", "handler": "def main():\n    return 'hi'"}],
    )
    sdk.hosted_services.publish(service.id)
    sdk.mcp_servers.register("tools", "http://127.0.0.1:9/mcp")
    sdk.webhooks.create(url="http://127.0.0.1:9/hook", events=["dataset.*"])
    notes = f"{platform.url}/api/v1/orgs/org_dev/workspaces/ws_dev/notes"
    sdk._call("POST", notes, json={"title": "Remember", "body": "the milk"})
    sdk.policies.create(  # last: from here on, what the policies allow is enforced
        name="anyone may do anything", effect="allow", actions=["*"], resources=["*"]
    )


def _check_page(browser: DevTools, titles: list[str], shots: Path, name: str) -> list[str]:
    """The page's problems, in the light and the dark theme; screenshots at laptop and
    phone widths. Its h1 is one of ``titles``."""
    assert browser.text("h1") in titles, browser.evaluate("document.body.innerText")
    assert "This panel failed" not in browser.evaluate("document.body.innerText")
    problems = []
    for scheme in ("light", "dark"):
        browser.call(
            "Emulation.setEmulatedMedia",
            features=[{"name": "prefers-color-scheme", "value": scheme}],
        )
        problems += [f"{name} ({scheme}): {p}" for p in browser.evaluate(PROBLEMS)]
        browser.screenshot(shots / f"{name}-{scheme}.png")
    browser.call(
        "Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "light"}]
    )
    charts = "[...document.querySelectorAll('section:has(svg)')]"
    if browser.evaluate(f"{charts}.length"):
        browser.evaluate(f"{charts}.pop().dataset.shot = 'chart'")
        browser.screenshot(shots / f"{name}-chart.png", element="[data-shot=chart]")
    browser.screenshot(shots / f"{name}-phone.png", width=390, height=844)
    if not browser.fits(390):
        problems.append(f"{name}: wider than a phone")
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=1000,
        height=900,
        deviceScaleFactor=1,
        mobile=False,
    )
    return problems


def test_a_tour_of_every_panel(served_platform: Any, browser: DevTools, tmp_path: Path) -> None:
    sdk: CLIClient = served_platform.client()
    _a_bit_of_everything(sdk, served_platform)
    shots = tmp_path / "console-tour"
    shots.mkdir()

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    start = f"{served_platform.url}/console/overview?org=org_dev&ws=ws_dev"
    browser.open(start)
    assert browser.texts("nav a") == NAVIGATION
    problems: list[str] = []
    for index, title in enumerate(NAVIGATION):
        browser.open(start)
        browser.click_script(f"document.querySelectorAll('nav a')[{index}]")
        assert "org=org_dev&ws=ws_dev" in browser.evaluate("location.search")  # kept
        slug = browser.evaluate("location.pathname").rsplit("/", 1)[-1]
        problems += _check_page(browser, [title], shots, slug)
        rows = browser.evaluate("document.querySelectorAll('main table tbody a').length")
        assert rows > 0 or title in ("Overview", "Platform"), browser.evaluate(
            "document.body.innerText"
        )
        if rows:  # the first thing listed, opened (in this panel, or one it links to)
            browser.click("main table tbody a")
            problems += _check_page(browser, NAVIGATION, shots, f"{slug}-detail")
    assert problems == [], json.dumps(problems, indent=1)
    saved = sorted(p.name for p in shots.iterdir())
    assert len(saved) >= 3 * len(NAVIGATION)
    assert all((shots / name).stat().st_size > 1000 for name in saved)
    assert set(DOCS_SHOTS) <= set(saved)
    if os.environ.get("FLOW_CONSOLE_SHOT") == "1":
        for shot, picture in DOCS_SHOTS.items():
            shutil.copyfile(shots / shot, DOCS / picture)
    # looking changed nothing
    assert sdk.agents.get(sdk.agents.list().to_list()[0].id).version == 2
    assert sdk.datasets.get(sdk.datasets.list().to_list()[0].id).row_count == 30


def test_what_a_person_does_in_one_visit(
    served_platform: Any, browser: DevTools, tmp_path: Path
) -> None:
    """Approve a login, inject a fault, roll back a deployment and redeliver a webhook,
    each by clicking, and each checked through the SDK (or the platform's API)."""
    sdk: CLIClient = served_platform.client()
    agent = sdk.agents.create(name="support", spec={"model": "small"})
    sdk.agents.update(agent.id, spec={"model": "large"})
    ring = sdk.rings.create(name="canary", order=10, traffic_percent=5)
    deploy = sdk.component_deployments.deploy
    deployment = deploy("agent", agent.id, ring_id=ring.id, version=1, wait=True)
    deploy("agent", agent.id, ring_id=ring.id, version=2, wait=True)
    hook = sdk.webhooks.create(url="http://127.0.0.1:9/nobody", events=["ping.*"])
    ping = sdk.webhooks.test(hook.id)
    login = CLIClient.create_cli_login_request(served_platform.url)
    console = f"{served_platform.url}/console"
    ws = "org=org_dev&ws=ws_dev"
    browser.open(login_link(served_platform.url, served_platform.admin_secret))

    # approve the CLI login from the platform panel's list
    browser.open(f"{console}/platform")
    assert browser.text("#cli-logins code") == login["user_code"]
    browser.click("#cli-logins a")
    browser.evaluate("document.getElementById('confirm').click()")
    browser.click("#approve")
    browser.screenshot(tmp_path / "login-approved.png")
    polled = httpx.get(
        f"{served_platform.url}/api/v1/auth/cli-login-requests/{login['id']}", timeout=10
    ).json()
    assert polled["status"] == "approved"

    # inject a 503 on one path, once
    browser.open(f"{console}/platform")
    browser.evaluate("document.getElementById('fault-prefix').value = '/api/v1/auth/me'")
    browser.click("#inject")
    assert browser.text("#notice") == "Injecting 503 faults on /api/v1/auth/me."
    browser.screenshot(tmp_path / "fault-injected.png")
    with pytest.raises(CLIServerError):
        served_platform.client(max_retries=0).get_current_user()
    assert sdk.get_current_user()["id"] == "usr_dev"  # once only

    # roll the deployment back to v1, confirmed, with a reason
    browser.open(f"{console}/deployments?{ws}&id={deployment.id}")
    browser.evaluate("document.getElementById('rollback-confirm').checked = true")
    browser.evaluate("document.getElementById('reason').value = 'v2 answers too long'")
    browser.click("#rollback")
    browser.screenshot(tmp_path / "rolled-back.png")
    back = sdk.component_deployments.get(deployment.id)
    assert back.component_version == 1
    last = back.history[-1]
    assert (last.action, last.by, last.reason) == (
        "rollback",
        "local console",
        "v2 answers too long",
    )

    # redeliver the ping (its receiver is down: the new delivery is another try)
    browser.open(f"{console}/webhooks?{ws}&id={hook.id}&delivery={ping.id}")
    browser.click("#redeliver")
    browser.screenshot(tmp_path / "redelivered.png")
    newest, oldest = sdk.webhooks.deliveries(hook.id).to_list()
    assert oldest.id == ping.id
    assert newest.event_id == ping.event_id
    assert browser.text("#notice").startswith(f"Queued delivery {newest.id}")
    for name in ("login-approved", "fault-injected", "rolled-back", "redelivered"):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
