"""The "Experiments" console panel over plain HTTP: the list (paged), an experiment's
variants and results (the same numbers as ``client.experiments.results``), start and
stop from the page, CSRF, other workspaces and escaping."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flow_sdk_local.console import csrf_token
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

WS = "org=org_dev&ws=ws_dev"
CONTROL = [10.0, 12.0, 11.0, 9.0, 13.0, 10.5, 11.5, 12.5]
TREATMENT = [20.0, 22.0, 21.0, 19.0, 23.0, 20.5]


def _variants(sdk: Any) -> list[dict[str, Any]]:
    first = sdk.agents.create(name="support-bot", spec={"prompt": "be brief"})
    second = sdk.agents.create(name="support-bot-2", spec={"prompt": "be kind"})
    sdk.agents.update(second.id, spec={"prompt": "be kind and brief"})
    return [
        {"component_id": first.id, "version": 1, "weight": 30},
        {"component_id": second.id, "version": 2, "weight": 70},
    ]


def _cells(fragment: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<td>(.*?)</td>", fragment, re.S)
    ]


def _table(page: str, caption: str) -> list[list[str]]:
    """The rows of the table under ``<h2>caption</h2>``, as text."""
    found = re.search(
        rf"<h2>{re.escape(caption)}</h2><table>.*?<tbody>(.*?)</tbody></table>", page, re.S
    )
    assert found, page
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)]


def _pair(text: str) -> tuple[float, float]:
    low, high = text.strip("[]").split(", ")
    return float(low), float(high)


def _post(console: Any, query: str, **form: str) -> Any:
    return console.post(f"/console/experiments?{query}", data=form)


def test_the_list_shows_the_workspace_experiments(served_platform: Any) -> None:
    sdk = served_platform.client()
    variants = _variants(sdk)
    tone = sdk.experiments.create(name="tone of voice", variants=variants, metric="csat")
    sdk.experiments.create(name="greeting", variants=variants)
    sdk.experiments.start(tone.id)
    for value in (1.0, 2.0, 3.0):
        sdk.experiments.record(tone.id, 1, value)
    console = served_platform.console()
    page = console.get(f"/console/experiments?{WS}")
    assert page.status_code == 200, page.text
    assert 'aria-current="page">Experiments</a>' in page.text
    rows = _table(page.text, "Experiments")
    assert rows[0][:5] == ["tone of voice", "running", "csat", "2", "3"]
    assert rows[1][:5] == ["greeting", "draft", "metric", "2", "0"]
    assert '<span class="badge ok">running</span>' in page.text
    href = re.search(r'<a href="([^"]+)">tone of voice</a>', page.text)
    assert href, page.text
    detail = console.get(html.unescape(href.group(1))).text
    assert "<h2>Experiment tone of voice</h2>" in detail
    assert tone.id in detail
    unchosen = console.get("/console/experiments").text
    assert "Choose an org and a workspace to see their experiments." in unchosen


def test_the_list_is_paged(served_platform: Any) -> None:
    sdk = served_platform.client()
    variants = _variants(sdk)
    for i in range(23):
        sdk.experiments.create(name=f"experiment {i:02d}", variants=variants)
    console = served_platform.console()
    first = console.get(f"/console/experiments?{WS}").text
    names = [row[0] for row in _table(first, "Experiments")]
    assert names == [f"experiment {i:02d}" for i in range(20)]
    after = re.search(r'rel="next" href="([^"]+)"', first)
    assert after, first
    second = console.get(html.unescape(after.group(1))).text
    assert [row[0] for row in _table(second, "Experiments")] == [
        f"experiment {i:02d}" for i in range(20, 23)
    ]
    assert 'rel="next"' not in second


def test_the_detail_shows_the_results_route_numbers(served_platform: Any) -> None:
    sdk = served_platform.client()
    variants = _variants(sdk)
    exp = sdk.experiments.create(
        name="tone", variants=variants, metric="csat", description="kinder replies"
    )
    sdk.experiments.start(exp.id)
    for value in CONTROL:
        sdk.experiments.record(exp.id, 0, value)
    for value in TREATMENT:
        sdk.experiments.record(exp.id, 1, value)
    expected = sdk.experiments.results(exp.id)
    console = served_platform.console()
    page = console.get(f"/console/experiments?{WS}&id={exp.id}").text

    assert "kinder replies" in page
    assert "<dt>Outcomes</dt><dd>14</dd>" in page
    variants_rows = _table(page, "Variants")
    assert variants_rows[0] == [
        "0",
        "control",
        "support-bot",
        variants[0]["component_id"],
        "1",
        "30 %",
    ]
    assert variants_rows[1][1:] == [
        "treatment",
        "support-bot-2",
        variants[1]["component_id"],
        "2",
        "70 %",
    ]
    # the config of each variant is its component's spec at that version
    assert "&quot;prompt&quot;: &quot;be kind and brief&quot;" in page
    assert "&quot;prompt&quot;: &quot;be kind&quot;\n" not in page
    # outcomes per variant: a bar chart with the counts as text
    assert '<svg role="img" aria-label="Outcomes per variant"' in page
    assert re.search(r">8</text>.*>6</text>", page, re.S)

    rows = _table(page, "Results")
    assert len(rows) == len(expected.variants) == 2
    for row, result in zip(rows, expected.variants, strict=True):
        assert int(row[1]) == result.count
        assert float(row[2]) == pytest.approx(result.mean, rel=1e-5)
        assert _pair(row[3]) == pytest.approx((result.ci_low, result.ci_high), rel=1e-5)
        assert float(row[4]) == pytest.approx(result.stddev, rel=1e-5)
    control, treatment = expected.variants
    assert rows[0][5:] == ["—", "—", "control"]
    assert float(rows[1][5]) == pytest.approx(treatment.difference, rel=1e-5)
    assert _pair(rows[1][6]) == pytest.approx(
        (treatment.difference_ci_low, treatment.difference_ci_high), rel=1e-5
    )
    assert treatment.difference_ci_low > 0
    assert rows[1][7] == "above the control"

    # the intervals drawn: one per variant, the control's mean as reference; the difference
    means = re.search(r'aria-label="Mean csat per variant \(95% intervals\)".*?</svg>', page, re.S)
    assert means, page
    drawn = re.findall(
        r"<title>([^<]*): ([-\d.e+]+) \[([-\d.e+]+), ([-\d.e+]+)\]</title>", means.group(0)
    )
    assert [(label, float(m)) for label, m, _, _ in drawn] == [
        ("0: support-bot", pytest.approx(control.mean, rel=1e-3)),
        ("1: support-bot-2", pytest.approx(treatment.mean, rel=1e-3)),
    ]
    assert 'class="ref"' in means.group(0)
    difference = re.search(r'aria-label="Difference from the control.*?</svg>', page, re.S)
    assert difference, page
    assert 'class="ref"' in difference.group(0)
    assert f"{treatment.difference:.4g} [" in difference.group(0)


def test_results_with_too_few_outcomes_say_so(served_platform: Any) -> None:
    sdk = served_platform.client()
    exp = sdk.experiments.create(name="quiet", variants=_variants(sdk))
    sdk.experiments.start(exp.id)
    sdk.experiments.record(exp.id, 1, 4.0)
    expected = sdk.experiments.results(exp.id)
    page = served_platform.console().get(f"/console/experiments?{WS}&id={exp.id}").text
    rows = _table(page, "Results")
    assert rows[0][1:4] == ["0", "—", "—"]
    assert rows[1][1:3] == ["1", "4"]
    assert expected.variants[1].mean == 4.0
    assert rows[1][3] == "—"
    assert expected.variants[1].ci_low is None
    assert rows[1][7] == "too few outcomes"
    assert page.count("No data yet.") == 2  # nothing to draw yet


def test_start_and_stop_from_the_page(served_platform: Any) -> None:
    sdk = served_platform.client()
    exp = sdk.experiments.create(name="tone", variants=_variants(sdk))
    console = served_platform.console()
    csrf = csrf_token(served_platform.admin_secret)
    query = f"{WS}&id={exp.id}"
    page = console.get(f"/console/experiments?{query}").text
    assert 'id="start"' in page
    assert 'id="stop"' not in page

    started = _post(console, query, csrf=csrf, action="start", id=exp.id, version="1")
    assert started.status_code == 200, started.text
    assert f"Experiment {exp.id} started." in started.text
    assert sdk.experiments.get(exp.id).status == "running"
    assert 'id="stop"' in started.text
    assert '<span class="badge ok">running</span>' in started.text

    # a page gone stale (the version it showed) is refused, and nothing changes
    stale = _post(console, query, csrf=csrf, action="stop", id=exp.id, version="1")
    assert stale.status_code == 422
    assert "version conflict" in html.unescape(stale.text)
    assert sdk.experiments.get(exp.id).status == "running"

    stopped = _post(console, query, csrf=csrf, action="stop", id=exp.id, version="2")
    assert stopped.status_code == 200, stopped.text
    assert f"Experiment {exp.id} stopped." in stopped.text
    assert sdk.experiments.get(exp.id).status == "stopped"

    again = _post(console, query, csrf=csrf, action="stop", id=exp.id)
    assert again.status_code == 422
    assert "already stopped" in again.text
    unknown = _post(console, query, csrf=csrf, action="conclude", id=exp.id)
    assert unknown.status_code == 422
    assert "Unknown action" in unknown.text


def test_a_post_without_the_csrf_token_changes_nothing(served_platform: Any) -> None:
    sdk = served_platform.client()
    exp = sdk.experiments.create(name="tone", variants=_variants(sdk))
    console = served_platform.console()
    refused = _post(console, f"{WS}&id={exp.id}", action="start", id=exp.id)
    assert refused.status_code == 403
    forged = _post(console, f"{WS}&id={exp.id}", csrf="nope", action="start", id=exp.id)
    assert forged.status_code == 403
    assert sdk.experiments.get(exp.id).status == "draft"


def test_actions_and_pages_stay_in_the_chosen_workspace(served_platform: Any) -> None:
    sdk = served_platform.client()
    exp = sdk.experiments.create(name="tone", variants=_variants(sdk))
    other = served_platform.create_tenant("Elsewhere")
    there = f"org={other['org_id']}&ws={other['workspace_id']}"
    console = served_platform.console()
    assert "tone" not in console.get(f"/console/experiments?{there}").text
    missing = console.get(f"/console/experiments?{there}&id={exp.id}").text
    assert 'id="not-found"' in missing
    csrf = csrf_token(served_platform.admin_secret)
    refused = _post(console, there, csrf=csrf, action="start", id=exp.id)
    assert refused.status_code == 422
    assert "not found" in refused.text
    assert sdk.experiments.get(exp.id).status == "draft"
    nowhere = _post(console, "", csrf=csrf, action="start", id=exp.id)
    assert nowhere.status_code == 422
    assert "Choose an org and a workspace" in nowhere.text


def test_deleted_components_and_unknown_experiments(served_platform: Any) -> None:
    sdk = served_platform.client()
    variants = _variants(sdk)
    exp = sdk.experiments.create(name="tone", variants=variants)
    sdk.agents.delete(variants[0]["component_id"])
    console = served_platform.console()
    page = console.get(f"/console/experiments?{WS}&id={exp.id}").text
    assert _table(page, "Variants")[0][2] == "(deleted)"
    assert "The component is gone." in page
    gone = console.get(f"/console/experiments?{WS}&id=exp_nope")
    assert gone.status_code == 200
    assert 'id="not-found"' in gone.text


NAMES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=30
)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES, metric=NAMES)
@example(name="<script>alert(1)</script>", metric='"><img src=x onerror=alert(2)>')
def test_names_are_escaped(served_platform: Any, name: str, metric: str) -> None:
    sdk = served_platform.client()
    variants = _variants(sdk)
    sdk.agents.update(variants[0]["component_id"], spec={"prompt": "</pre><b>bold</b>"})
    variants[0]["version"] = 2
    exp = sdk.experiments.create(name=name, variants=variants, metric=metric, description=name)
    console = served_platform.console()
    listing = console.get(f"/console/experiments?{WS}").text
    page = console.get(f"/console/experiments?{WS}&id={exp.id}").text
    for text in (listing, page):
        assert html.escape(name) in text
        if "<" in name:
            assert name not in text
    assert html.escape(metric) in page
    assert "<b>bold</b>" not in page
    assert "&lt;/pre&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>" not in page
    assert "<img" not in page
    sdk.experiments.delete(exp.id)
