"""The records of the experiments API, shared by the SDK and the local platform's routes.

One set of types for both sides keeps them in step: what the routes answer is
what the SDK decodes, and these types are the routes' OpenAPI schemas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from flow_sdk import Model

__all__ = [
    "MAX_METRIC_MAGNITUDE",
    "AssignRequest",
    "Assignment",
    "Experiment",
    "ExperimentCreate",
    "ExperimentUpdate",
    "Outcome",
    "RecordRequest",
    "Results",
    "Status",
    "Variant",
    "VariantIn",
    "VariantResult",
]

Status = Literal["draft", "running", "stopped"]

MAX_METRIC_MAGNITUDE = 1e15
"""Metric values are finite and at most this large (either sign), so results stay finite."""

NAME_PATTERN = (
    r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
    r"\u205f\u3000][^\x00-\x1f\x7f-\x9f]*$"
)
"""Not blank, no control characters: ``flow_sdk_local.NAME_PATTERN`` (this package must not
import the local platform; a test keeps the two equal). The routes check it in words."""

Name = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, extra_json_schema={"pattern": NAME_PATTERN})
]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
MetricName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
SubjectId = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
VariantIndex = Annotated[int, msgspec.Meta(ge=0)]


class Variant(Model):
    """One arm of an experiment: a component at one version, and its share of subjects (%)."""

    component_id: str
    version: int
    weight: int


class Experiment(Model):
    """An experiment comparing versions of components on one metric.

    ``status`` goes ``draft`` → ``running`` (``start``) → ``stopped`` (``stop``),
    and may be started again. Subjects are assigned and outcomes recorded only
    while it runs; it can be changed only while it does not.
    """

    id: str
    name: str
    description: str = ""
    metric: str = "metric"
    variants: list[Variant] = []
    status: Status = "draft"
    outcome_count: int = 0
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Assignment(Model):
    """The variant a subject gets: always the same one for the same subject and weights."""

    experiment_id: str
    subject_id: str
    variant: int
    """The variant's position in ``Experiment.variants`` (what ``record`` takes)."""
    component_id: str
    version: int


class Outcome(Model):
    """One recorded value of the experiment's metric for one variant."""

    id: str
    experiment_id: str
    variant: int
    metric_value: float
    recorded_at: datetime | None = None


class VariantResult(Model):
    """One variant's outcomes: how many, their mean, and a 95 % confidence interval.

    ``ci_low``/``ci_high`` need at least two outcomes (None before). For every
    variant but the first (the control), ``difference`` is its mean minus the
    control's, with a 95 % interval (Welch's standard error, normal approximation).
    """

    variant: int
    component_id: str
    version: int
    weight: int
    count: int = 0
    mean: float | None = None
    stddev: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    difference: float | None = None
    difference_ci_low: float | None = None
    difference_ci_high: float | None = None


class Results(Model):
    """Per-variant results of an experiment's metric, at ``confidence`` (0.95)."""

    experiment_id: str
    name: str
    metric: str
    status: Status
    confidence: float
    total: int
    variants: list[VariantResult]


# request bodies (the routes decode and check them; the SDK sends plain JSON)


class VariantIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A variant as sent: ``weight`` is a whole percentage; all weights add up to 100."""

    component_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    version: Annotated[int, msgspec.Meta(ge=1)]
    weight: Annotated[int, msgspec.Meta(ge=0, le=100)]


Variants = Annotated[
    list[VariantIn],
    msgspec.Meta(
        description="2 to 20 variants; their weights add up to 100, no component version is "
        "named twice, and each names a component of this workspace at a version it has had "
        "(422 otherwise: rules a schema cannot state)",
        extra_json_schema={"minItems": 2, "maxItems": 20},
    ),
]
"""The routes check the count in words (``variant_problems``), as the SDK does."""


class ExperimentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new experiment, in ``draft``: 2 to 20 variants whose weights add up to 100."""

    name: Name
    variants: Variants
    description: Description = ""
    metric: MetricName = "metric"


class ExperimentUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change; refused (409) while the experiment runs."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    variants: Variants | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    metric: MetricName | msgspec.UnsetType = msgspec.UNSET


class AssignRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Which subject (a user, a session, a request…) to assign."""

    subject_id: SubjectId


class RecordRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An outcome: the variant's position and the metric's value."""

    variant: VariantIndex
    metric_value: Annotated[
        float,
        msgspec.Meta(
            extra_json_schema={
                "minimum": -MAX_METRIC_MAGNITUDE,
                "maximum": MAX_METRIC_MAGNITUDE,
            }
        ),
    ]
