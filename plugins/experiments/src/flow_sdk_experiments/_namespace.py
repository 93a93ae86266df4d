"""``client.experiments``: compare versions of components on a metric."""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from flow_sdk.plugin import (
    CLIValidationError,
    Listing,
    ModeT,
    ResourceNamespace,
    Steps,
    body_of,
    endpoint,
    if_match_headers,
    paginated,
    send,
)

from ._assignment import assign_variant
from ._models import MAX_METRIC_MAGNITUDE, Assignment, Experiment, Outcome, Results, Variant
from ._variants import TOTAL_WEIGHT, variant_problems

__all__ = ["ExperimentsNamespace", "VariantLike"]

VariantLike = Variant | Mapping[str, Any]

_VARIANTS_HINT = (
    'pass variants=[{"component_id": "cmp_…", "version": 1, "weight": 50}, …] '
    f"with 2 to 20 variants whose whole-number weights add up to {TOTAL_WEIGHT}"
)


def _plain(variant: Any) -> Any:
    if isinstance(variant, msgspec.Struct):
        return msgspec.to_builtins(variant)
    return dict(variant) if isinstance(variant, Mapping) else variant


def _variants_body(variants: Any) -> builtins.list[Any]:
    """Variants as JSON values, checked by the same rules the platform applies."""
    body: Any = variants
    if isinstance(variants, Iterable) and not isinstance(variants, str | bytes | Mapping):
        body = [_plain(variant) for variant in variants]
    problems = variant_problems(body)
    if problems:
        where = ".".join(str(part) for part in problems[0][0])
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CLIValidationError(
            f"{where}: {problems[0][1]}{more}",
            detail=[{"loc": loc, "msg": msg} for loc, msg in problems],
            hint=_VARIANTS_HINT,
        )
    return list(body)


def _normalised(data: Mapping[str, Any] | msgspec.Struct | None) -> Any:
    """A body whose ``variants`` (Variant records or mappings) are checked and in wire form."""
    if data is None:
        return None
    body = dict(msgspec.to_builtins(data)) if isinstance(data, msgspec.Struct) else dict(data)
    if body.get("variants") is not None:
        body["variants"] = _variants_body(body["variants"])
    return body


_Base = ResourceNamespace[Any, Experiment]
"""The generic create/update this namespace narrows (its model is ``Experiment``)."""


def _fields(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class ExperimentsNamespace(ResourceNamespace[ModeT, Experiment]):
    """The experiments of the selected workspace (``client.experiments``).

    An experiment splits subjects between variants (a component at a version,
    with a weight in %), records outcomes of one metric per variant, and
    reports per-variant means with 95 % confidence intervals. Lifecycle:
    ``create`` (draft) → ``start`` → ``assign``/``record`` → ``stop`` → ``results``.
    """

    path = "experiments"
    scope = "tenant"
    model = Experiment

    @paginated
    def list(  # type: ignore[override]
        self,
        *,
        name: str | None = None,
        status: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Listing[Experiment]:
        """Every experiment (only those with this ``name`` / ``status``), fetched lazily."""
        return self._list(page_size=page_size, limit=limit, name=name, status=status)

    @endpoint
    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        variants: Iterable[VariantLike] | None = None,
        metric: str | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[Experiment]:
        """Create an experiment, in ``draft``.

        ``variants`` holds 2 to 20 ``{component_id, version, weight}`` (``Variant``
        records or mappings); weights are whole percentages adding up to 100,
        checked before sending. Each component must exist in the workspace at
        that version (else 422). ``metric`` names what ``record`` measures.
        """
        fields = _fields(name=name, metric=metric, description=description)
        if variants is not None:
            fields["variants"] = _variants_body(variants)
        created: Experiment = yield from _Base.create.steps(
            self, _normalised(data), idempotency_key=idempotency_key, **fields
        )
        return created

    @endpoint
    def update(  # type: ignore[override]
        self,
        experiment_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        variants: Iterable[VariantLike] | None = None,
        metric: str | None = None,
        description: str | None = None,
        if_match: int | str | None = None,
    ) -> Steps[Experiment]:
        """Change some fields; ``CLIConflictError`` (409) while the experiment runs.

        New ``variants`` are refused (409) once outcomes were recorded for the
        current ones: results would mix different arms. With
        ``if_match=<version>`` a concurrent change is a 409.
        """
        fields = _fields(name=name, metric=metric, description=description)
        if variants is not None:
            fields["variants"] = _variants_body(variants)
        updated: Experiment = yield from _Base.update.steps(
            self, experiment_id, _normalised(data), if_match=if_match, **fields
        )
        return updated

    @endpoint
    def start(self, experiment_id: str, *, if_match: int | str | None = None) -> Steps[Experiment]:
        """Start (or restart after ``stop``) the experiment; 409 when it is running already."""
        url = self._item(experiment_id, "start")
        return (yield from send("POST", url, headers=if_match_headers(if_match), type=Experiment))

    @endpoint
    def stop(self, experiment_id: str, *, if_match: int | str | None = None) -> Steps[Experiment]:
        """Stop the experiment: no more assignments or outcomes; its results stay."""
        url = self._item(experiment_id, "stop")
        return (yield from send("POST", url, headers=if_match_headers(if_match), type=Experiment))

    @endpoint
    def assign(self, experiment_id: str, subject_id: str) -> Steps[Assignment]:
        """The variant ``subject_id`` gets in a running experiment (409 when not running).

        Stable: the same subject always gets the same variant while the
        weights stay the same, and over many subjects each variant's share
        follows its weight. ``assign_offline`` computes the same without a request.
        """
        return (
            yield from send(
                "POST",
                self._item(experiment_id, "assign"),
                json={"subject_id": subject_id},
                type=Assignment,
            )
        )

    @staticmethod
    def assign_offline(experiment: Experiment, subject_id: str) -> Assignment:
        """What ``assign`` answers, computed locally from an ``Experiment`` you fetched."""
        index = assign_variant(experiment.id, subject_id, [v.weight for v in experiment.variants])
        chosen = experiment.variants[index]
        return Assignment(
            experiment_id=experiment.id,
            subject_id=subject_id,
            variant=index,
            component_id=chosen.component_id,
            version=chosen.version,
        )

    @endpoint
    def record(
        self,
        experiment_id: str,
        variant: int | Assignment,
        metric_value: float,
        *,
        idempotency_key: str | None = None,
    ) -> Steps[Outcome]:
        """Record one outcome of the experiment's metric for a variant (its position, or
        the ``Assignment`` that chose it). Only while the experiment runs (else 409).

        Retried safely: one ``idempotency_key`` (generated when omitted) is sent
        on every attempt, so a retried outcome is counted once.
        """
        index = variant.variant if isinstance(variant, Assignment) else variant
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise CLIValidationError(
                f"variant must be a variant's position (0, 1, …), not {index!r}",
                hint="pass the Assignment from assign(), or its .variant",
            )
        if (
            not isinstance(metric_value, int | float)
            or isinstance(metric_value, bool)
            or not math.isfinite(metric_value)
            or abs(metric_value) > MAX_METRIC_MAGNITUDE
        ):
            raise CLIValidationError(
                f"metric_value must be a finite number, not {metric_value!r}",
                hint=f"record numbers from -{MAX_METRIC_MAGNITUDE:g} to {MAX_METRIC_MAGNITUDE:g}",
            )
        return (
            yield from send(
                "POST",
                self._item(experiment_id, "outcomes"),
                json=body_of(None, {"variant": index, "metric_value": float(metric_value)}),
                idempotency_key=idempotency_key,
                type=Outcome,
            )
        )

    @endpoint
    def results(self, experiment_id: str) -> Steps[Results]:
        """Per-variant counts, means, standard deviations and 95 % confidence intervals,
        and each variant's difference from the first (the control)."""
        return (yield from send("GET", self._item(experiment_id, "results"), type=Results))
