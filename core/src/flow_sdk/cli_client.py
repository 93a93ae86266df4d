"""``CLIClient`` (the reference interface) and its async twin ``AsyncCLIClient``.

The public surface of ``CLIClient`` matches the reference exactly (see
docs/interface.md); everything else (retries, auth refresh, plugins) is added
around it without changing a name, a URL, a body or an error message.
``AsyncCLIClient`` has the same methods and namespaces, each awaitable; both
run the very same namespace code (``_endpoints.py``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._auth import (
    BearerAuth,
    TokenSource,
    async_exchange_api_key_for_token,
    exchange_api_key_for_token,
)
from ._client_base import ClientBase
from ._config import FlowConfig
from ._endpoints import Async, Sync
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
from ._plugins import PluginHost, load_plugins
from ._retry import RetryBudget, RetryPolicy
from ._runners import AsyncRunner, SyncRunner
from ._transport import (
    USER_AGENT,
    AsyncSafeClient,
    SafeClient,
    build_http_client,
    decode_json,
    error_from_response,
    transport_error,
)
from ._urls import API_PREFIX

if TYPE_CHECKING:
    # The namespaces every first-party plugin adds, so a type checker knows their
    # exact classes. A plugin that is not installed reads as Any to it; at run time
    # its attribute raises AttributeError naming the distribution to install.
    from flow_sdk_components.code_blocks import CodeBlocksNamespace
    from flow_sdk_components.tools import ToolsNamespace
    from flow_sdk_components.workflows import WorkflowsNamespace
    from flow_sdk_connectors.namespaces import ConnectorInstancesNamespace, ConnectorsNamespace
    from flow_sdk_datasets.namespace import DatasetsNamespace
    from flow_sdk_deployments.backups import ComponentBackupsNamespace
    from flow_sdk_deployments.deployments import (
        ComponentDeploymentsNamespace,
        WorkflowDeploymentsNamespace,
    )
    from flow_sdk_deployments.rings import RingsNamespace
    from flow_sdk_experiments import ExperimentsNamespace
    from flow_sdk_hosted_services.services import HostedServicesNamespace
    from flow_sdk_mcp_servers import McpServersNamespace
    from flow_sdk_policies import PoliciesNamespace
    from flow_sdk_solutions.namespace import SolutionsNamespace
    from flow_sdk_webhooks import WebhooksNamespace

    from ._namespaces import ComponentTypeNamespace

__all__ = [
    "AsyncCLIClient",
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
HTTPClient = TypeVar("HTTPClient", httpx.Client, httpx.AsyncClient)

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


# The static calls, free of I/O: a request, and what its outcome means.

_LOGIN = "CLI login request failed"
_VALIDATE = "Token validation failed"


def _static_host(plugins: PluginHost | None) -> PluginHost:
    return plugins or load_plugins(reserved=_reserved_names())


def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON object of a static call's success; a ``CLIClientError`` when unreadable."""
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


def _static_outcome(
    request: httpx.Request, outcome: httpx.Response | httpx.HTTPError, what: str
) -> dict[str, Any]:
    """The reference's result or error for a static call's outcome."""
    if isinstance(outcome, httpx.HTTPError):
        raise transport_error(outcome, request, what=what) from None
    if outcome.status_code == 401 and "authorization" in request.headers:
        # A refused token, as the reference words it: no status in the message.
        raise error_from_response(
            outcome,
            what=what,
            cls=CLIAuthenticationError,
            with_status=False,
            hint="run `flow login` to get a new token",
        )
    if not outcome.is_success:
        raise error_from_response(outcome, what=what)
    return _json_object(outcome, what)


def _login_request(http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
    return http.build_request("POST", f"{API_PREFIX}/auth/cli-login-requests")


def _me_request(http: httpx.Client | httpx.AsyncClient, access_token: str) -> httpx.Request:
    headers = {"Authorization": f"Bearer {access_token}"}
    return http.build_request("GET", f"{API_PREFIX}/auth/me", headers=headers)


def _static_http(platform_url: str, plugins: PluginHost | None = None) -> httpx.Client:
    url = platform_url.rstrip("/")
    host = _static_host(plugins)
    return build_http_client(url, timeout=STATIC_TIMEOUT, transport=host.transport_for(url))


def _async_static_http(platform_url: str) -> httpx.AsyncClient:
    url = platform_url.rstrip("/")
    host = _static_host(None)
    return build_async_http_client(
        url, timeout=STATIC_TIMEOUT, transport=host.async_transport_for(url)
    )


def _send_static(http: httpx.Client, request: httpx.Request, what: str) -> dict[str, Any]:
    try:
        outcome: httpx.Response | httpx.HTTPError = http.send(request)
    except httpx.HTTPError as exc:
        outcome = exc
    return _static_outcome(request, outcome, what)


async def _asend_static(
    http: httpx.AsyncClient, request: httpx.Request, what: str
) -> dict[str, Any]:
    try:
        outcome: httpx.Response | httpx.HTTPError = await http.send(request)
    except httpx.HTTPError as exc:
        outcome = exc
    return _static_outcome(request, outcome, what)


def build_async_http_client(
    base_url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with the SDK's defaults; ``transport`` from the plugins."""
    merged = {"User-Agent": USER_AGENT, **(headers or {})}
    return httpx.AsyncClient(
        base_url=base_url, headers=merged, timeout=timeout, transport=transport
    )


def _adopted(http_client: HTTPClient, config: FlowConfig) -> HTTPClient:
    """A client the caller built, pointed at the platform when it names no base URL."""
    if not str(http_client.base_url).strip("/"):
        http_client.base_url = httpx.URL(config.platform_url)
    return http_client


def _credentials(
    config: FlowConfig,
    *,
    injected: bool,
    on_token: Callable[[str, float | None], object] | None,
    exchange: Callable[[str, int], tuple[str, float | None]] | None = None,
    async_exchange: Callable[[str, int], Awaitable[tuple[str, float | None]]] | None = None,
) -> tuple[TokenSource | None, httpx.Auth | None]:
    """How a client authenticates: an API key through a token source (exchanged,
    cached, refreshed); a token on a client the caller built; else the default header."""
    if config.api_key:
        source = TokenSource(
            config.api_key,
            exchange,
            async_exchange=async_exchange,
            initial_token=config.access_token,
            on_token=on_token,
        )
        return source, BearerAuth(source)
    if injected and config.access_token:
        return None, _StaticBearer(config.access_token)
    return None, None


def _bearer_headers(config: FlowConfig) -> dict[str, str] | None:
    return {"Authorization": f"Bearer {config.access_token}"} if config.access_token else None


class CLIClient(ClientBase[Sync]):
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

    ``on_token(token, expires_at)`` is called with each access token the client
    gets for its API key, so a program can keep it for its next run (pass it back
    as ``FlowConfig(access_token=...)`` with the key: it is used until it expires).
    """

    if TYPE_CHECKING:
        agents: ComponentTypeNamespace[Sync]
        models: ComponentTypeNamespace[Sync]
        tools: ToolsNamespace[Sync]
        prompts: ComponentTypeNamespace[Sync]
        code_blocks: CodeBlocksNamespace[Sync]
        workflows: WorkflowsNamespace[Sync]
        transforms: ComponentTypeNamespace[Sync]
        validations: ComponentTypeNamespace[Sync]
        schemas: ComponentTypeNamespace[Sync]
        states: ComponentTypeNamespace[Sync]
        observability: ComponentTypeNamespace[Sync]
        solutions: SolutionsNamespace[Sync]
        connectors: ConnectorsNamespace[Sync]
        connector_instances: ConnectorInstancesNamespace[Sync]
        datasets: DatasetsNamespace[Sync]
        component_deployments: ComponentDeploymentsNamespace[Sync]
        workflow_deployments: WorkflowDeploymentsNamespace[Sync]
        rings: RingsNamespace[Sync]
        component_backups: ComponentBackupsNamespace[Sync]
        hosted_services: HostedServicesNamespace[Sync]
        policies: PoliciesNamespace[Sync]
        webhooks: WebhooksNamespace[Sync]
        mcp_servers: McpServersNamespace[Sync]
        experiments: ExperimentsNamespace[Sync]

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
        clock: Callable[[], float] | None = None,
        on_token: Callable[[str, float | None], object] | None = None,
    ) -> None:
        self.config = config
        self._init_plugins(
            load_plugins(
                plugins, disable_plugins, strict=strict_plugins, reserved=_reserved_names()
            )
        )
        rebuild: Callable[[], httpx.Client] | None = None
        if http_client is None:
            chosen = transport or self._plugin_host.transport_for(config.platform_url)

            def rebuild() -> httpx.Client:
                return build_http_client(
                    config.platform_url,
                    headers=_bearer_headers(config),
                    timeout=config.timeout,
                    transport=chosen,
                )

            self._http = rebuild()
        else:
            self._http = _adopted(http_client, config)
        self._token_source, auth = _credentials(
            config,
            injected=http_client is not None,
            on_token=on_token,
            exchange=lambda key, ttl: self._client.retry_call(
                lambda: exchange_api_key_for_token(self._client.http, key, ttl)
            ),
        )
        self._client = _SafeSyncClient(
            self._http,
            retry=retry or RetryPolicy(max_retries=config.max_retries),
            auth=auth,
            rebuild=rebuild,
            sleep=sleep or time.sleep,
            rng=rng,
            budget=RetryBudget(),
        )
        self._runner = SyncRunner(self._client, sleep or time.sleep, clock=clock or time.monotonic)
        self._plugin_host.pm.hook.flow_sdk_client_created(client=self)

    # lifecycle

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> CLIClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # the reference's response handler

    def _handle_response(self, response: httpx.Response) -> Any:
        """Decoded JSON for a success; the matching ``CLIClientError`` otherwise."""
        if not response.is_success:
            raise error_from_response(response)
        return decode_json(response)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._handle_response(self._client.request(method, path, **kwargs))

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
        with _static_http(platform_url) as http:
            return _send_static(http, _login_request(http), _LOGIN)

    @staticmethod
    def get_current_user_with_token(platform_url: str, access_token: str) -> dict[str, Any]:
        """Validate a bearer token and return the ``/auth/me`` payload."""
        with _static_http(platform_url) as http:
            return _send_static(http, _me_request(http, access_token), _VALIDATE)


class AsyncCLIClient(ClientBase[Async]):
    """``CLIClient`` for asyncio: the same methods and namespaces, each awaitable.

        async with AsyncCLIClient(config) as client:
            agent = await client.agents.get("cmp_…")
            async for run in client.workflows.list_runs(workflow_id):
                ...

    Nothing it does blocks the event loop: requests, retries and their
    backoff, token refresh (one exchange at a time), polling waits and
    batched uploads all ``await``. Share one client across tasks of one
    event loop; close it with ``async with`` or ``await client.aclose()``.
    """

    if TYPE_CHECKING:
        agents: ComponentTypeNamespace[Async]
        models: ComponentTypeNamespace[Async]
        tools: ToolsNamespace[Async]
        prompts: ComponentTypeNamespace[Async]
        code_blocks: CodeBlocksNamespace[Async]
        workflows: WorkflowsNamespace[Async]
        transforms: ComponentTypeNamespace[Async]
        validations: ComponentTypeNamespace[Async]
        schemas: ComponentTypeNamespace[Async]
        states: ComponentTypeNamespace[Async]
        observability: ComponentTypeNamespace[Async]
        solutions: SolutionsNamespace[Async]
        connectors: ConnectorsNamespace[Async]
        connector_instances: ConnectorInstancesNamespace[Async]
        datasets: DatasetsNamespace[Async]
        component_deployments: ComponentDeploymentsNamespace[Async]
        workflow_deployments: WorkflowDeploymentsNamespace[Async]
        rings: RingsNamespace[Async]
        component_backups: ComponentBackupsNamespace[Async]
        hosted_services: HostedServicesNamespace[Async]
        policies: PoliciesNamespace[Async]
        webhooks: WebhooksNamespace[Async]
        mcp_servers: McpServersNamespace[Async]
        experiments: ExperimentsNamespace[Async]

    def __init__(
        self,
        config: FlowConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        plugins: Sequence[str | object] | None = None,
        disable_plugins: Sequence[str] | None = None,
        strict_plugins: bool | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] | None = None,
        on_token: Callable[[str, float | None], object] | None = None,
    ) -> None:
        self.config = config
        self._init_plugins(
            load_plugins(
                plugins, disable_plugins, strict=strict_plugins, reserved=_reserved_names()
            )
        )
        if http_client is None:
            chosen = transport or self._plugin_host.async_transport_for(config.platform_url)
            self._http = build_async_http_client(
                config.platform_url,
                headers=_bearer_headers(config),
                timeout=config.timeout,
                transport=chosen,
            )
        else:
            self._http = _adopted(http_client, config)

        async def exchange(key: str, ttl: int) -> tuple[str, float | None]:
            return await self._client.retry_call(
                lambda: async_exchange_api_key_for_token(self._client.http, key, ttl)
            )

        self._token_source, auth = _credentials(
            config, injected=http_client is not None, on_token=on_token, async_exchange=exchange
        )
        self._client = AsyncSafeClient(
            self._http,
            retry=retry or RetryPolicy(max_retries=config.max_retries),
            auth=auth,
            sleep=sleep,
            rng=rng,
            budget=RetryBudget(),
        )
        self._runner = AsyncRunner(self._client, sleep, clock=clock or time.monotonic)
        self._plugin_host.pm.hook.flow_sdk_client_created(client=self)

    # lifecycle

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def __aenter__(self) -> AsyncCLIClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # static methods: the same calls as CLIClient's, awaited

    @staticmethod
    async def exchange_api_key(platform_url: str, api_key: str, ttl_minutes: int = 60) -> str:
        """Exchange an org API key (``fl_…``) for a JWT access token."""
        async with _async_static_http(platform_url) as http:
            token, _expiry = await async_exchange_api_key_for_token(http, api_key, ttl_minutes)
        return token

    @staticmethod
    async def create_cli_login_request(platform_url: str) -> dict[str, Any]:
        """Create a request-bound CLI login request (unauthenticated)."""
        async with _async_static_http(platform_url) as http:
            return await _asend_static(http, _login_request(http), _LOGIN)

    @staticmethod
    async def get_current_user_with_token(platform_url: str, access_token: str) -> dict[str, Any]:
        """Validate a bearer token and return the ``/auth/me`` payload."""
        async with _async_static_http(platform_url) as http:
            return await _asend_static(http, _me_request(http, access_token), _VALIDATE)


def _reserved_names() -> frozenset[str]:
    return _RESERVED


_RESERVED = (
    frozenset(name for name in dir(CLIClient) if not name.startswith("_"))
    | frozenset(name for name in dir(AsyncCLIClient) if not name.startswith("_"))
    | {"config"}
)
