"""The "Experiments" panel of the local platform's web console (``flow local console``).

Imported inside the ``flow_sdk_local_console_panels`` hook only, so nothing here
loads unless a local platform is built. The panel lists the chosen workspace's
experiments (paged), and shows one in detail: its fields; its variants (the
component, version, weight and the component's spec at that version); the
outcomes recorded per variant (a bar chart: assignments are a hash, not
stored, so outcomes are what there is to count); and the results, each
variant's mean and its difference from the control with 95 % intervals drawn
and tabled. The results and Start/Stop are the functions the results, start and
stop routes call (``results_of`` and ``change_status``), so the console and the API
cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from flow_sdk_local import HTTPError
from flow_sdk_local.console import Interval, Markup

from .._results import CONFIDENCE
from ._routes import STATUS_ACTIONS, change_status, results_of

if TYPE_CHECKING:
    from flow_sdk_local import Document, Transaction
    from flow_sdk_local.console import Console, View

__all__ = ["install", "number", "significance"]

KIND = "experiments"
COMPONENT_KIND = "component"
LIST_COLUMNS = ("Name", "Status", "Metric", "Variants", "Outcomes", "Created")
RESULT_COLUMNS = (
    "Variant",
    "n",
    "Mean",
    f"{CONFIDENCE:.0%} interval",
    "Std dev",
    "Difference vs control",
    f"Difference {CONFIDENCE:.0%} interval",
    "Significance",
)


def number(value: float | None) -> str:
    """A result as the table shows it: six significant digits, "—" when there is none."""
    return "—" if value is None else f"{value:.6g}"


def _interval(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"[{number(low)}, {number(high)}]"


def significance(result: Mapping[str, Any]) -> str:
    """What the difference interval says: above or below the control when it excludes 0."""
    if result["variant"] == 0:
        return "control"
    low, high = result.get("difference_ci_low"), result.get("difference_ci_high")
    if low is None or high is None:
        return "too few outcomes"
    if low > 0:
        return "above the control"
    if high < 0:
        return "below the control"
    return "not significant"


def _outcome_counts(tx: Transaction, experiment_ids: Sequence[str]) -> dict[str, int]:
    """Outcomes recorded per experiment, for one page of them (one indexed query)."""
    if not experiment_ids:
        return {}
    rows = tx.execute(
        "SELECT experiment_id, COUNT(*) FROM experiment_outcomes "
        "WHERE experiment_id IN (SELECT value FROM json_each(?)) GROUP BY experiment_id",
        (json.dumps(list(experiment_ids)),),
    ).fetchall()
    return {str(i): int(n) for i, n in rows}


def _status(view: View, status: str) -> Markup:
    return view.badge(status, "ok" if status == "running" else "")


def install(console: Console) -> None:
    """Add the "Experiments" panel to ``console``."""

    def listing(view: View) -> str:
        docs, cursor = view.page(KIND, view.scope())
        with view.store.transaction(write=False) as tx:
            counts = _outcome_counts(tx, [d.id for d in docs])
        rows = [
            (
                view.link(view.url(id=d.id), d.data.get("name", d.id)),
                _status(view, str(d.data.get("status", ""))),
                d.data.get("metric", ""),
                len(d.data.get("variants", ())),
                counts.get(d.id, 0),
                d.created_at,
            )
            for d in docs
        ]
        table = view.table(
            "Experiments", LIST_COLUMNS, rows, cursor, empty="No experiments in this workspace."
        )
        return view.section(table)

    def variant_rows(
        view: View, tx: Transaction, variants: Sequence[Mapping[str, Any]]
    ) -> tuple[list[tuple[Any, ...]], str, list[str]]:
        """The variants table, each variant's spec as code, and each one's short label."""
        rows, specs, labels = [], "", []
        components_panel = "components" in view.console.panels
        for index, variant in enumerate(variants):
            component_id, version = str(variant["component_id"]), int(variant["version"])
            component = tx.find(COMPONENT_KIND, component_id)
            name = "(deleted)"
            shown: Any = name
            spec_html = '<p class="muted">The component is gone.</p>'
            if component is not None and component.scope.startswith(view.scope() + "/"):
                found = tx.versions(
                    COMPONENT_KIND, component.scope, component_id, after=version - 1, limit=1
                )
                at = found[0][1] if found and found[0][0] == version else component.data
                name = shown = str(at.get("name", component_id))
                spec_html = view.code(at.get("spec", {}))
                if components_panel:
                    kind = component.scope.rsplit("/", 1)[1]
                    shown = view.link(view.url("components", type=kind, id=component_id), name)
            role = "control" if index == 0 else "treatment"
            rows.append((index, role, shown, component_id, version, f"{variant['weight']} %"))
            labels.append(f"{index}: {name}")
            specs += f"<h3>Variant {index} ({role}): {escape(name)} v{version}</h3>{spec_html}"
        return rows, specs, labels

    def results_section(
        view: View, metric: str, results: list[dict[str, Any]], labels: list[str]
    ) -> str:
        control = results[0] if results else {}
        means = [
            Interval(
                labels[r["variant"]],
                r["mean"],
                r["ci_low"],
                r["ci_high"],
                "control" if r["variant"] == 0 else "",
            )
            for r in results
            if r.get("ci_low") is not None
        ]
        differences = [
            Interval(
                labels[r["variant"]],
                r["difference"],
                r["difference_ci_low"],
                r["difference_ci_high"],
            )
            for r in results
            if r.get("difference_ci_low") is not None
        ]
        percent = f"{CONFIDENCE:.0%}"
        out = view.interval_chart(
            f"Mean {metric} per variant ({percent} intervals)",
            means,
            reference=control.get("mean"),
        )
        out += view.interval_chart(
            f"Difference from the control ({percent} intervals)", differences, reference=0.0
        )
        rows = [
            (
                labels[r["variant"]],
                r["count"],
                number(r["mean"]),
                _interval(r.get("ci_low"), r.get("ci_high")),
                number(r["stddev"]),
                number(r.get("difference")),
                _interval(r.get("difference_ci_low"), r.get("difference_ci_high")),
                significance(r),
            )
            for r in results
        ]
        note = (
            '<p class="muted">Intervals need two outcomes or more per variant; the control '
            "is variant 0. Normal approximation, Welch's standard error for differences.</p>"
        )
        return out + view.table("Results", RESULT_COLUMNS, rows) + note

    def actions(view: View, doc: Document) -> str:
        status = doc.data.get("status")
        values = {"id": doc.id, "version": str(doc.version)}
        if status == "running":
            return view.form("", "Stop the experiment", action="stop", values=values, danger=True)
        return view.form("", "Start the experiment", action="start", values=values)

    def detail(view: View, experiment_id: str) -> str:
        with view.store.transaction(write=False) as tx:
            doc = tx.get(KIND, view.scope(), experiment_id)
            if doc is None:
                return view.missing(f"No experiment {experiment_id} in this workspace.")
            summary = results_of(tx, doc)
            rows, specs, labels = variant_rows(view, tx, doc.data["variants"])
        results = summary["variants"]
        data = doc.data
        back = view.link(view.url(), "← All experiments")
        fields = view.detail(
            f"Experiment {data.get('name', doc.id)}",
            [
                ("Id", doc.id),
                ("Status", _status(view, str(data.get("status", "")))),
                ("Metric", data.get("metric", "")),
                ("Description", data.get("description") or ""),
                ("Outcomes", summary["total"]),
                ("Started", data.get("started_at") or "—"),
                ("Stopped", data.get("stopped_at") or "—"),
                ("Version", doc.version),
                ("Created", doc.created_at),
                ("Updated", doc.updated_at),
            ],
        )
        out = view.section(f"<p>{back}</p>", fields, actions(view, doc))
        variants_table = view.table(
            "Variants", ("#", "Role", "Component", "Id", "Version", "Weight"), rows
        )
        out += view.section(variants_table, "<h2>Variant configs</h2>", specs)
        counts = [(labels[r["variant"]], float(r["count"])) for r in results]
        out += view.section(
            view.bar_chart("Outcomes per variant", counts),
            '<p class="muted">Subjects are assigned by a stable hash and not stored; '
            "each recorded outcome is counted here.</p>",
        )
        return out + view.section(results_section(view, str(data.get("metric")), results, labels))

    def render(view: View) -> str:
        if not view.scope():
            return view.needs_workspace("experiments")
        experiment_id = view.arg("id")
        return detail(view, experiment_id) if experiment_id else listing(view)

    def action(view: View, form: dict[str, str]) -> str:
        """Start or stop an experiment as the routes do, expecting the version the page
        showed, so a page gone stale is refused rather than acted on."""
        if not view.scope():
            raise ValueError("Choose an org and a workspace first.")
        what, experiment_id = form.get("action", ""), form.get("id", "")
        if what not in STATUS_ACTIONS:
            raise ValueError(f"Unknown action {what!r}: start or stop.")
        if not experiment_id:
            raise ValueError("Say which experiment (its id).")
        version = form.get("version", "")
        if version and not (version.isascii() and version.isdigit()):
            raise ValueError(f"The version must be a number, not {version!r}: reload the page.")
        expected = int(version) if version else None
        try:
            with view.store.transaction() as tx:
                change_status(tx, view.scope(), experiment_id, what, expected)
        except HTTPError as exc:
            detail = exc.detail if isinstance(exc.detail, str) else str(exc)
            raise ValueError(f"Could not {what} experiment {experiment_id}: {detail}.") from None
        return f"Experiment {experiment_id} {'started' if what == 'start' else 'stopped'}."

    console.panel("experiments", "Experiments", render, action=action)
