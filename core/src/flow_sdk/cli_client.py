"""``CLIClient``: the reference interface, on the plugin-ready core.

The public surface matches the reference exactly (shared/docs/INTERFACE.md);
everything else (retries, auth refresh, plugins) is added around it without
changing a name, a URL, a body or an error message.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from ._auth import BearerAuth, TokenSource, exchange_api_key_for_token
from ._catalog import distribution_for
from ._config import FlowConfig
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
from ._plugins import PluginHost, PluginInfo, load_plugins, resolve_factory
from ._redact import redact_text
from ._retry import RetryBudget, RetryPolicy
from ._transport import (
    SafeClient,
    build_http_client,
    decode_error_body,
    decode_json,
    error_from_response,
)
from ._urls import API_PREFIX, org_path, path_segment, tenant_path

__all__ = [
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
    "FlowConfig",
    "PluginError",
]

STATIC_TIMEOUT = 15.0

#: The reference's name for the safe client every instance call goes through.
_SafeSyncClient = SafeClient


class _StaticBearer(httpx.Auth):
    """The config's access token on an httpx client the caller injected."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "_StaticBearer(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def _static_http(platform_url: str, plugins: PluginHost | None = None) -> httpx.Client:
    host = plugins or load_plugins(reserved=_reserved_names())
    return build_http_client(
        platform_url.rstrip("/"),
        timeout=STATIC_TIMEOUT,
        transport=host.transport_for(platform_url.rstrip("/")),
    )


def _detail(response: httpx.Response) -> str:
    detail, _code, text = decode_error_body(response.content)
    return detail if isinstance(detail, str) else (redact_text(text) or "no detail")


def _static_failure(exc: httpx.HTTPError, request: httpx.Request, what: str) -> CLIClientError:
    """``<what>: <cause>`` for a static call that never got a response."""
    cls = CLITimeoutError if isinstance(exc, httpx.TimeoutException) else CLIConnectionError
    return cls(
        f"{what}: {redact_text(str(exc)) or type(exc).__name__}",
        method=request.method,
        url=str(request.url),
        hint="check the platform URL and your network",
    )


def _static_error(
    cls: type[CLIClientError], message: str, response: httpx.Response, hint: str | None = None
) -> CLIClientError:
    """An error for a static call's non-success response, with every field kept."""
    detail, code, _text = decode_error_body(response.content)
    return cls(
        message,
        status_code=response.status_code,
        detail=detail,
        code=code,
        request_id=response.headers.get("x-request-id"),
        method=response.request.method,
        url=str(response.request.url),
        hint=hint,
    )


def _static_json(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON body of a static call's success; a ``CLIClientError`` when unreadable."""
    try:
        result = decode_json(response)
    except CLIClientError as exc:
        raise CLIClientError(
            f"{what}: {exc.message}",
            status_code=response.status_code,
            request_id=exc.request_id,
            method=exc.method,
            url=exc.url,
            hint=exc.hint,
        ) from None
    if not isinstance(result, dict):
        raise CLIClientError(
            f"{what}: expected a JSON object, got {type(result).__name__}",
            status_code=response.status_code,
            request_id=response.headers.get("x-request-id"),
            method=response.request.method,
            url=str(response.request.url),
            hint="check that the platform URL points at a Flow platform",
        )
    return result


class CLIClient:
    """A synchronous client for the Flow platform, backed by a ``FlowConfig``.

    Namespaces (``client.agents``, ``client.datasets``, …) come from installed
    plugins and are built on first use.

    Threads: one client may be shared by any number of threads. Its httpx
    connection pool, token refresh (one exchange at a time; the others wait
    and reuse it), retry budget and lazily built namespaces (every thread gets
    the same object) are all safe for concurrent use; do not change
    ``client.config`` while other threads are calling.

    Processes: after ``os.fork()`` the child's client builds a fresh
    connection pool on its next call, so parent and child never share a
    socket. A client given ``http_client=`` keeps using that httpx client in
    the child: give the child its own.

    Closing: use it as a context manager, or call ``close()``, to close its
    connections (an ``http_client`` you passed in is closed too).
    """

    def __init__(
        self,
        config: FlowConfig,
        *,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        plugins: Sequence[str | object] | None = None,
        disable_plugins: Sequence[str] | None = None,
        strict_plugins: bool | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._plugin_host = load_plugins(
            plugins, disable_plugins, strict=strict_plugins, reserved=_reserved_names()
        )
        self._namespaces: dict[str, Any] = {}
        if http_client is None:
            if transport is None:
                transport = self._plugin_host.transport_for(config.platform_url)
            chosen_transport = transport

            def build() -> httpx.Client:
                headers = (
                    {"Authorization": f"Bearer {config.access_token}"}
                    if config.access_token
                    else None
                )
                return build_http_client(
                    config.platform_url,
                    headers=headers,
                    timeout=config.timeout,
                    transport=chosen_transport,
                )

            self._http = build()
            rebuild: Callable[[], httpx.Client] | None = build
        else:
            if not str(http_client.base_url).strip("/"):
                http_client.base_url = httpx.URL(config.platform_url)
            self._http = http_client
            rebuild = None
        auth: httpx.Auth | None = None
        if config.api_key:
            self._token_source: TokenSource | None = TokenSource(
                config.api_key,
                lambda key, ttl: self._safe.retry_call(
                    lambda: exchange_api_key_for_token(self._safe.http, key, ttl)
                ),
                initial_token=config.access_token,
            )
            auth = BearerAuth(self._token_source)
        else:
            self._token_source = None
            if http_client is not None and config.access_token:
                auth = _StaticBearer(config.access_token)
        self._safe = _SafeSyncClient(
            self._http,
            retry=retry or RetryPolicy(max_retries=config.max_retries),
            auth=auth,
            rebuild=rebuild,
            sleep=sleep or __import__("time").sleep,
            rng=rng,
            budget=RetryBudget(),
        )
        self._plugin_host.pm.hook.flow_sdk_client_created(client=self)

    def __repr__(self) -> str:
        return (
            f"CLIClient(platform_url={self.config.platform_url!r}, "
            f"org_id={self.config.org_id!r}, workspace_id={self.config.workspace_id!r})"
        )

    # lifecycle

    def close(self) -> None:
        """Close the connection pool."""
        self._safe.close()

    def __enter__(self) -> CLIClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # plugins and namespaces

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        namespaces = self.__dict__.get("_namespaces")
        host: PluginHost | None = self.__dict__.get("_plugin_host")
        if namespaces is None or host is None:
            raise AttributeError(name)
        if name in namespaces:
            return namespaces[name]
        provided = host.namespaces.get(name)
        if provided is not None:
            try:
                factory = resolve_factory(provided.factory)
            except Exception as exc:
                owner = provided.plugin.distribution or provided.plugin.name
                raise PluginError(
                    f"namespace {name!r} from {owner} failed to import: {exc!r}",
                    hint=f"reinstall {owner}",
                ) from exc
            # Two threads may build it at once; both get the one stored first.
            return namespaces.setdefault(name, factory(self))
        error = host.error_for(name)
        if error is not None:
            raise error
        dist = distribution_for(name)
        if dist is not None:
            raise AttributeError(
                f"client.{name} is provided by the plugin distribution {dist}, which is not "
                f"installed or not enabled: pip install {dist}"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        names = set(super().__dir__())
        names.update(self._plugin_host.namespaces)
        return sorted(names)

    def plugins(self) -> list[PluginInfo]:
        """Every plugin found: name, distribution, version, namespaces and status."""
        return list(self._plugin_host.infos)

    @property
    def plugin_errors(self) -> list[PluginError]:
        """Plugins that failed to load or collided, as errors (empty when all is well)."""
        return list(self._plugin_host.errors)

    @property
    def component_types(self) -> dict[str, str]:
        """Every registered component type → its client attribute."""
        return {t: spec.attribute for t, spec in self._plugin_host.component_types.items()}

    # URLs

    def _require(self, field: str) -> str:
        value = getattr(self.config, field)
        if not value:
            command = "flow workspaces use ID" if field == "workspace_id" else "flow orgs list"
            raise CLIClientError(
                f"no {field} is configured",
                hint=f"set FLOW_{field.upper()} or pass {field}=... to FlowConfig "
                f"(`{command}` helps you pick one)",
            )
        return str(value)

    def _tenant_url(self, path: str) -> str:
        """``/api/v1/orgs/{org_id}/workspaces/{workspace_id}/{path}``; ids encoded."""
        return tenant_path(self._require("org_id"), self._require("workspace_id"), path)

    def _org_url(self, path: str) -> str:
        """``/api/v1/orgs/{org_id}/{path}``; the org id encoded."""
        return org_path(self._require("org_id"), path)

    # the reference's response handler

    def _handle_response(self, response: httpx.Response) -> Any:
        """Decoded JSON for a success; the matching ``CLIClientError`` otherwise."""
        if response.status_code >= 400:
            raise error_from_response(response)
        from ._transport import decode_json

        return decode_json(response)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._handle_response(self._safe.request(method, path, **kwargs))

    # static methods

    @staticmethod
    def exchange_api_key(platform_url: str, api_key: str, ttl_minutes: int = 60) -> str:
        """Exchange an org API key (``fl_…``) for a JWT access token."""
        with _static_http(platform_url) as http:
            token, _expiry = exchange_api_key_for_token(http, api_key, ttl_minutes)
        return token

    @staticmethod
    def create_cli_login_request(platform_url: str) -> dict[str, Any]:
        """Create a request-bound CLI login request (unauthenticated)."""
        what = "CLI login request failed"
        with _static_http(platform_url) as http:
            request = http.build_request("POST", f"{API_PREFIX}/auth/cli-login-requests")
            try:
                response = http.send(request)
            except httpx.HTTPError as exc:
                raise _static_failure(exc, request, what) from None
            if not response.is_success:
                cls = error_class_for_status(response.status_code)
                raise _static_error(
                    cls, f"{what} ({response.status_code}): {_detail(response)}", response
                )
            return _static_json(response, what)

    @staticmethod
    def get_current_user_with_token(platform_url: str, access_token: str) -> dict[str, Any]:
        """Validate a bearer token and return the ``/auth/me`` payload."""
        what = "Token validation failed"
        with _static_http(platform_url) as http:
            request = http.build_request(
                "GET", f"{API_PREFIX}/auth/me", headers={"Authorization": f"Bearer {access_token}"}
            )
            try:
                response = http.send(request)
            except httpx.HTTPError as exc:
                raise _static_failure(exc, request, what) from None
            if response.status_code == 401:
                raise _static_error(
                    CLIAuthenticationError,
                    f"{what}: {_detail(response)}",
                    response,
                    hint="run `flow login` to get a new token",
                )
            if not response.is_success:
                cls = error_class_for_status(response.status_code)
                raise _static_error(
                    cls, f"{what} ({response.status_code}): {_detail(response)}", response
                )
            return _static_json(response, what)

    # instance methods

    def create_component(self, component_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Create a component of ``component_type`` in the selected workspace."""
        path = self._tenant_url(f"components/{path_segment(component_type, 'component_type')}")
        result: dict[str, Any] = self._call("POST", path, json=data)
        return result

    def list_orgs(self) -> list[dict[str, Any]]:
        """The orgs the caller can access."""
        result: list[dict[str, Any]] = self._call("GET", f"{API_PREFIX}/tenants/orgs")
        return result

    def list_workspaces(self, org_id: str) -> list[dict[str, Any]]:
        """The workspaces of ``org_id``."""
        path = f"{API_PREFIX}/tenants/orgs/{path_segment(org_id, 'org_id')}/workspaces"
        result: list[dict[str, Any]] = self._call("GET", path)
        return result

    def verify_credentials(self) -> bool:
        """True when the credentials work; the error otherwise."""
        self.list_orgs()
        return True

    def get_current_user(self) -> dict[str, Any]:
        """The caller's identity (``/api/v1/auth/me``)."""
        result: dict[str, Any] = self._call("GET", f"{API_PREFIX}/auth/me")
        return result

    def execute_ddl(
        self,
        instance_id: str,
        sql: str,
        *,
        confirm: bool = False,
        scope_type: str = "workspace",
        scope_id: str | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Preview (``confirm=False``) or run DDL on a connector instance."""
        body: dict[str, Any] = {
            "scope_type": scope_type,
            "scope_id": scope_id if scope_id is not None else self.config.workspace_id,
            "sql": sql,
            "confirm": confirm,
        }
        if reason is not None:
            body["reason"] = reason
        path = f"{API_PREFIX}/connectors/instances/{path_segment(instance_id, 'instance_id')}"
        result: dict[str, Any] = self._call("POST", f"{path}/execute-ddl", json=body)
        return result

    def invoke_service(
        self,
        service_id: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, Any] | None = None,
        version: int | str | None = None,
    ) -> dict[str, Any] | list[Any]:
        """Call an endpoint of a hosted service; ``version`` pins ``v{version}``."""
        service = org_path(
            self._require("org_id"), "services", path_segment(service_id, "service_id")
        )
        if version is not None:
            service = f"{service}/v{path_segment(str(version), 'version')}"
        relative = path.lstrip("/")
        if any(part in (".", "..") for part in relative.split("?")[0].split("/")):
            raise CLIClientError(
                f"service path {path!r} has a '.' or '..' segment, which would leave the service",
                hint="pass the endpoint's path as the service defines it, e.g. 'items/42'",
            )
        url = f"{service}/{relative}"
        result: dict[str, Any] | list[Any] = self._call(
            method.upper(), url, json=body, params=query
        )
        return result


def _reserved_names() -> frozenset[str]:
    return _RESERVED


_RESERVED = frozenset(name for name in dir(CLIClient) if not name.startswith("_")) | {"config"}
