"""The embedded local Flow platform (plugin flow-sdk-local).

``local://NAME`` platform URLs are served in-process by :class:`LocalPlatform`
through an httpx transport; ``flow local serve`` (or :class:`LocalServer`)
serves the same platform on a loopback socket. Plugins add routes through the
``flow_sdk_local_routes`` hook (see ROUTES.md); the pytest plugin provides the
``local_platform`` and ``flow_client`` fixtures.

Importing this package is cheap: each public name is imported from its module
on first use, so the plugin's hook module (``flow_sdk_local.plugin``) loads
nothing of the platform until a ``local://`` URL is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._app import API, ORG, TENANT, App, AroundHandler, WireResponse
    from ._asgi import ASGIApp, LocalServer, serve
    from ._auth import Principal
    from ._components import ComponentTypeName, component_type_name
    from ._faults import FaultRule, FaultsConfig
    from ._http import (
        ErrorBody,
        FieldError,
        HTTPError,
        Request,
        Response,
        bad_request,
        conflict,
        not_found,
        unauthorized,
    )
    from ._paging import PAGE_QUERY, Page, decode_cursor, encode_cursor, page_of, page_params
    from ._platform import (
        DEV_ORG_ID,
        DEV_USER_ID,
        DEV_WORKSPACE_ID,
        LocalPlatform,
        database_path,
        forget_platform,
        platform_for,
        register_platform,
    )
    from ._resource import Resource, StoredModel, new_id, parse_if_match
    from ._routing import NAME_PATTERN, NO_CONTROLS, NOT_BLANK, QueryParam, Route, is_blank
    from ._store import Document, Migration, Store, StoreError, Transaction, VersionConflict
    from ._transport import LocalTransport

_LAZY: dict[str, str] = {
    "API": "._app",
    "ASGIApp": "._asgi",
    "App": "._app",
    "AroundHandler": "._app",
    "ComponentTypeName": "._components",
    "DEV_ORG_ID": "._platform",
    "DEV_USER_ID": "._platform",
    "DEV_WORKSPACE_ID": "._platform",
    "Document": "._store",
    "ErrorBody": "._http",
    "FaultRule": "._faults",
    "FaultsConfig": "._faults",
    "FieldError": "._http",
    "HTTPError": "._http",
    "LocalPlatform": "._platform",
    "LocalServer": "._asgi",
    "LocalTransport": "._transport",
    "Migration": "._store",
    "NAME_PATTERN": "._routing",
    "NO_CONTROLS": "._routing",
    "NOT_BLANK": "._routing",
    "ORG": "._app",
    "PAGE_QUERY": "._paging",
    "Page": "._paging",
    "Principal": "._auth",
    "QueryParam": "._routing",
    "Request": "._http",
    "Resource": "._resource",
    "Response": "._http",
    "Route": "._routing",
    "Store": "._store",
    "StoreError": "._store",
    "StoredModel": "._resource",
    "TENANT": "._app",
    "Transaction": "._store",
    "VersionConflict": "._store",
    "WireResponse": "._app",
    "bad_request": "._http",
    "conflict": "._http",
    "database_path": "._platform",
    "decode_cursor": "._paging",
    "encode_cursor": "._paging",
    "component_type_name": "._components",
    "forget_platform": "._platform",
    "is_blank": "._routing",
    "new_id": "._resource",
    "not_found": "._http",
    "page_of": "._paging",
    "page_params": "._paging",
    "parse_if_match": "._resource",
    "platform_for": "._platform",
    "register_platform": "._platform",
    "serve": "._asgi",
    "unauthorized": "._http",
}

__all__ = [
    "API",
    "DEV_ORG_ID",
    "DEV_USER_ID",
    "DEV_WORKSPACE_ID",
    "NAME_PATTERN",
    "NOT_BLANK",
    "NO_CONTROLS",
    "ORG",
    "PAGE_QUERY",
    "TENANT",
    "ASGIApp",
    "App",
    "AroundHandler",
    "ComponentTypeName",
    "Document",
    "ErrorBody",
    "FaultRule",
    "FaultsConfig",
    "FieldError",
    "HTTPError",
    "LocalPlatform",
    "LocalServer",
    "LocalTransport",
    "Migration",
    "Page",
    "Principal",
    "QueryParam",
    "Request",
    "Resource",
    "Response",
    "Route",
    "Store",
    "StoreError",
    "StoredModel",
    "Transaction",
    "VersionConflict",
    "WireResponse",
    "bad_request",
    "component_type_name",
    "conflict",
    "database_path",
    "decode_cursor",
    "encode_cursor",
    "forget_platform",
    "is_blank",
    "new_id",
    "not_found",
    "page_of",
    "page_params",
    "parse_if_match",
    "platform_for",
    "register_platform",
    "serve",
    "unauthorized",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
