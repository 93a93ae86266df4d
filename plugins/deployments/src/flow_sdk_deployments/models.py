"""Typed records for rings, deployments and backups.

The same Structs are the SDK's return types and the local platform's response
schemas, so the two cannot drift apart. Unknown fields are ignored on decode.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flow_sdk import ComponentVersion, Model

__all__ = [
    "DEPLOYMENT_STATUSES",
    "EVENT_ACTIONS",
    "Backup",
    "Deployment",
    "DeploymentEvent",
    "Ring",
]

#: Every status a deployment can have; ``pending`` moves to ``active`` or ``failed``.
#: Fields hold plain strings, so a status added by a newer platform still decodes.
DEPLOYMENT_STATUSES: tuple[str, ...] = ("pending", "active", "failed")
#: What put a version into a ring (or took it out).
EVENT_ACTIONS: tuple[str, ...] = ("deploy", "promote", "rollback", "remove")


class Ring(Model):
    """An ordered deployment stage with a traffic share (canary 5 %, prod 100 %)."""

    id: str
    name: str
    order: int
    traffic_percent: int = 100
    description: str = ""
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class DeploymentEvent(Model):
    """One step in a ring's history: which version arrived there, how, when, who did it
    (``by``: a user id, or ``"local console"``) and why (``reason``, when one was given)."""

    action: str
    component_version: int
    ring_id: str
    at: datetime
    deployment_id: str = ""
    component_type: str = ""
    component_id: str = ""
    from_version: int | None = None
    by: str | None = None
    reason: str | None = None


class Deployment(Model):
    """A component (or workflow) version running in one ring.

    There is one deployment per component and ring: deploying again to the
    same ring replaces its version and adds to ``history``, so ``rollback``
    knows which version was there before.
    """

    id: str
    component_type: str
    component_id: str
    component_version: int
    ring_id: str
    status: str
    error: str | None = None
    history: list[DeploymentEvent] = []
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Backup(Model):
    """A snapshot of one component with every version it had when taken."""

    id: str
    component_type: str
    component_id: str
    component_name: str
    versions: list[ComponentVersion]
    version: int = 1
    created_at: datetime | None = None

    @property
    def latest(self) -> ComponentVersion:
        """The newest version in the snapshot (what ``restore`` brings back)."""
        return max(self.versions, key=lambda v: v.version)

    def summary(self) -> dict[str, Any]:
        """A short row for tables: id, component, how many versions, when."""
        return {
            "id": self.id,
            "component_type": self.component_type,
            "component_id": self.component_id,
            "component_name": self.component_name,
            "versions": len(self.versions),
            "created_at": self.created_at,
        }
