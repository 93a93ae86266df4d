"""The "Runs" console panel over HTTP: runs newest first, filtered and paged; a run's
inputs, outputs, error, step timeline and step table; escaping; "Run again"."""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any

import msgspec
from flow_sdk_components.local.routes import RUNS_TABLE
from flow_sdk_local.console import csrf_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WS = "org=org_dev&ws=ws_dev"
PAGE = f"/console/runs?{WS}"
SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def _step(step_id: str, component: Any, **inputs: Any) -> dict[str, Any]:
    return {
        "id": step_id,
        "component": {"type": component.type, "id": component.id},
        "inputs": inputs,
    }


def _checker(sdk: Any, name: str = "checker") -> Any:
    """A workflow of one validation step (runs in-process: fast): ``n`` must be an integer."""
    check = sdk.validations.create(name=f"{name} schema", spec={"schema": SCHEMA})
    return sdk.workflows.create(name=name, spec={"steps": [_step("check", check, n="$inputs.n")]})


def _run_ids(page: str) -> list[str]:
    """The runs the page's table lists, in order."""
    table = page.split("<h2>Runs</h2>", 1)[1]
    return re.findall(r'<td><a href="[^"]*run=(run_[0-9a-f]+)[^"]*">', table)


def _pre(page: str, heading: str) -> Any:
    """The JSON value shown under an ``<h2>`` heading."""
    found = re.search(rf"<h2>{heading}</h2><pre><code>(.*?)</code></pre>", page, re.S)
    assert found, page
    return json.loads(html.unescape(found.group(1)))


def test_runs_are_listed_newest_first_with_status_and_workflow(served_platform: Any) -> None:
    sdk = served_platform.client()
    workflow = _checker(sdk)
    good = sdk.workflows.run(workflow.id, {"n": 1}, wait=True)
    bad = sdk.workflows.run(workflow.id, {"n": "one"}, wait=True)
    assert (good.status, bad.status) == ("succeeded", "failed")
    console = served_platform.console()
    page = console.get(PAGE)
    assert page.status_code == 200, page.text
    assert 'aria-current="page">Runs</a>' in page.text
    assert _run_ids(page.text) == [bad.id, good.id]
    assert '<span class="badge ok">succeeded</span>' in page.text
    assert '<span class="badge bad">failed</span>' in page.text
    components = (
        f"/console/components?org=org_dev&amp;ws=ws_dev&amp;type=workflow&amp;id={workflow.id}"
    )
    assert f'<a href="{components}">checker</a>' in page.text
    assert page.text.count(" UTC</td>") == 2  # the start of each
    assert re.search(r"<td>\d+ ms</td>", page.text)  # and its duration
    shown = console.get(components.replace("&amp;", "&")).text
    assert f"<h2>Component {workflow.id}</h2>" in shown
    unchosen = console.get("/console/runs").text
    assert "Choose an org and a workspace to see their workflow runs." in unchosen


def test_runs_filter_by_workflow_and_status(served_platform: Any) -> None:
    sdk = served_platform.client()
    first, second = _checker(sdk, "first"), _checker(sdk, "second")
    a_good = sdk.workflows.run(first.id, {"n": 1}, wait=True)
    a_bad = sdk.workflows.run(first.id, {"n": None}, wait=True)
    b_good = sdk.workflows.run(second.id, {"n": 2}, wait=True)
    console = served_platform.console()
    only_first = console.get(f"{PAGE}&workflow={first.id}").text
    assert _run_ids(only_first) == [a_bad.id, a_good.id]
    assert f'<option value="{first.id}" selected>first</option>' in only_first
    failed = console.get(f"{PAGE}&status=failed").text
    assert _run_ids(failed) == [a_bad.id]
    assert '<option value="failed" selected>failed</option>' in failed
    both = console.get(f"{PAGE}&workflow={second.id}&status=succeeded").text
    assert _run_ids(both) == [b_good.id]
    none = console.get(f"{PAGE}&workflow={second.id}&status=failed").text
    assert _run_ids(none) == []
    assert "No workflow runs match." in none
    assert 'id="filter"' in none
    nonsense = console.get(f"{PAGE}&status=%3Cb%3E").text  # an unknown status: no filter
    assert len(_run_ids(nonsense)) == 3


def test_the_list_is_paged_and_the_next_page_keeps_the_filter(served_platform: Any) -> None:
    sdk = served_platform.client()
    workflow, other = _checker(sdk), _checker(sdk, "other")
    started = [sdk.workflows.run(workflow.id, {"n": i}).id for i in range(23)]
    sdk.workflows.run(other.id, {"n": 0})
    assert served_platform.wait_idle(60)
    newest_first = [r.id for r in sdk.workflows.list_runs(workflow.id)]
    assert sorted(newest_first) == sorted(started)
    console = served_platform.console()
    first = console.get(f"{PAGE}&workflow={workflow.id}&status=succeeded").text
    assert _run_ids(first) == newest_first[:20]
    after = re.search(r'rel="next" href="([^"]+)"', first)
    assert after, first
    href = html.unescape(after.group(1))
    assert f"workflow={workflow.id}" in href
    assert "status=succeeded" in href
    second = console.get(href).text
    assert _run_ids(second) == newest_first[20:]
    assert 'rel="next"' not in second
    everything = console.get(PAGE).text
    assert len(_run_ids(everything)) == 20  # 24 runs in the workspace, 20 a page


def test_a_run_in_detail(served_platform: Any) -> None:
    sdk = served_platform.client()
    double = sdk.transforms.create(
        name="double",
        spec={"code": "def main(n):\n    print('doubling', n)\n    return {'n': n * 2}"},
    )
    boom = sdk.code_blocks.create(
        name="boom", spec={"code": "def main(n):\n    raise RuntimeError(f'too big: {n}')"}
    )
    never = sdk.validations.create(name="never", spec={"schema": SCHEMA})
    workflow = sdk.workflows.create(
        name="doubles then fails",
        spec={
            "steps": [
                _step("double", double, n="$inputs.n"),
                _step("boom", boom, n="$steps.double.outputs.n"),
                _step("never", never, n=1),
            ]
        },
    )
    run = sdk.workflows.run(workflow.id, {"n": 21}, wait=True)
    assert run.status == "failed"
    console = served_platform.console()
    listing = console.get(PAGE).text
    link = re.search(rf'<a href="([^"]+)">{run.id}</a>', listing)
    assert link, listing
    page = console.get(html.unescape(link.group(1))).text
    assert f"<h2>Run {run.id}</h2>" in page
    assert "<dt>Workflow version</dt><dd>1</dd>" in page
    assert "step &#x27;boom&#x27; failed: RuntimeError: too big: 42" in page
    assert _pre(page, "Inputs") == {"n": 21}
    assert _pre(page, "Outputs") == {}
    error = re.search(r"<h2>Error</h2><pre><code>(.*?)</code></pre>", page, re.S)
    assert error, page
    assert html.unescape(error.group(1)) == run.error.summary
    assert run.error.summary == "StepFailed: step 'boom' failed: RuntimeError: too big: 42"
    # the timeline: one bar per step that ran (the skipped one never started)
    svg = re.search(r'<svg role="img" aria-label="Steps timeline".*?</svg>', page, re.S)
    assert svg, page
    assert re.findall(r"<title>(\w+): (\w+), ", svg.group(0)) == [
        ("double", "succeeded"),
        ("boom", "failed"),
    ]
    assert 'class="ok"' in svg.group(0)
    assert 'class="bad"' in svg.group(0)
    # the steps table: each step's status, input, output, error and what it printed
    steps = page.split("<h2>Steps</h2>", 1)[1]
    rows = re.findall(r"<tr><td>(\w+)</td>(.*?)</tr>", steps, re.S)
    assert [name for name, _ in rows] == ["double", "boom", "never"]
    double_row, boom_row, never_row = (cells for _, cells in rows)
    assert '<span class="badge ok">succeeded</span>' in double_row
    assert "&quot;n&quot;: 42" in double_row  # its output
    assert "doubling 21" in double_row  # what it printed
    assert '<span class="badge bad">failed</span>' in boom_row
    assert "RuntimeError: too big: 42" in boom_row
    assert "Traceback" in boom_row
    assert '<span class="badge">skipped</span>' in never_row
    assert "<pre>" not in never_row  # it never ran: no input, output or error
    assert steps.split("</thead>")[0].count("<th scope") == 8  # "Printed" too: a step printed
    for step in run.steps:
        href = f"type={step.component_type}&amp;id={step.component_id}"
        assert f'{href}">{step.component_type} {step.component_id}</a>' in steps
    assert f'type=workflow&amp;id={workflow.id}">doubles then fails</a>' in page
    back = re.search(r'<a href="([^"]+)">All runs</a>', page)
    assert back
    assert "run=" not in html.unescape(back.group(1))


def test_an_unknown_or_foreign_run_is_not_found(served_platform: Any) -> None:
    other = served_platform.create_tenant("Elsewhere")
    stranger = served_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    theirs = stranger.workflows.run(_checker(stranger).id, {"n": 1}, wait=True)
    console = served_platform.console()
    for run_id in ("run_nope", theirs.id):
        page = console.get(f"{PAGE}&run={run_id}")
        assert page.status_code == 200
        assert f'id="not-found">No workflow run {run_id} in this workspace.' in page.text
    assert theirs.id not in console.get(PAGE).text
    in_theirs = console.get(f"/console/runs?org={other['org_id']}&ws={other['workspace_id']}")
    assert _run_ids(in_theirs.text) == [theirs.id]


def test_an_interrupted_run_is_shown_failed(served_platform: Any) -> None:
    sdk = served_platform.client()
    workflow = _checker(sdk)
    run = sdk.workflows.run(workflow.id, {"n": 1}, wait=True)
    stuck = msgspec.json.decode(msgspec.json.encode(run))
    stuck.update(id="run_0000000000000001", status="running", finished_at=None)
    with served_platform.store.transaction() as tx:  # as a platform killed mid-run leaves it
        tx.execute(
            f"INSERT INTO {RUNS_TABLE} (scope, workflow_id, id, status, runner, data, updated_at)"
            " VALUES ('org_dev/ws_dev', ?, ?, 'running', '999999999:gone', ?, ?)",
            (workflow.id, stuck["id"], json.dumps(stuck), tx.now()),
        )
    page = served_platform.console().get(f"{PAGE}&run={stuck['id']}").text
    assert '<dt>Status</dt><dd><span class="badge bad">failed</span></dd>' in page
    assert "Interrupted: the local platform stopped while the run was in progress" in page
    assert sdk.workflows.get_run(workflow.id, stuck["id"]).status == "failed"


def test_names_inputs_and_errors_are_escaped(served_platform: Any) -> None:
    sdk = served_platform.client()
    hostile = "<script>alert(1)</script>"
    check = sdk.validations.create(name=hostile, spec={"schema": SCHEMA})
    workflow = sdk.workflows.create(
        name=hostile, spec={"steps": [_step("check", check, n="$inputs.n")]}
    )
    run = sdk.workflows.run(workflow.id, {"n": "<img src=x onerror=alert(2)>"}, wait=True)
    assert run.status == "failed"
    console = served_platform.console()
    for page in (console.get(PAGE).text, console.get(f"{PAGE}&run={run.id}").text):
        assert "<script>" not in page
        assert "<img" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    detail = console.get(f"{PAGE}&run={run.id}").text
    assert _pre(detail, "Inputs") == {"n": "<img src=x onerror=alert(2)>"}


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(min_size=1, max_size=40))
def test_any_input_is_shown_as_it_was_given(served_platform: Any, value: str) -> None:
    sdk = served_platform.client()
    check = sdk.validations.create(name="anything", spec={"schema": {"type": "object"}})
    workflow = sdk.workflows.create(
        name="echo " + "".join(c for c in value if c.isprintable()),  # names refuse controls
        spec={"steps": [_step("echo", check, text="$inputs.text")]},
    )
    run = sdk.workflows.run(workflow.id, {"text": value}, wait=True)
    assert run.status == "succeeded"
    page = served_platform.console().get(f"{PAGE}&run={run.id}").text
    assert _pre(page, "Inputs") == {"text": value}
    assert _pre(page, "Outputs") == {"text": value}
    assert f">{html.escape(workflow.name)}</a></dd>" in page  # the workflow's name, linked


def test_run_again_starts_the_same_run_anew(served_platform: Any) -> None:
    sdk = served_platform.client()
    workflow = _checker(sdk)
    run = sdk.workflows.run(workflow.id, {"n": 7}, wait=True)
    console = served_platform.console()
    detail = f"{PAGE}&run={run.id}"
    page = console.get(detail).text
    assert 'id="rerun"' in page
    form = {"action": "rerun", "run": run.id}
    refused = console.post(detail, data=form)
    assert refused.status_code == 403
    assert len(list(sdk.workflows.list_runs(workflow.id))) == 1  # nothing started
    done = console.post(detail, data={**form, "csrf": csrf_token(served_platform.admin_secret)})
    assert done.status_code == 200, done.text
    notice = re.search(r'id="notice">Started run (run_[0-9a-f]+) of workflow', done.text)
    assert notice, done.text
    again = sdk.workflows.wait_for_run(workflow.id, notice.group(1), timeout_s=30)
    assert again.id != run.id
    assert again.inputs == {"n": 7}
    assert again.status == "succeeded"
    assert [r.id for r in sdk.workflows.list_runs(workflow.id)] == [again.id, run.id]
    assert _run_ids(done.text) == [again.id, run.id]  # the page lists it at once


def test_run_again_says_why_it_cannot(served_platform: Any) -> None:
    sdk = served_platform.client()
    workflow = _checker(sdk)
    run = sdk.workflows.run(workflow.id, {"n": 1}, wait=True)
    console = served_platform.console()
    csrf = csrf_token(served_platform.admin_secret)
    unknown = console.post(PAGE, data={"csrf": csrf, "action": "rerun", "run": "run_nope"})
    assert unknown.status_code == 422
    assert "No workflow run &#x27;run_nope&#x27; in this workspace." in unknown.text
    step_component = workflow.spec["steps"][0]["component"]["id"]
    sdk.validations.delete(step_component)  # the workflow no longer validates
    broken = console.post(PAGE, data={"csrf": csrf, "action": "rerun", "run": run.id})
    assert broken.status_code == 422
    assert "The workflow cannot run again: the workflow cannot run: step" in broken.text
    assert len(list(sdk.workflows.list_runs(workflow.id))) == 1
    elsewhere = served_platform.create_tenant("Elsewhere")
    foreign = console.post(
        f"/console/runs?org={elsewhere['org_id']}&ws={elsewhere['workspace_id']}",
        data={"csrf": csrf, "action": "rerun", "run": run.id},
    )
    assert foreign.status_code == 422  # a run is acted on in its own workspace only
    assert "in this workspace" in foreign.text
    odd = console.post(PAGE, data={"csrf": csrf, "action": "cancel", "run": run.id})
    assert odd.status_code == 422


def test_a_page_of_ten_thousand_runs_renders_quickly(served_platform: Any) -> None:
    sdk = served_platform.client()
    workflow = _checker(sdk)
    run = sdk.workflows.run(workflow.id, {"n": 1}, wait=True)
    data = msgspec.json.decode(msgspec.json.encode(run))
    rows = []
    for i in range(10_000):  # copies of the real run, as many runs over time would leave
        copy = {**data, "id": f"run_{i:016x}"}
        rows.append(("org_dev/ws_dev", workflow.id, copy["id"], "succeeded", "x", json.dumps(copy)))
    with served_platform.store.transaction() as tx:
        now = tx.now()
        for row in rows:
            tx.execute(
                f"INSERT INTO {RUNS_TABLE} (scope, workflow_id, id, status, runner, data, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*row, now),
            )
    console = served_platform.console()
    console.get(PAGE)  # warm up
    for query in ("", f"&workflow={workflow.id}", "&status=succeeded", "&status=failed"):
        began = time.perf_counter()
        page = console.get(PAGE + query)
        took = time.perf_counter() - began
        assert page.status_code == 200
        assert took < 0.25, f"{query}: {took:.3f} s"  # about 0.01-0.05 s here
    assert _run_ids(console.get(PAGE).text)[0] == "run_000000000000270f"
