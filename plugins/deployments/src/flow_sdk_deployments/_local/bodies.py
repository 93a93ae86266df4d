"""Request bodies of the local routes (their schemas go into the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from flow_sdk_local import ComponentTypeName, component_type_name

__all__ = [
    "MAX_REASON_LENGTH",
    "BackupCreate",
    "ComponentDeploymentCreate",
    "DeploymentAction",
    "DeploymentCreate",
    "RingCreate",
    "RingUpdate",
    "WorkflowDeploymentCreate",
]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Order = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Percent = Annotated[int, msgspec.Meta(ge=0, le=100)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
PositiveVersion = Annotated[int, msgspec.Meta(ge=1)]
MAX_REASON_LENGTH = 500
Reason = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_REASON_LENGTH,
        # No C0 or C1 control character (flow_sdk_local.NO_CONTROLS), ended by (?![\s\S])
        # and not $, which in Python also matches before a final newline.
        pattern=r"^[^\x00-\x1f\x7f-\x9f]*(?![\s\S])",
        description="why, recorded in the deployment's history: free text without control "
        "characters (no tab or newline)",
    ),
]


class RingCreate(msgspec.Struct, kw_only=True):
    """A new ring; without ``order`` it goes after the last ring."""

    name: Name
    order: Order | None = None
    traffic_percent: Percent = 100
    description: str = ""


class RingUpdate(msgspec.Struct, kw_only=True):
    """The ring fields to change (those sent)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    order: Order | msgspec.UnsetType = msgspec.UNSET
    traffic_percent: Percent | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET


class DeploymentCreate(msgspec.Struct, kw_only=True):
    """Deploy ``component_version`` (default: the latest) of a component to a ring.

    ``component_type`` is required for component deployments and is
    ``workflow`` (or left out) for workflow deployments.
    """

    component_id: Id
    ring_id: Id
    component_type: Id | None = None
    component_version: PositiveVersion | None = None
    reason: Reason | None = None


class DeploymentAction(msgspec.Struct, kw_only=True):
    """The optional body of ``…/promote`` and ``…/rollback`` (an empty body is ``{}``)."""

    reason: Reason | None = None


_REFERENCES = (
    "ring_id names a ring of this workspace, component_id a component of the type, and "
    "component_version one of its versions (422 otherwise)"
)


class ComponentDeploymentCreate(msgspec.Struct, kw_only=True):
    """``POST <tenant>/component-deployments`` as the OpenAPI document shows it (the route
    decodes ``DeploymentCreate`` and says in words what this type states)."""

    component_id: Annotated[Id, msgspec.Meta(description=_REFERENCES)]
    ring_id: Id
    component_type: component_type_name(  # type: ignore[valid-type]
        exclude=("workflow",), description="a registered type; workflows: workflow-deployments"
    )
    component_version: PositiveVersion | None = None
    reason: Reason | None = None


class WorkflowDeploymentCreate(msgspec.Struct, kw_only=True):
    """``POST <tenant>/workflow-deployments`` as the OpenAPI document shows it."""

    component_id: Annotated[Id, msgspec.Meta(description=_REFERENCES)]
    ring_id: Id
    component_type: Literal["workflow"] | None = None
    component_version: PositiveVersion | None = None
    reason: Reason | None = None


class BackupCreate(msgspec.Struct, kw_only=True):
    """Snapshot the component ``component_type``/``component_id`` with all its versions
    (``component_id`` names a component of the type in this workspace: 422 otherwise)."""

    component_type: ComponentTypeName
    component_id: Id
