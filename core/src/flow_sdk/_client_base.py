"""What ``CLIClient`` and ``AsyncCLIClient`` share: plugins, namespaces, URLs, the
reference's instance methods (written once, as steps) and ``with_options``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ._catalog import distribution_for
from ._config import FlowConfig
from ._endpoints import Bound, ModeT, endpoint
from ._errors import CLIClientError, PluginError
from ._plugins import PluginHost, PluginInfo, resolve_factory
from ._redact import redact_log_records_of
from ._retry import RetryPolicy
from ._steps import CallOptions, Steps, send
from ._urls import API_PREFIX, org_path, path_segment, tenant_path

__all__ = ["ClientBase"]

N = TypeVar("N")


class ClientBase(Bound[ModeT]):
    """The mode-free half of a client. Not used directly: see ``CLIClient``."""

    config: FlowConfig
    _plugin_host: PluginHost
    _namespaces: dict[str, Any]
    _by_class: dict[Any, Any]

    def _init_plugins(self, host: PluginHost) -> None:
        redact_log_records_of("httpx", "httpcore")
        self._plugin_host = host
        self._namespaces = {}
        self._by_class = {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(platform_url={self.config.platform_url!r}, "
            f"org_id={self.config.org_id!r}, workspace_id={self.config.workspace_id!r})"
        )

    @property
    def _config(self) -> FlowConfig:
        """The reference's name for ``config``."""
        return self.config

    # plugins and namespaces

    if not TYPE_CHECKING:
        # Hidden from type checkers: a misspelt namespace is a type error, and the
        # namespaces they know are the ones declared on CLIClient/AsyncCLIClient.
        def __getattr__(self, name: str) -> Any:
            if name.startswith("_"):
                raise AttributeError(name)
            namespaces = self.__dict__.get("_namespaces")
            host = self.__dict__.get("_plugin_host")
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
                    f"client.{name} is provided by the plugin distribution {dist}, which is "
                    f"not installed or not enabled: pip install {dist}"
                )
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        names = set(super().__dir__())
        names.update(self._plugin_host.namespaces)
        return sorted(names)

    def namespace(self, cls: Callable[[ClientBase[ModeT]], N]) -> N:
        """The namespace of class ``cls`` on this client, typed exactly.

        The typed way to reach a namespace a type checker does not know, e.g. a
        third-party plugin's: ``client.namespace(NotesNamespace).list()``. The
        same object as the attribute when a plugin provides it.
        """
        found = self._by_class.get(cls)
        if found is not None:
            return found  # type: ignore[no-any-return]
        qualified = f"{getattr(cls, '__module__', '')}:{getattr(cls, '__qualname__', '')}"
        for name, provided in self._plugin_host.namespaces.items():
            if provided.factory is cls or provided.factory == qualified:
                return self._by_class.setdefault(cls, getattr(self, name))  # type: ignore[no-any-return]
        return self._by_class.setdefault(cls, cls(self))  # type: ignore[no-any-return]

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

    # options

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A client with other defaults that shares this one's connections and token.

        ``timeout`` (seconds) and ``headers`` apply to every request of the new
        client, ``max_retries`` to its retries; this client is unchanged.
        Closing either closes the shared connections.
        """
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = timeout
        if max_retries is not None:
            changes["max_retries"] = max_retries
        fields = {name: getattr(self.config, name) for name in self.config.__struct_fields__}
        config = FlowConfig(**{**fields, **changes})  # validates the new values
        clone = copy.copy(self)
        clone.config = config
        clone._init_plugins(self._plugin_host)
        safe = self._client  # type: ignore[attr-defined]
        if max_retries is not None:
            retry = safe.retry
            safe = safe.with_retry(
                RetryPolicy(
                    max_retries=max_retries,
                    backoff_base=retry.backoff_base,
                    backoff_cap=retry.backoff_cap,
                    retry_after_cap=retry.retry_after_cap,
                    statuses=retry.statuses,
                )
            )
        clone._client = safe  # type: ignore[attr-defined]
        defaults = CallOptions(timeout=timeout, extra_headers=headers)
        clone._runner = self._runner.with_defaults(safe, defaults)
        return clone

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

    # the reference's instance methods, written once for both clients

    @endpoint
    def create_component(self, component_type: str, data: dict[str, Any]) -> Steps[dict[str, Any]]:
        """Create a component of ``component_type`` in the selected workspace."""
        path = self._tenant_url(f"components/{path_segment(component_type, 'component_type')}")
        created: dict[str, Any] = yield from send("POST", path, json=data)
        return created

    @endpoint
    def list_orgs(self) -> Steps[list[dict[str, Any]]]:
        """The orgs the caller can access."""
        orgs: list[dict[str, Any]] = yield from send("GET", f"{API_PREFIX}/tenants/orgs")
        return orgs

    @endpoint
    def list_workspaces(self, org_id: str) -> Steps[list[dict[str, Any]]]:
        """The workspaces of ``org_id``."""
        path = f"{API_PREFIX}/tenants/orgs/{path_segment(org_id, 'org_id')}/workspaces"
        workspaces: list[dict[str, Any]] = yield from send("GET", path)
        return workspaces

    @endpoint
    def verify_credentials(self) -> Steps[bool]:
        """True when the credentials work; the error otherwise."""
        yield from ClientBase.list_orgs.steps(self)
        return True

    @endpoint
    def get_current_user(self) -> Steps[dict[str, Any]]:
        """The caller's identity (``/api/v1/auth/me``)."""
        user: dict[str, Any] = yield from send("GET", f"{API_PREFIX}/auth/me")
        return user

    @endpoint
    def execute_ddl(
        self,
        instance_id: str,
        sql: str,
        *,
        confirm: bool = False,
        scope_type: str = "workspace",
        scope_id: str | None = None,
        reason: str | None = None,
    ) -> Steps[dict[str, Any]]:
        """Preview (``confirm=False``) or run DDL on a connector instance.

        As the reference: an empty ``scope_id`` means the workspace, and
        ``reason`` is sent only when it is not empty.
        """
        body = ddl_body(
            sql,
            self.config,
            confirm=confirm,
            scope_type=scope_type,
            scope_id=scope_id,
            reason=reason,
        )
        path = f"{API_PREFIX}/connectors/instances/{path_segment(instance_id, 'instance_id')}"
        result: dict[str, Any] = yield from send("POST", f"{path}/execute-ddl", json=body)
        return result

    @endpoint
    def invoke_service(
        self,
        service_id: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, Any] | None = None,
        version: int | str | None = None,
    ) -> Steps[dict[str, Any] | list[Any]]:
        """Call an endpoint of a hosted service; ``version`` pins ``v{version}``."""
        url = service_url(self._require("org_id"), service_id, path, version)
        answer: dict[str, Any] | list[Any] = yield from send(
            method.upper(), url, json=body, params=query
        )
        return answer


def ddl_body(
    sql: str,
    config: FlowConfig,
    *,
    confirm: bool,
    scope_type: str,
    scope_id: str | None,
    reason: str | None,
) -> dict[str, Any]:
    """The body of ``execute-ddl``, as the reference builds it: an empty or missing
    ``scope_id`` means the configured workspace; ``reason`` only when it is not empty."""
    body: dict[str, Any] = {
        "scope_type": scope_type,
        "scope_id": scope_id or config.workspace_id,
        "sql": sql,
        "confirm": confirm,
    }
    if reason:
        body["reason"] = reason
    return body


def service_url(org_id: str, service_id: str, path: str, version: int | str | None) -> str:
    """``/api/v1/orgs/{org}/services/{id}/[v{version}/]{path}``, refusing a path that
    would leave the service (a ``.`` or ``..`` segment)."""
    service = org_path(org_id, "services", path_segment(service_id, "service_id"))
    if version is not None:
        service = f"{service}/v{path_segment(str(version), 'version')}"
    relative = path.lstrip("/")
    if any(part in (".", "..") for part in relative.split("?")[0].split("/")):
        raise CLIClientError(
            f"service path {path!r} has a '.' or '..' segment, which would leave the service",
            hint="pass the endpoint's path as the service defines it, e.g. 'items/42'",
        )
    return f"{service}/{relative}"
