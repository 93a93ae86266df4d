"""``flow experiments …`` through the CLI's main(), against the local platform."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def experiment_id(flow_cli: Callable[..., Any], variants: list[dict[str, Any]]) -> str:
    body = json.dumps({"name": "tone", "metric": "csat", "variants": variants})
    created = flow_cli("experiments", "create", "--file", "-", stdin=body)
    assert created.code == 0, created.err
    return str(created.json()["id"])


def test_the_whole_lifecycle(flow_cli: Callable[..., Any], experiment_id: str) -> None:
    assert flow_cli("experiments", "get", experiment_id).json()["status"] == "draft"
    started = flow_cli("experiments", "start", experiment_id, "--if-match", "1")
    assert (started.code, started.json()["status"]) == (0, "running")

    assigned = flow_cli("experiments", "assign", experiment_id, "alice")
    assert assigned.code == 0, assigned.err
    variant = assigned.json()["variant"]
    assert flow_cli("experiments", "assign", experiment_id, "alice").json()["variant"] == variant

    for index, value in ((0, "3"), (0, "5"), (1, "4.5"), (1, "5.5")):
        recorded = flow_cli("experiments", "record", experiment_id, str(index), value)
        assert recorded.code == 0, recorded.err
    assert recorded.json()["metric_value"] == 5.5

    results = flow_cli("experiments", "results", experiment_id)
    assert results.code == 0
    body = results.json()
    assert (body["total"], body["confidence"]) == (4, 0.95)
    assert [(v["count"], v["mean"]) for v in body["variants"]] == [(2, 4.0), (2, 5.0)]
    assert body["variants"][1]["difference"] == 1.0

    running = flow_cli("experiments", "update", experiment_id, "--set", "name=x")
    assert running.code == 1
    assert "stop it first" in running.err
    stopped = flow_cli("experiments", "stop", experiment_id)
    assert stopped.json()["status"] == "stopped"
    assert [e["id"] for e in flow_cli("experiments", "list", "--status", "stopped").json()] == [
        experiment_id
    ]
    assert flow_cli("experiments", "delete", experiment_id, "--yes").code == 0
    assert flow_cli("experiments", "get", experiment_id).code == 1


def test_results_as_a_table(flow_cli: Callable[..., Any], experiment_id: str) -> None:
    flow_cli("experiments", "start", experiment_id)
    flow_cli("experiments", "record", experiment_id, "1", "2.5")
    table = flow_cli("experiments", "results", experiment_id, FLOW_OUTPUT="table")
    assert table.code == 0, table.err
    lines = table.out.splitlines()
    assert lines[0].split() == [
        "VARIANT", "COMPONENT", "ID", "VERSION", "WEIGHT", "COUNT", "MEAN", "CI", "LOW", "CI",
        "HIGH", "DIFFERENCE",
    ]  # fmt: skip
    assert "2.5" in lines[2]
    assert "tone: csat, 1 outcome(s), running" in table.err


def test_record_with_an_idempotency_key_counts_once(
    flow_cli: Callable[..., Any], experiment_id: str
) -> None:
    flow_cli("experiments", "start", experiment_id)
    for _ in range(2):
        result = flow_cli(
            "experiments", "record", experiment_id, "0", "1", "--idempotency-key", "visit-9"
        )
        assert result.code == 0
    assert flow_cli("experiments", "results", experiment_id).json()["total"] == 1


def test_errors_say_what_to_do(flow_cli: Callable[..., Any], experiment_id: str) -> None:
    draft = flow_cli("experiments", "assign", experiment_id, "bob")
    assert draft.code == 1
    assert "start it first" in draft.err
    stop = flow_cli("experiments", "stop", experiment_id)
    assert stop.code == 1
    assert "already draft" in stop.err
    bad_split = flow_cli(
        "experiments",
        "create",
        "--set",
        "name=x",
        '--set=variants=[{"component_id": "a", "version": 1, "weight": 60}, '
        '{"component_id": "b", "version": 1, "weight": 60}]',
    )
    assert bad_split.code == 1
    assert "add up to 100; they add up to 120" in bad_split.err


@pytest.mark.parametrize(
    "argv",
    [
        ("record", "exp_x", "first", "1"),
        ("record", "exp_x", "-1", "1"),
        ("record", "exp_x", "0", "nan"),
        ("record", "exp_x", "0", "lots"),
        ("assign", "exp_x"),
    ],
)
def test_bad_arguments_are_usage_errors(
    flow_cli: Callable[..., Any], argv: tuple[str, ...]
) -> None:
    assert flow_cli("experiments", *argv).code == 2


def test_the_help_lists_the_verbs(
    flow_cli: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    result = flow_cli("experiments", "--help")
    shown = result.out + capsys.readouterr().out  # argparse may print help to sys.stdout
    assert result.code == 0
    verbs = ("list", "get", "create", "update", "delete", "start", "stop", "assign", "record")
    for verb in (*verbs, "results"):
        assert f"    {verb} " in shown
