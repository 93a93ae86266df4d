"""client.experiments on AsyncCLIClient: the same namespace code, awaited, in-process and over
the socket. The agents the variants name come from the shared (sync) fixtures, on the same platform.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError, CLIValidationError
from flow_sdk_experiments import Assignment, Experiment, Outcome, Results, Variant

from .conftest import raw_request

pytestmark = pytest.mark.anyio


async def test_crud_async(async_flow_client: Any, variants: list[dict[str, Any]]) -> None:
    experiments = async_flow_client.experiments
    created = await experiments.create(name="tone", variants=variants, metric="csat")
    assert isinstance(created, Experiment)
    assert (created.name, created.metric, created.status, created.version) == (
        "tone",
        "csat",
        "draft",
        1,
    )
    assert created.variants == [Variant(**v) for v in variants]
    assert await experiments.get(created.id) == created
    other = await experiments.create({"name": "x", "variants": [Variant(**v) for v in variants]})
    assert other.metric == "metric"
    assert [e.id async for e in experiments.list()] == [created.id, other.id]
    assert [e.id async for e in experiments.list(page_size=1)] == [created.id, other.id]
    assert [e.id async for e in experiments.list(name="x")] == [other.id]
    assert await experiments.list(status="running").to_list() == []
    assert [e.id for e in await experiments.list(limit=1).to_list()] == [created.id]
    swapped = [{**variants[0], "weight": 20}, {**variants[1], "weight": 80}]
    updated = await experiments.update(created.id, variants=swapped, if_match=1)
    assert ([v.weight for v in updated.variants], updated.version) == ([20, 80], 2)
    assert updated.metric == "csat"
    await experiments.delete(created.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        await experiments.get(created.id)
    await experiments.delete(other.id)
    assert await experiments.list().first() is None


async def test_errors_async(async_flow_client: Any, variants: list[dict[str, Any]]) -> None:
    experiments = async_flow_client.experiments
    for call in (
        lambda: experiments.get("exp_missing"),
        lambda: experiments.update("exp_missing", name="x"),
        lambda: experiments.delete("exp_missing"),
        lambda: experiments.start("exp_missing"),
        lambda: experiments.stop("exp_missing"),
        lambda: experiments.assign("exp_missing", "u1"),
        lambda: experiments.record("exp_missing", 0, 1.0),
        lambda: experiments.results("exp_missing"),
    ):
        with pytest.raises(CLINotFoundError):
            await call()
    experiment = await experiments.create(name="tone", variants=variants)
    await experiments.update(experiment.id, description="changed")
    for call in (
        lambda: experiments.update(experiment.id, name="x", if_match=experiment.version),
        lambda: experiments.delete(experiment.id, if_match=experiment.version),
        lambda: experiments.start(experiment.id, if_match=experiment.version),
    ):
        with pytest.raises(CLIConflictError, match="version"):
            await call()
    with pytest.raises(CLIConflictError, match="draft, not running; start it"):
        await experiments.assign(experiment.id, "u1")
    with pytest.raises(CLIConflictError, match="already draft"):
        await experiments.stop(experiment.id)
    with pytest.raises(CLIValidationError, match="not 9") as info:  # the platform's check
        await experiments.create(name="x", variants=[variants[0], {**variants[1], "version": 9}])
    assert info.value.status_code == 422
    body = {"name": "x", "variants": [variants[0], {**variants[1], "colour": "red"}]}
    with pytest.raises(CLIValidationError, match="colour") as unknown:
        await raw_request(experiments, "POST", experiments._collection(), json=body)
    assert unknown.value.status_code == 422
    with pytest.raises(CLIValidationError) as local:  # the SDK's check, before sending
        await experiments.create(name="x", variants=[variants[0], {**variants[1], "weight": 40}])
    assert local.value.status_code is None
    assert "add up to 100" in (local.value.hint or "")
    assert (await experiments.get(experiment.id)).status == "draft"


async def test_start_assign_record_results_stop_async(
    async_flow_client: Any, variants: list[dict[str, Any]]
) -> None:
    experiments = async_flow_client.experiments
    experiment = await experiments.create(name="tone", variants=variants, metric="csat")
    started = await experiments.start(experiment.id, if_match=experiment.version)
    assert (started.status, started.version) == ("running", experiment.version + 1)
    with pytest.raises(CLIConflictError, match="already running"):
        await experiments.start(experiment.id)

    subjects = [f"user-{number}" for number in range(20)]
    assignments = await asyncio.gather(*(experiments.assign(started.id, s) for s in subjects))
    for subject, assignment in zip(subjects, assignments, strict=True):
        assert isinstance(assignment, Assignment)
        assert experiments.assign_offline(started, subject) == assignment
    assert await experiments.assign(started.id, subjects[0]) == assignments[0]
    assert {a.variant for a in assignments} == {0, 1}

    control = [3.0, 4.0, 5.0, 4.0]
    treatment = [4.0, 5.0, 5.0]
    outcomes = await asyncio.gather(
        *(experiments.record(started.id, 0, value) for value in control),
        *(experiments.record(started.id, 1, value) for value in treatment),
    )
    assert all(isinstance(outcome, Outcome) for outcome in outcomes)
    by_assignment = await experiments.record(started.id, assignments[0], 4.5, idempotency_key="v1")
    assert (by_assignment.variant, by_assignment.metric_value) == (assignments[0].variant, 4.5)
    assert await experiments.record(started.id, assignments[0], 4.5, idempotency_key="v1") == (
        by_assignment
    )
    with pytest.raises(CLIValidationError) as refused:
        await experiments.record(started.id, 0, float("nan"))
    assert refused.value.status_code is None

    stopped = await experiments.stop(started.id, if_match=started.version)
    assert stopped.status == "stopped"
    with pytest.raises(CLIConflictError, match="stopped, not running"):
        await experiments.record(started.id, 0, 1.0)
    results = await experiments.results(started.id)
    assert isinstance(results, Results)
    assert (results.status, results.total, results.metric) == ("stopped", 8, "csat")
    first, second = results.variants
    control_values = control + ([4.5] if assignments[0].variant == 0 else [])
    treatment_values = treatment + ([4.5] if assignments[0].variant == 1 else [])
    assert (first.count, second.count) == (len(control_values), len(treatment_values))
    assert first.mean == pytest.approx(statistics.fmean(control_values))
    assert second.difference == pytest.approx(
        statistics.fmean(treatment_values) - statistics.fmean(control_values)
    )
    again = await experiments.start(experiment.id)
    assert (again.status, again.stopped_at) == ("running", None)
    raw = await experiments.with_raw_response.results(experiment.id)
    assert raw.status_code == 200
    assert raw.parse().total == 8
