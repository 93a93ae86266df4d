"""flow-sdk-components: the component namespaces of the Flow SDK.

Installs ``client.agents``, ``client.models``, ``client.tools``,
``client.prompts``, ``client.code_blocks``, ``client.workflows``,
``client.transforms``, ``client.validations``, ``client.schemas``,
``client.states`` and ``client.observability``, their ``flow`` commands and,
with flow-sdk-local, their local-platform routes.

Importing this package is cheap: the names below load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CodeBlocksNamespace",
    "CodeExecutionError",
    "ExecutionError",
    "ExecutionResult",
    "StepResult",
    "ToolTestResult",
    "ToolsNamespace",
    "WorkflowRun",
    "WorkflowValidation",
    "WorkflowsNamespace",
    "run_code",
]

_WHERE = {
    "CodeBlocksNamespace": "code_blocks",
    "CodeExecutionError": "errors",
    "ExecutionError": "models",
    "ExecutionResult": "models",
    "StepResult": "models",
    "ToolTestResult": "models",
    "ToolsNamespace": "tools",
    "WorkflowRun": "models",
    "WorkflowValidation": "models",
    "WorkflowsNamespace": "workflows",
    "run_code": "runner",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
