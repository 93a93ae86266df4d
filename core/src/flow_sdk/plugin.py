"""Everything a plugin may import from the core, in one public module.

Plugins (ours, third parties', and the ``flow plugins new`` scaffold) import
from here, from ``flow_sdk`` and from ``flow_sdk.cli`` / ``flow_sdk.testing``,
never from a ``flow_sdk._private`` module; a test holds every plugin in the
repository to that.

A namespace is written once for both clients::

    from flow_sdk.plugin import (
        Listing, ModeT, Page, ResourceNamespace, Steps, cursor_pages, endpoint, paginated, send,
    )

    class NotesNamespace(ResourceNamespace[ModeT, Note]):
        path = "notes"
        model = Note

        @endpoint
        def pin(self, note_id: str) -> Steps[Note]:
            return (yield from send("POST", self._item(note_id, "pin"), type=Note))

``client.notes.pin(id)`` returns a ``Note``; ``await aclient.notes.pin(id)`` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._client_base import ddl_body, service_url
from ._config import FlowConfig
from ._endpoints import (
    Async,
    AsyncMethod,
    Bound,
    Mode,
    ModeT,
    Sync,
    SyncMethod,
    endpoint,
    paginated,
)
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
    error_class_for_status,
)
from ._json import whole_floats_as_ints
from ._models import Component, ComponentVersion, Model, Page
from ._namespaces import (
    ComponentTypeNamespace,
    Namespace,
    ResourceNamespace,
    body_of,
    if_match_headers,
)
from ._pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AsyncPaginator,
    Listing,
    Paginator,
    cursor_pages,
)
from ._plugins import per_plugin
from ._polling import Backoff, poll, poll_until
from ._redact import REDACTED, redact_text, redact_url
from ._runners import RawResponse
from ._specs import ComponentTypeSpec, NamespaceSpec
from ._steps import CallOptions, Now, Request, Sleep, Step, Steps, now, send, sleep
from ._urls import API_PREFIX, org_path, path_segment, tenant_path
from .hookspecs import hookimpl, hookspec

if TYPE_CHECKING:
    import pluggy


def installed_plugin_manager() -> pluggy.PluginManager:
    """The pluggy manager of the installed, enabled plugins, as a new client loads them.

    For a plugin that serves the others (the local platform asks it for their routes).
    """
    from ._plugins import load_plugins

    return load_plugins().pm


__all__ = [
    "API_PREFIX",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "REDACTED",
    "Async",
    "AsyncMethod",
    "AsyncPaginator",
    "Backoff",
    "Bound",
    "CLIAuthenticationError",
    "CLIClientError",
    "CLIConflictError",
    "CLIConnectionError",
    "CLINotFoundError",
    "CLIPermissionError",
    "CLIRateLimitError",
    "CLIServerError",
    "CLITimeoutError",
    "CLIValidationError",
    "CallOptions",
    "Component",
    "ComponentTypeNamespace",
    "ComponentTypeSpec",
    "ComponentVersion",
    "FlowConfig",
    "Listing",
    "Mode",
    "ModeT",
    "Model",
    "Namespace",
    "NamespaceSpec",
    "Now",
    "Page",
    "Paginator",
    "PluginError",
    "RawResponse",
    "Request",
    "ResourceNamespace",
    "Sleep",
    "Step",
    "Steps",
    "Sync",
    "SyncMethod",
    "body_of",
    "cursor_pages",
    "ddl_body",
    "endpoint",
    "error_class_for_status",
    "hookimpl",
    "hookspec",
    "if_match_headers",
    "installed_plugin_manager",
    "now",
    "org_path",
    "paginated",
    "path_segment",
    "per_plugin",
    "poll",
    "poll_until",
    "redact_text",
    "redact_url",
    "send",
    "service_url",
    "sleep",
    "tenant_path",
    "whole_floats_as_ints",
]
