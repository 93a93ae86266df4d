"""flow-sdk-datasets: ``client.datasets`` for the Flow SDK.

The public names load on first use, so importing the plugin's hook module
(which imports this package) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import RowValidationError
    from ._models import AppendResult, Dataset
    from ._schema import Column, DatasetSchema
    from .namespace import DatasetsNamespace

__all__ = [
    "AppendResult",
    "Column",
    "Dataset",
    "DatasetSchema",
    "DatasetsNamespace",
    "RowValidationError",
]

_WHERE = {
    "AppendResult": "._models",
    "Dataset": "._models",
    "Column": "._schema",
    "DatasetSchema": "._schema",
    "DatasetsNamespace": ".namespace",
    "RowValidationError": "._errors",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
