"""The Flow platform SDK: ``CLIClient``, ``AsyncCLIClient`` and their configuration.

Importing this package imports no plugin; namespaces such as
``client.agents`` come from plugin distributions and load on first use.
The base classes and models that only namespaces need are imported on first
access too, so that start-up pays only for what a client uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._config import DEFAULT_PLATFORM_URL, FlowConfig, load_config, resolve_config
from ._errors import (
    CLIAuthenticationError,
    CLIClientError,
    CLIConflictError,
    CLIConnectionError,
    CLINotFoundError,
    CLIPermissionError,
    CLIRateLimitError,
    CLIServerError,
    CLITimeoutError,
    CLIValidationError,
    PluginError,
)
from ._plugins import PluginInfo
from ._retry import RetryPolicy
from ._specs import ComponentTypeSpec, NamespaceSpec
from ._version import __version__
from .cli_client import AsyncCLIClient, CLIClient
from .hookspecs import hookimpl

if TYPE_CHECKING:
    from ._endpoints import Async, Sync
    from ._models import Component, ComponentVersion, Model, Page
    from ._namespaces import ComponentTypeNamespace, Namespace, ResourceNamespace
    from ._pagination import AsyncPaginator, Paginator
    from ._polling import Backoff, poll_until
    from ._runners import RawResponse

_LAZY = {
    "Async": "._endpoints",
    "Sync": "._endpoints",
    "AsyncPaginator": "._pagination",
    "RawResponse": "._runners",
    "Component": "._models",
    "ComponentVersion": "._models",
    "Model": "._models",
    "Page": "._models",
    "ComponentTypeNamespace": "._namespaces",
    "Namespace": "._namespaces",
    "ResourceNamespace": "._namespaces",
    "Paginator": "._pagination",
    "Backoff": "._polling",
    "poll_until": "._polling",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'flow_sdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_PLATFORM_URL",
    "Async",
    "AsyncCLIClient",
    "AsyncPaginator",
    "Backoff",
    "CLIAuthenticationError",
    "CLIClient",
    "CLIClientError",
    "CLIConflictError",
    "CLIConnectionError",
    "CLINotFoundError",
    "CLIPermissionError",
    "CLIRateLimitError",
    "CLIServerError",
    "CLITimeoutError",
    "CLIValidationError",
    "Component",
    "ComponentTypeNamespace",
    "ComponentTypeSpec",
    "ComponentVersion",
    "FlowConfig",
    "Model",
    "Namespace",
    "NamespaceSpec",
    "Page",
    "Paginator",
    "PluginError",
    "PluginInfo",
    "RawResponse",
    "ResourceNamespace",
    "RetryPolicy",
    "Sync",
    "__version__",
    "hookimpl",
    "load_config",
    "poll_until",
    "resolve_config",
]
