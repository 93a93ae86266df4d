"""Flow SDK plugin: access policies (``client.policies``) and their evaluation.

Importing this package is cheap; the names below load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._evaluation import Decision, evaluate, glob_match
    from ._models import Evaluation, MatchedPolicy, Policy
    from ._namespace import PoliciesNamespace

__all__ = [
    "Decision",
    "Evaluation",
    "MatchedPolicy",
    "PoliciesNamespace",
    "Policy",
    "evaluate",
    "glob_match",
]

_WHERE = {
    "Decision": "._evaluation",
    "evaluate": "._evaluation",
    "glob_match": "._evaluation",
    "Evaluation": "._models",
    "MatchedPolicy": "._models",
    "Policy": "._models",
    "PoliciesNamespace": "._namespace",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)
