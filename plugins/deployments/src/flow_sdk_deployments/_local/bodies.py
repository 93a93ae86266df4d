"""Request bodies of the local routes (their schemas go into the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = ["BackupCreate", "DeploymentCreate", "RingCreate", "RingUpdate"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Order = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Percent = Annotated[int, msgspec.Meta(ge=0, le=100)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
PositiveVersion = Annotated[int, msgspec.Meta(ge=1)]


class RingCreate(msgspec.Struct, kw_only=True):
    """A new ring; without ``order`` it goes after the last ring."""

    name: Name
    order: Order | None = None
    traffic_percent: Percent = 100
    description: str = ""


class RingUpdate(msgspec.Struct, kw_only=True):
    """The ring fields to change (those sent; ``null`` is refused)."""

    name: Name | None = None
    order: Order | None = None
    traffic_percent: Percent | None = None
    description: str | None = None


class DeploymentCreate(msgspec.Struct, kw_only=True):
    """Deploy ``component_version`` (default: the latest) of a component to a ring.

    ``component_type`` is required for component deployments and is
    ``workflow`` (or left out) for workflow deployments.
    """

    component_id: Id
    ring_id: Id
    component_type: Id | None = None
    component_version: PositiveVersion | None = None


class BackupCreate(msgspec.Struct, kw_only=True):
    """Snapshot the component ``component_type``/``component_id`` with all its versions."""

    component_type: Id
    component_id: Id
