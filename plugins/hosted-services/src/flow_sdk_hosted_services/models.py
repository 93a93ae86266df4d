"""Typed records for hosted services, shared by the SDK and the local routes."""

from __future__ import annotations

from datetime import datetime

from flow_sdk import Model

__all__ = ["Endpoint", "HostedService", "ServiceVersion"]


class Endpoint(Model):
    """One route of a service: ``method`` and ``path``, answered by a handler.

    The handler is either ``handler``, Python source run like a code block
    (see the README for what it receives and returns), or the code block
    ``code_block_id`` of workspace ``workspace_id``, whose code is copied
    into the version when the service is published (``code_block_version``
    says which). ``path`` may hold ``{name}`` segments, which the handler
    receives as ``params``.
    """

    method: str
    path: str
    handler: str | None = None
    code_block_id: str | None = None
    workspace_id: str | None = None
    code_block_version: int | None = None
    timeout_s: float | None = None


class ServiceVersion(Model):
    """An immutable, published definition of a service: ``v{version}``."""

    version: int
    name: str
    endpoints: list[Endpoint]
    published_at: datetime | None = None


class HostedService(Model):
    """A service of the org: its editable definition and its published versions.

    ``version`` counts edits (for ``if_match``); ``latest_version`` is the
    newest published ``vN``, the one that answers when no version is named.
    """

    id: str
    name: str
    description: str = ""
    endpoints: list[Endpoint] = []
    versions: list[ServiceVersion] = []
    latest_version: int | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
