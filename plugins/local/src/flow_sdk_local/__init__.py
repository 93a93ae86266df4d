"""The embedded local Flow platform (plugin flow-sdk-local).

``local://NAME`` platform URLs are served in-process by :class:`LocalPlatform`
through an httpx transport; ``flow local serve`` (or :class:`LocalServer`)
serves the same platform on a loopback socket. Plugins add routes through the
``flow_sdk_local_routes`` hook (see ROUTES.md); the pytest plugin provides the
``local_platform`` and ``flow_client`` fixtures.
"""

from ._app import API, ORG, TENANT, App, WireResponse
from ._asgi import ASGIApp, LocalServer, serve
from ._auth import Principal
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
from ._routing import QueryParam, Route
from ._store import Document, Migration, Store, StoreError, Transaction, VersionConflict
from ._transport import LocalTransport

__all__ = [
    "API",
    "DEV_ORG_ID",
    "DEV_USER_ID",
    "DEV_WORKSPACE_ID",
    "ORG",
    "PAGE_QUERY",
    "TENANT",
    "ASGIApp",
    "App",
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
    "conflict",
    "database_path",
    "decode_cursor",
    "encode_cursor",
    "forget_platform",
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
