"""The local platform's experiment routes.

``GET/POST <tenant>/experiments``, ``GET/PATCH/DELETE <tenant>/experiments/{id}``,
``POST …/{id}/start`` and ``…/{id}/stop``, ``POST …/{id}/assign`` (the variant
a subject gets), ``POST …/{id}/outcomes`` (record a metric value) and
``GET …/{id}/results`` (per-variant counts, means and 95 % intervals).

The experiment is an ordinary stored resource; its outcomes live in a table
of their own (``experiment_outcomes``, a store migration), one row each, so
recording never rewrites the experiment and results are one aggregate query.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import msgspec
from flow_sdk_local import (
    FieldError,
    HTTPError,
    Request,
    Response,
    conflict,
    is_blank,
    new_id,
    not_found,
    parse_if_match,
)

from .._assignment import assign_variant
from .._models import (
    MAX_METRIC_MAGNITUDE,
    Assignment,
    AssignRequest,
    Experiment,
    ExperimentCreate,
    ExperimentUpdate,
    Outcome,
    RecordRequest,
    Results,
)
from .._results import CONFIDENCE, variant_results
from .._stats import Summary
from .._variants import variant_problems

if TYPE_CHECKING:
    from flow_sdk_local import App, Document, Transaction

__all__ = ["MIGRATION", "STATUS_ACTIONS", "change_status", "install", "results_of", "summaries"]

KIND = "experiments"
COMPONENT_KIND = "component"

# per action: the status it sets, the statuses it may leave, the timestamp it stamps
_MOVES = {
    "start": ("running", ("draft", "stopped"), "started_at"),
    "stop": ("stopped", ("running",), "stopped_at"),
}
STATUS_ACTIONS = tuple(_MOVES)

MIGRATION = """
CREATE TABLE IF NOT EXISTS experiment_outcomes (
    id TEXT PRIMARY KEY,
    experiment_id TEXT NOT NULL,
    variant INTEGER NOT NULL,
    metric_value REAL NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS experiment_outcomes_by_variant
    ON experiment_outcomes (experiment_id, variant);
"""

_SUMMARIES = """
WITH means AS (
    SELECT variant, COUNT(*) AS n, AVG(metric_value) AS mean
    FROM experiment_outcomes WHERE experiment_id = ? GROUP BY variant
)
SELECT means.variant, means.n, means.mean,
       SUM((o.metric_value - means.mean) * (o.metric_value - means.mean))
FROM experiment_outcomes AS o JOIN means ON o.variant = means.variant
WHERE o.experiment_id = ?
GROUP BY means.variant
"""


def _unprocessable(loc: list[str | int], message: str) -> HTTPError:
    return HTTPError(422, [FieldError(loc, message)], "validation_error")


def summaries(tx: Transaction, experiment_id: str) -> dict[int, Summary]:
    """Count, mean and sum of squared deviations of each variant's outcomes (two passes in SQL)."""
    rows = tx.execute(_SUMMARIES, (experiment_id, experiment_id)).fetchall()
    return {int(v): Summary(int(n), float(mean), float(m2)) for v, n, mean, m2 in rows}


def results_of(tx: Transaction, doc: Document) -> dict[str, Any]:
    """The results of an experiment (the ``Results`` fields), for the route and the console
    alike so that the two cannot disagree."""
    found = summaries(tx, doc.id)
    return {
        "experiment_id": doc.id,
        "name": doc.data["name"],
        "metric": doc.data["metric"],
        "status": doc.data["status"],
        "confidence": CONFIDENCE,
        "total": sum(s.count for s in found.values()),
        "variants": variant_results(doc.data["variants"], found),
    }


def change_status(
    tx: Transaction, scope: str, experiment_id: str, action: str, expected: int | None = None
) -> Document:
    """Start or stop (``action``) an experiment of the tenant ``scope``, stamped by the
    transaction's clock; 404 when absent, 409 when already so or when ``expected`` (the
    If-Match version) is stale. Shared by the routes and the console so they cannot disagree."""
    to, allowed_from, stamp = _MOVES[action]
    doc = tx.get(KIND, scope, experiment_id)
    if doc is None:
        raise not_found(f"experiment {experiment_id!r}")
    status = doc.data.get("status")
    if status not in allowed_from:
        raise conflict(f"the experiment is already {status}")
    if expected is not None and expected != doc.version:
        raise conflict(
            f"version conflict: If-Match named version {expected}, but the current "
            f"version is {doc.version}; fetch it again and retry"
        )
    data = {**doc.data, "status": to, stamp: tx.now()}
    if to == "running":
        data["stopped_at"] = None
    updated = tx.update(doc.kind, doc.scope, doc.id, data)
    assert updated is not None
    return updated


def _outcome_count(tx: Transaction, experiment_id: str) -> int:
    row = tx.execute(
        "SELECT COUNT(*) FROM experiment_outcomes WHERE experiment_id = ?", (experiment_id,)
    ).fetchone()
    return int(row[0])


def _check_components(tx: Transaction, scope: str, variants: list[dict[str, Any]]) -> None:
    """422 unless every variant names a component of this workspace at a version it has had."""
    problems = []
    for index, variant in enumerate(variants):
        doc = tx.find(COMPONENT_KIND, variant["component_id"])
        if doc is None or not doc.scope.startswith(scope + "/"):
            problems.append(
                FieldError(
                    ["body", "variants", index, "component_id"],
                    f"no component {variant['component_id']!r} in this workspace",
                )
            )
        elif variant["version"] > doc.version:
            problems.append(
                FieldError(
                    ["body", "variants", index, "version"],
                    f"component {doc.id!r} has versions 1 to {doc.version}, "
                    f"not {variant['version']}",
                )
            )
    if problems:
        raise HTTPError(422, problems, "validation_error")


def install(app: App) -> None:
    """Add the experiment routes and their outcomes table to a local platform."""
    app.migration("experiments-0001-outcomes", MIGRATION)
    store = app.platform.store

    def present(doc: Document) -> dict[str, Any]:
        with store.transaction(write=False) as tx:
            count = _outcome_count(tx, doc.id)
        return {**doc.public(), "outcome_count": count}

    def validate(request: Request, data: dict[str, Any], existing: Document | None) -> Any:
        if existing is not None:
            if existing.data.get("status") == "running":
                raise conflict(
                    "the experiment is running and cannot be changed; stop it first "
                    f"(POST …/experiments/{existing.id}/stop)"
                )
        else:
            data.update(status="draft", started_at=None, stopped_at=None)
        if is_blank(str(data["name"])):
            raise _unprocessable(["body", "name"], "must not be blank")
        problems = variant_problems(data["variants"])
        if problems:
            raise HTTPError(
                422, [FieldError(["body", *loc], msg) for loc, msg in problems], "validation_error"
            )
        with request.store.transaction() as tx:
            _check_components(tx, tenant_scope(request), data["variants"])
            if existing is not None and data["variants"] != existing.data.get("variants"):
                recorded = _outcome_count(tx, existing.id)
                if recorded:
                    raise conflict(
                        f"the experiment has {recorded} recorded outcome(s) for its current "
                        "variants; create a new experiment to compare other variants"
                    )
        return data

    def tenant_scope(request: Request) -> str:
        return f"{request.org_id}/{request.workspace_id}"

    def before_delete(request: Request, doc: Document) -> None:
        if doc.data.get("status") == "running":
            raise conflict("the experiment is running; stop it before deleting it")

    def after_write(request: Request, action: str, doc: Document) -> None:
        if action == "delete":
            with request.store.transaction() as tx:
                tx.execute("DELETE FROM experiment_outcomes WHERE experiment_id = ?", (doc.id,))

    experiments = app.resource(
        "experiments",
        model=Experiment,
        create=ExperimentCreate,
        update=ExperimentUpdate,
        id_prefix="exp",
        filters=("name", "status"),
        validate=validate,
        before_delete=before_delete,
        after_write=after_write,
        present=present,
        tags=("experiments",),
    )

    def running(request: Request) -> Document:
        doc = experiments.load(request)
        if doc.data.get("status") != "running":
            raise conflict(
                f"the experiment is {doc.data.get('status')}, not running; start it first "
                f"(POST …/experiments/{doc.id}/start)"
            )
        return doc

    def move(request: Request, action: str) -> Response:
        expected = parse_if_match(request)
        scope = experiments.scope_key(request)
        with request.store.transaction() as tx:
            updated = change_status(tx, scope, request.params["id"], action, expected)
        return Response(200, experiments.render(updated), {"ETag": f'"{updated.version}"'})

    def start(request: Request) -> Response:
        """Start (or restart) the experiment: subjects are assigned and outcomes recorded."""
        return move(request, "start")

    def stop(request: Request) -> Response:
        """Stop the experiment: no more assignments or outcomes; results stay."""
        return move(request, "stop")

    def assign(request: Request) -> Assignment:
        """The variant a subject gets: a stable hash of experiment and subject, cut by weight."""
        body: AssignRequest = request.data
        doc = running(request)
        variants = doc.data["variants"]
        index = assign_variant(doc.id, body.subject_id, [v["weight"] for v in variants])
        chosen = variants[index]
        return Assignment(
            experiment_id=doc.id,
            subject_id=body.subject_id,
            variant=index,
            component_id=chosen["component_id"],
            version=chosen["version"],
        )

    def record(request: Request) -> Response:
        """Record one outcome: a value of the experiment's metric for one variant."""
        body: RecordRequest = request.data
        doc = running(request)
        if body.variant >= len(doc.data["variants"]):
            raise _unprocessable(
                ["body", "variant"],
                f"the experiment has variants 0 to {len(doc.data['variants']) - 1}",
            )
        value = body.metric_value
        if not math.isfinite(value) or abs(value) > MAX_METRIC_MAGNITUDE:
            raise _unprocessable(
                ["body", "metric_value"],
                f"must be a finite number from -{MAX_METRIC_MAGNITUDE:g} to "
                f"{MAX_METRIC_MAGNITUDE:g}",
            )
        outcome_id = new_id("out")
        with request.store.transaction() as tx:
            now = tx.now()
            tx.execute(
                "INSERT INTO experiment_outcomes (id, experiment_id, variant, metric_value, "
                "recorded_at) VALUES (?, ?, ?, ?, ?)",
                (outcome_id, doc.id, body.variant, float(value), now),
            )
        outcome = {
            "id": outcome_id,
            "experiment_id": doc.id,
            "variant": body.variant,
            "metric_value": float(value),
            "recorded_at": now,
        }
        return Response(201, msgspec.convert(outcome, Outcome))

    def results(request: Request) -> Results:
        """Per-variant counts, means, standard deviations and 95 % confidence intervals."""
        doc = experiments.load(request)
        with request.store.transaction(write=False) as tx:
            found = results_of(tx, doc)
        return msgspec.convert(found, Results)

    item, tag = experiments.item_path, ("experiments",)
    app.add_route("POST", item + "/start", start, response=Experiment, tags=tag)
    app.add_route("POST", item + "/stop", stop, response=Experiment, tags=tag)
    app.add_route(
        "POST", item + "/assign", assign, body=AssignRequest, response=Assignment, tags=tag
    )
    app.add_route(
        "POST",
        item + "/outcomes",
        record,
        body=RecordRequest,
        response=Outcome,
        status=201,
        tags=tag,
    )
    app.add_route("GET", item + "/results", results, response=Results, tags=tag)
