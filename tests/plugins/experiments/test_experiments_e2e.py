"""client.experiments end to end through the local platform (in-process and over the socket)."""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError, CLIValidationError
from flow_sdk_experiments import (
    Assignment,
    Experiment,
    Outcome,
    Results,
    Variant,
    mean_interval,
    summarize,
)

from .conftest import raw_request


@pytest.fixture
def experiment(experiments: Any, variants: list[dict[str, Any]]) -> Experiment:
    return experiments.create(name="tone", variants=variants, metric="csat")


@pytest.fixture
def started(experiments: Any, experiment: Experiment) -> Experiment:
    return experiments.start(experiment.id)  # type: ignore[no-any-return]


class TestCrud:
    def test_create_get_list_update_delete(
        self, experiments: Any, variants: list[dict[str, Any]]
    ) -> None:
        created = experiments.create(name="tone", variants=variants, metric="csat")
        assert isinstance(created, Experiment)
        assert created.id.startswith("exp_")
        assert (created.name, created.metric, created.status, created.version) == (
            "tone",
            "csat",
            "draft",
            1,
        )
        assert created.variants == [Variant(**v) for v in variants]
        assert (created.started_at, created.stopped_at, created.outcome_count) == (None, None, 0)
        assert experiments.get(created.id) == created
        assert [e.id for e in experiments.list()] == [created.id]

        swapped = [{**variants[0], "weight": 20}, {**variants[1], "weight": 80}]
        updated = experiments.update(created.id, variants=swapped, if_match=1)
        assert ([v.weight for v in updated.variants], updated.version) == ([20, 80], 2)
        assert updated.metric == "csat"  # fields not sent are kept

        experiments.delete(created.id, if_match=2)
        with pytest.raises(CLINotFoundError):
            experiments.get(created.id)
        assert experiments.list().to_list() == []

    def test_variants_may_be_records_and_the_metric_has_a_default(
        self, experiments: Any, variants: list[dict[str, Any]]
    ) -> None:
        made = experiments.create({"name": "x", "variants": [Variant(**v) for v in variants]})
        assert (made.metric, len(made.variants)) == ("metric", 2)

    def test_list_filters_by_name_and_status(
        self, experiments: Any, variants: list[dict[str, Any]]
    ) -> None:
        ids = [experiments.create(name=f"e{i % 2}", variants=variants).id for i in range(3)]
        experiments.start(ids[1])
        assert [e.id for e in experiments.list(name="e0")] == [ids[0], ids[2]]
        assert [e.id for e in experiments.list(status="running")] == [ids[1]]
        assert [len(p.items) for p in experiments.list(page_size=2).pages()] == [2, 1]

    def test_a_stale_if_match_is_a_conflict(self, experiments: Any, experiment: Experiment) -> None:
        experiments.update(experiment.id, description="changed")
        for call in (
            lambda: experiments.update(experiment.id, name="x", if_match=experiment.version),
            lambda: experiments.delete(experiment.id, if_match=experiment.version),
            lambda: experiments.start(experiment.id, if_match=experiment.version),
        ):
            with pytest.raises(CLIConflictError, match="version"):
                call()
        assert experiments.get(experiment.id).status == "draft"

    def test_a_missing_experiment_is_404_for_every_call(self, experiments: Any) -> None:
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
                call()

    def test_another_tenants_experiment_is_404(
        self, experiments: Any, started: Experiment, local_platform: Any
    ) -> None:
        experiments.record(started.id, 0, 1.0)
        other = local_platform.create_tenant()
        stranger = local_platform.client(
            api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
        ).experiments
        assert stranger.list().to_list() == []
        for call in (
            lambda: stranger.get(started.id),
            lambda: stranger.update(started.id, name="mine"),
            lambda: stranger.delete(started.id),
            lambda: stranger.start(started.id),
            lambda: stranger.stop(started.id),
            lambda: stranger.assign(started.id, "u1"),
            lambda: stranger.record(started.id, 0, 5.0),
            lambda: stranger.results(started.id),
        ):
            with pytest.raises(CLINotFoundError):
                call()
        assert experiments.results(started.id).total == 1


class TestValidation:
    @pytest.mark.parametrize(
        ("change", "needle"),
        [
            (lambda v: [v[0], {**v[1], "weight": 40}], "add up to 100; they add up to 90"),
            (lambda v: [{**v[0], "weight": 100}], "2 to 20 variants"),
            (lambda v: [v[0], {**v[0], "weight": 50}], "repeats variant 0"),
            (lambda v: [{**v[0], "weight": 101}, {**v[1], "weight": -1}], "weight.*100"),
            (lambda v: [{**v[0], "weight": 50.5}, v[1]], "weight"),
            (lambda v: [{**v[0], "version": 0}, v[1]], "version"),
            (lambda v: [v[0], {**v[1], "component_id": ""}], "component_id"),
            (lambda v: [v[0], {**v[1], "colour": "red"}], "colour"),
            (lambda v: "not a list", "variants"),
        ],
    )
    def test_bad_variants_are_422_from_the_platform_and_refused_by_the_sdk(
        self, experiments: Any, variants: list[dict[str, Any]], change: Any, needle: str
    ) -> None:
        body = {"name": "x", "variants": change(variants)}
        with pytest.raises(CLIValidationError, match=needle) as info:
            raw_request(experiments, "POST", experiments._collection(), json=body)
        assert info.value.status_code == 422
        if "colour" not in needle:  # the SDK checks the rules, not unknown fields
            with pytest.raises(CLIValidationError) as local:
                experiments.create(body)
            assert local.value.status_code is None
            assert "add up to 100" in (local.value.hint or "")
        assert experiments.list().to_list() == []

    def test_variants_must_name_components_of_this_workspace_at_versions_they_had(
        self,
        experiments: Any,
        variants: list[dict[str, Any]],
        local_platform: Any,
    ) -> None:
        other = local_platform.create_tenant()
        theirs = local_platform.client(
            api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
        ).agents.create(name="not yours")
        cases = [
            ([variants[0], {**variants[1], "component_id": "cmp_missing"}], "no component"),
            ([variants[0], {**variants[1], "component_id": theirs.id}], "no component"),
            ([variants[0], {**variants[1], "version": 3}], "has versions 1 to 2, not 3"),
        ]
        for bad, needle in cases:
            with pytest.raises(CLIValidationError, match=needle) as info:
                experiments.create(name="x", variants=bad)
            assert info.value.detail[0]["loc"][:3] == ["body", "variants", 1]

    @pytest.mark.parametrize(
        ("body", "needle"),
        [
            ({"name": " "}, "blank"),
            ({"name": ""}, "name"),
            ({"metric": ""}, "metric"),
            ({}, "name"),
        ],
    )
    def test_other_bad_fields_are_422(
        self,
        experiments: Any,
        variants: list[dict[str, Any]],
        body: dict[str, Any],
        needle: str,
    ) -> None:
        full = {"name": "x", "variants": variants, **body}
        if not body:
            del full["name"]
        with pytest.raises(CLIValidationError, match=needle):
            experiments.create(full)


def test_an_update_is_checked_like_a_create(
    experiments: Any, experiment: Experiment, variants: list[dict[str, Any]]
) -> None:
    url = experiments._item(experiment.id)
    for body, needle in (
        ({"variants": None}, "variants"),
        ({"variants": [variants[0]]}, "2 to 20"),
        ({"variants": [variants[0], {**variants[1], "version": 9}]}, "not 9"),
        ({"name": "  "}, "blank"),
        ({"status": "running"}, "status"),
    ):
        with pytest.raises(CLIValidationError, match=needle):
            raw_request(experiments, "PATCH", url, json=body)
    assert experiments.get(experiment.id) == experiment


class TestLifecycle:
    def test_start_stop_and_start_again(self, experiments: Any, experiment: Experiment) -> None:
        running = experiments.start(experiment.id)
        assert (running.status, running.version) == ("running", experiment.version + 1)
        assert running.started_at is not None
        with pytest.raises(CLIConflictError, match="already running"):
            experiments.start(experiment.id)
        stopped = experiments.stop(experiment.id, if_match=running.version)
        assert stopped.status == "stopped"
        assert stopped.stopped_at is not None
        assert stopped.stopped_at >= running.started_at
        with pytest.raises(CLIConflictError, match="already stopped"):
            experiments.stop(experiment.id)
        again = experiments.start(experiment.id)
        assert (again.status, again.stopped_at) == ("running", None)

    def test_stop_needs_a_running_experiment(
        self, experiments: Any, experiment: Experiment
    ) -> None:
        with pytest.raises(CLIConflictError, match="already draft"):
            experiments.stop(experiment.id)

    def test_a_running_experiment_cannot_be_changed_or_deleted(
        self, experiments: Any, started: Experiment
    ) -> None:
        with pytest.raises(CLIConflictError, match="running and cannot be changed; stop it"):
            experiments.update(started.id, name="renamed")
        with pytest.raises(CLIConflictError, match="stop it before deleting"):
            experiments.delete(started.id)
        experiments.stop(started.id)
        assert experiments.update(started.id, name="renamed").name == "renamed"

    def test_variants_with_outcomes_cannot_be_replaced(
        self, experiments: Any, started: Experiment, variants: list[dict[str, Any]]
    ) -> None:
        experiments.record(started.id, 0, 3.0)
        experiments.stop(started.id)
        swapped = [{**variants[0], "weight": 10}, {**variants[1], "weight": 90}]
        with pytest.raises(CLIConflictError, match="1 recorded outcome"):
            experiments.update(started.id, variants=swapped)
        assert experiments.update(started.id, description="kept").description == "kept"

    def test_deleting_an_experiment_deletes_its_outcomes(
        self, experiments: Any, started: Experiment, local_platform: Any
    ) -> None:
        for value in (1.0, 2.0):
            experiments.record(started.id, 1, value)
        experiments.stop(started.id)
        experiments.delete(started.id)
        with local_platform.store.transaction(write=False) as tx:
            left = tx.execute(
                "SELECT COUNT(*) FROM experiment_outcomes WHERE experiment_id = ?", (started.id,)
            ).fetchone()
        assert left == (0,)


class TestAssignAndRecord:
    def test_assignment_is_stable_and_matches_the_offline_one(
        self, experiments: Any, started: Experiment
    ) -> None:
        seen = {}
        for number in range(30):
            subject = f"user-{number}"
            first = experiments.assign(started.id, subject)
            assert isinstance(first, Assignment)
            assert experiments.assign_offline(started, subject) == first
            if number < 5:
                assert experiments.assign(started.id, subject) == first
            chosen = started.variants[first.variant]
            assert (first.component_id, first.version) == (chosen.component_id, chosen.version)
            seen[subject] = first.variant
        assert set(seen.values()) == {0, 1}  # 30 subjects, 50/50: both arms are used

    def test_a_zero_weight_variant_is_never_assigned(
        self, experiments: Any, variants: list[dict[str, Any]]
    ) -> None:
        lopsided = [{**variants[0], "weight": 0}, {**variants[1], "weight": 100}]
        experiment = experiments.create(name="all in", variants=lopsided)
        experiments.start(experiment.id)
        assert {experiments.assign(experiment.id, f"u{i}").variant for i in range(20)} == {1}

    def test_assign_and_record_need_a_running_experiment(
        self, experiments: Any, experiment: Experiment
    ) -> None:
        with pytest.raises(CLIConflictError, match="draft, not running; start it"):
            experiments.assign(experiment.id, "u1")
        with pytest.raises(CLIConflictError, match="start it"):
            experiments.record(experiment.id, 0, 1.0)
        experiments.start(experiment.id)
        experiments.stop(experiment.id)
        with pytest.raises(CLIConflictError, match="stopped, not running"):
            experiments.record(experiment.id, 0, 1.0)

    def test_record_stores_an_outcome(self, experiments: Any, started: Experiment) -> None:
        assignment = experiments.assign(started.id, "alice")
        outcome = experiments.record(started.id, assignment, 4.5)
        assert isinstance(outcome, Outcome)
        assert outcome.id.startswith("out_")
        assert (outcome.experiment_id, outcome.variant, outcome.metric_value) == (
            started.id,
            assignment.variant,
            4.5,
        )
        assert outcome.recorded_at is not None
        assert experiments.record(started.id, 1, 3).metric_value == 3.0  # ints are numbers
        assert experiments.get(started.id).outcome_count == 2

    def test_a_repeated_idempotency_key_records_once(
        self, experiments: Any, started: Experiment
    ) -> None:
        first = experiments.record(started.id, 0, 2.0, idempotency_key="visit-1")
        again = experiments.record(started.id, 0, 2.0, idempotency_key="visit-1")
        assert again == first
        with pytest.raises(CLIConflictError, match="Idempotency-Key"):
            experiments.record(started.id, 0, 9.0, idempotency_key="visit-1")
        assert experiments.results(started.id).total == 1

    def test_bad_outcomes_are_refused(self, experiments: Any, started: Experiment) -> None:
        url = experiments._item(started.id, "outcomes")
        for body, needle in (
            ({"variant": 2, "metric_value": 1}, "variants 0 to 1"),
            ({"variant": -1, "metric_value": 1}, "variant"),
            ({"variant": 0}, "metric_value"),
            ({"variant": 0, "metric_value": "high"}, "metric_value"),
            ({"variant": 0, "metric_value": 1e16}, "finite number"),
        ):
            with pytest.raises(CLIValidationError, match=needle) as info:
                raw_request(experiments, "POST", url, json=body)
            assert info.value.status_code == 422
        raw = b'{"variant": 0, "metric_value": 1e400}'  # no JSON float holds it
        with pytest.raises(CLIValidationError, match="metric_value"):
            raw_request(
                experiments, "POST", url, content=raw, headers={"Content-Type": "application/json"}
            )
        # the SDK refuses what JSON cannot carry before sending
        for variant, value in ((0, float("nan")), (0, float("inf")), (-1, 1.0), (True, 1.0)):
            with pytest.raises(CLIValidationError) as sdk:
                experiments.record(started.id, variant, value)
            assert sdk.value.status_code is None
        assert experiments.results(started.id).total == 0


class TestResults:
    def test_results_before_any_outcome(self, experiments: Any, experiment: Experiment) -> None:
        results = experiments.results(experiment.id)
        assert isinstance(results, Results)
        assert (results.name, results.metric, results.status, results.total) == (
            "tone",
            "csat",
            "draft",
            0,
        )
        assert results.confidence == 0.95
        assert [(r.variant, r.count, r.mean, r.ci_low, r.difference) for r in results.variants] == [
            (0, 0, None, None, None),
            (1, 0, None, None, None),
        ]

    def test_results_are_per_variant_means_with_intervals(
        self, experiments: Any, started: Experiment
    ) -> None:
        control = [3.0, 4.0, 5.0, 4.0, 3.5, 4.5]
        treatment = [4.0, 5.0, 5.0, 4.5, 5.0]
        for value in control:
            experiments.record(started.id, 0, value)
        for value in treatment:
            experiments.record(started.id, 1, value)
        results = experiments.results(started.id)
        assert results.total == 11
        first, second = results.variants
        assert (first.count, second.count) == (6, 5)
        assert first.mean == pytest.approx(statistics.fmean(control))
        assert first.stddev == pytest.approx(statistics.stdev(control))
        expected = mean_interval(summarize(treatment))
        assert expected is not None
        assert (second.ci_low, second.ci_high) == (
            pytest.approx(expected.low),
            pytest.approx(expected.high),
        )
        assert first.ci_low is not None
        assert first.ci_high is not None
        assert first.ci_low < first.mean < first.ci_high
        assert second.difference == pytest.approx(
            statistics.fmean(treatment) - statistics.fmean(control)
        )
        assert second.difference_ci_low is not None
        assert second.difference_ci_high is not None
        assert second.difference_ci_low < second.difference < second.difference_ci_high
        assert first.difference is None  # the control is not compared with itself
        assert (second.component_id, second.version, second.weight) == (
            started.variants[1].component_id,
            2,
            50,
        )

    def test_one_outcome_has_a_mean_but_no_interval(
        self, experiments: Any, started: Experiment
    ) -> None:
        experiments.record(started.id, 1, 7.0)
        _, second = experiments.results(started.id).variants
        assert (second.count, second.mean, second.stddev, second.ci_low) == (1, 7.0, None, None)
        assert second.difference is None  # no control outcome yet

    def test_results_stay_after_stop(self, experiments: Any, started: Experiment) -> None:
        experiments.record(started.id, 0, 1.0)
        experiments.stop(started.id)
        results = experiments.results(started.id)
        assert (results.status, results.total) == ("stopped", 1)
