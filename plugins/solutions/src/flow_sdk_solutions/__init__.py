"""flow-sdk-solutions: ``client.solutions`` for the Flow SDK.

The public names load on first use, so importing the plugin's hook module
(which imports this package) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._bundle import BUNDLE_FORMAT_VERSION, SolutionBundle
    from ._models import ComponentRef, ImportedComponent, ImportResult, Solution
    from .namespace import SolutionsNamespace

__all__ = [
    "BUNDLE_FORMAT_VERSION",
    "ComponentRef",
    "ImportResult",
    "ImportedComponent",
    "Solution",
    "SolutionBundle",
    "SolutionsNamespace",
]

_WHERE = {
    "BUNDLE_FORMAT_VERSION": "._bundle",
    "SolutionBundle": "._bundle",
    "ComponentRef": "._models",
    "ImportResult": "._models",
    "ImportedComponent": "._models",
    "Solution": "._models",
    "SolutionsNamespace": ".namespace",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
