"""Hypothesis through the local platform: any body is a 201 or a clean 422, any id a 404,
and the platform's results agree with the pure statistics for any recorded values."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import CLIClient, CLIValidationError
from flow_sdk_experiments import mean_interval, summarize
from flow_sdk_experiments._variants import variant_problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import raw_request

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def component_id(flow_client_inprocess: CLIClient) -> str:
    """An agent with two versions."""
    agents = flow_client_inprocess.agents
    bot = agents.create(name="bot")
    agents.update(bot.id, description="second version")
    return str(bot.id)


def variant_lists(component_id: str) -> st.SearchStrategy[Any]:
    """Variant lists, valid (a split of 100 over versions 1 and 2) or not in many ways."""
    variant = st.fixed_dictionaries(
        {
            "component_id": st.sampled_from([component_id, "cmp_nope", ""]),
            "version": st.one_of(st.integers(min_value=-1, max_value=3), st.just("1")),
            "weight": st.one_of(st.integers(min_value=-5, max_value=105), st.floats(0, 100)),
        }
    )
    valid = st.integers(min_value=0, max_value=100).map(
        lambda w: [
            {"component_id": component_id, "version": 1, "weight": w},
            {"component_id": component_id, "version": 2, "weight": 100 - w},
        ]
    )
    return st.one_of(valid, st.lists(variant, max_size=4), st.text(max_size=5), st.none())


@SETTINGS
@given(data=st.data())
def test_any_body_is_stored_as_sent_or_refused_with_a_422(
    flow_client_inprocess: CLIClient, component_id: str, data: st.DataObject
) -> None:
    body = data.draw(
        st.fixed_dictionaries(
            {"variants": variant_lists(component_id)},
            optional={
                "name": st.one_of(st.text(max_size=20), st.none()),
                "metric": st.one_of(st.text(max_size=10), st.none()),
            },
        )
    )
    experiments = flow_client_inprocess.experiments
    answer: Any
    try:
        answer = raw_request(experiments, "POST", experiments._collection(), json=body)
    except CLIValidationError as error:
        answer = error
    if isinstance(answer, CLIValidationError):
        assert answer.status_code == 422
        assert answer.detail
        return
    assert variant_problems(body["variants"]) == []
    assert answer["variants"] == body["variants"]
    assert all(v["component_id"] == component_id for v in body["variants"])
    assert answer["status"] == "draft"
    assert str(body["name"]).strip()


@SETTINGS
@given(experiment_id=st.text(min_size=1, max_size=40))
def test_any_id_names_one_experiment_or_none(
    flow_client_inprocess: CLIClient, missing_error: Any, experiment_id: str
) -> None:
    experiments = flow_client_inprocess.experiments
    for call in (
        lambda: experiments.get(experiment_id),
        lambda: experiments.results(experiment_id),
        lambda: experiments.start(experiment_id),
        lambda: experiments.assign(experiment_id, "s"),
    ):
        with pytest.raises(missing_error(experiment_id)):
            call()


values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(control=st.lists(values, max_size=12), treatment=st.lists(values, max_size=12))
def test_the_platforms_results_agree_with_the_pure_statistics(
    flow_client_inprocess: CLIClient,
    component_id: str,
    control: list[float],
    treatment: list[float],
) -> None:
    experiments = flow_client_inprocess.experiments
    experiment = experiments.create(
        name="agree",
        variants=[
            {"component_id": component_id, "version": 1, "weight": 30},
            {"component_id": component_id, "version": 2, "weight": 70},
        ],
    )
    experiments.start(experiment.id)
    for variant, sample in enumerate((control, treatment)):
        for value in sample:
            experiments.record(experiment.id, variant, value)
    results = experiments.results(experiment.id)
    assert results.total == len(control) + len(treatment)
    for got, sample in zip(results.variants, (control, treatment), strict=True):
        expected = summarize(sample)
        assert got.count == expected.count
        if not sample:
            assert (got.mean, got.ci_low) == (None, None)
            continue
        assert got.mean == pytest.approx(expected.mean, rel=1e-9, abs=1e-6)
        interval = mean_interval(expected)
        if interval is None:
            assert got.ci_low is None
        else:
            assert got.ci_low == pytest.approx(interval.low, rel=1e-6, abs=1e-4)
            assert got.ci_high == pytest.approx(interval.high, rel=1e-6, abs=1e-4)
