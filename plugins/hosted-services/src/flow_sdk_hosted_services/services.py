"""``client.hosted_services``: define, publish and call the org's hosted services."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from flow_sdk.plugin import (
    CLIClientError,
    ModeT,
    Page,
    ResourceNamespace,
    Steps,
    endpoint,
    if_match_headers,
    send,
    service_url,
)

from .models import Endpoint, HostedService, ServiceVersion

__all__ = ["HostedServicesNamespace"]

EndpointLike = Endpoint | Mapping[str, Any]


def _plain(endpoint: Any, workspace_id: str | None) -> Any:
    """An endpoint as JSON; a code block handler defaults to the client's workspace."""
    if isinstance(endpoint, Endpoint):
        endpoint = msgspec.to_builtins(endpoint)
    if not isinstance(endpoint, Mapping):
        return endpoint
    plain = dict(endpoint)
    if plain.get("code_block_id") and not plain.get("workspace_id") and workspace_id:
        plain["workspace_id"] = workspace_id
    return plain


def _fields(
    name: str | None,
    description: str | None,
    endpoints: Iterable[EndpointLike] | None,
    workspace_id: str | None = None,
) -> dict[str, Any]:
    """The keyword fields that were given; the platform checks them (422 naming the field)."""
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = name
    if description is not None:
        fields["description"] = description
    if endpoints is not None:
        is_list = not isinstance(endpoints, str | bytes | Mapping)
        fields["endpoints"] = [_plain(e, workspace_id) for e in endpoints] if is_list else endpoints
    return fields


class HostedServicesNamespace(ResourceNamespace[ModeT, HostedService]):
    """Hosted services of the selected org (``/api/v1/orgs/{org}/services``).

    Edit a service freely, ``publish`` it to freeze an immutable ``vN``, and
    ``invoke`` its endpoints: the latest published version answers unless a
    ``version`` is named. Written once for both clients: on ``AsyncCLIClient``
    every method is awaited.
    """

    path = "services"
    scope = "org"
    model = HostedService

    @endpoint
    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        endpoints: Iterable[EndpointLike] | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[HostedService]:
        """Create a service from ``data`` and/or ``name``, ``endpoints``, ``description``.

        Each endpoint is ``{"method", "path", "handler"}`` (Python source) or
        ``{"method", "path", "code_block_id"}`` (a code block of the client's
        workspace, or of ``workspace_id``), or an ``Endpoint``. Nothing
        answers until the service is published.
        """
        fields = _fields(name, description, endpoints, self.config.workspace_id)
        created: HostedService = yield from ResourceNamespace[ModeT, HostedService].create.steps(
            self, data, idempotency_key=idempotency_key, **fields
        )
        return created

    @endpoint
    def update(  # type: ignore[override]
        self,
        service_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        endpoints: Iterable[EndpointLike] | None = None,
        description: str | None = None,
        if_match: int | str | None = None,
    ) -> Steps[HostedService]:
        """Change the editable definition; published versions stay as they were."""
        fields = _fields(name, description, endpoints, self.config.workspace_id)
        updated: HostedService = yield from ResourceNamespace[ModeT, HostedService].update.steps(
            self, service_id, data, if_match=if_match, **fields
        )
        return updated

    @endpoint
    def get(self, service_id: str) -> Steps[HostedService]:  # type: ignore[override]
        """One service, with its current definition and its published versions."""
        return (yield from send("GET", self._item(service_id), type=HostedService))

    @endpoint
    def delete(  # type: ignore[override]
        self, service_id: str, *, if_match: int | str | None = None
    ) -> Steps[None]:
        """Delete the service and every published version of it."""
        yield from ResourceNamespace[ModeT, HostedService].delete.steps(
            self, service_id, if_match=if_match
        )

    @endpoint
    def publish(
        self,
        service_id: str,
        *,
        if_match: int | str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[ServiceVersion]:
        """Freeze the current definition as the next immutable version ``vN``.

        With ``if_match=<version>`` it publishes only if the definition is
        still the one you reviewed (``CLIConflictError`` otherwise).
        """
        return (
            yield from send(
                "POST",
                self._item(service_id, "versions"),
                headers=if_match_headers(if_match),
                idempotency_key=idempotency_key,
                type=ServiceVersion,
            )
        )

    @endpoint
    def versions(self, service_id: str) -> Steps[builtins.list[ServiceVersion]]:
        """Every published version of the service, oldest first."""
        page = yield from send("GET", self._item(service_id, "versions"), type=Page[ServiceVersion])
        return page.items

    @endpoint
    def invoke(
        self,
        service_id: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
        version: int | str | None = None,
    ) -> Steps[Any]:
        """Call an endpoint and return its JSON: the same request as ``client.invoke_service``.

        Without ``version`` the latest published version answers. An unknown
        path is ``CLINotFoundError``, a wrong method ``CLIClientError`` (405),
        a failing handler ``CLIServerError`` (502) carrying the handler's error.
        """
        if not path.strip("/"):
            raise CLIClientError(
                "the endpoint path is empty",
                hint="pass the endpoint's path, e.g. invoke(service_id, 'GET', '/items')",
            )
        url = service_url(self._org_id(), service_id, path, version)
        params = dict(query) if query is not None else None
        return (yield from send(method.upper(), url, json=body, params=params))

    def _org_id(self) -> str:
        """The configured org id; the client's own error when there is none."""
        self._org()  # raises CLIClientError("no org_id is configured", hint=...) without one
        return str(self.config.org_id)
