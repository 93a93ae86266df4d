"""The Flow platform SDK: ``CLIClient`` and its configuration.

Importing this package imports no plugin; namespaces such as
``client.agents`` come from plugin distributions and load on first use.
"""

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
from ._models import Component, ComponentVersion, Model, Page
from ._namespaces import ComponentTypeNamespace, Namespace, ResourceNamespace
from ._pagination import Paginator
from ._plugins import PluginInfo
from ._retry import RetryPolicy
from ._specs import ComponentTypeSpec, NamespaceSpec
from ._version import __version__
from .cli_client import CLIClient
from .hookspecs import hookimpl

__all__ = [
    "DEFAULT_PLATFORM_URL",
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
    "ResourceNamespace",
    "RetryPolicy",
    "__version__",
    "hookimpl",
    "load_config",
    "resolve_config",
]
