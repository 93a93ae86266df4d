"""flow-sdk-experiments: ``client.experiments`` for the Flow SDK.

Compare versions of components: weighted variants, stable assignment of
subjects, outcomes of one metric, and per-variant results with confidence
intervals. The public names load on first use, so importing the plugin's hook
module (which imports this package) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._assignment import assign_variant
    from ._models import Assignment, Experiment, Outcome, Results, Variant, VariantResult
    from ._namespace import ExperimentsNamespace
    from ._stats import Interval, Summary, difference_interval, mean_interval, summarize

__all__ = [
    "Assignment",
    "Experiment",
    "ExperimentsNamespace",
    "Interval",
    "Outcome",
    "Results",
    "Summary",
    "Variant",
    "VariantResult",
    "assign_variant",
    "difference_interval",
    "mean_interval",
    "summarize",
]

_WHERE = {
    "Assignment": "._models",
    "Experiment": "._models",
    "Outcome": "._models",
    "Results": "._models",
    "Variant": "._models",
    "VariantResult": "._models",
    "ExperimentsNamespace": "._namespace",
    "assign_variant": "._assignment",
    "Interval": "._stats",
    "Summary": "._stats",
    "difference_interval": "._stats",
    "mean_interval": "._stats",
    "summarize": "._stats",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
