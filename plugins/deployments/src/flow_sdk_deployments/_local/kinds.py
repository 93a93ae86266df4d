"""The store kinds of this distribution's documents."""

from __future__ import annotations

__all__ = [
    "BACKUP_KIND",
    "COMPONENT_DEPLOYMENT_KIND",
    "DEPLOYMENT_KINDS",
    "RING_EVENT_KIND",
    "RING_KIND",
    "WORKFLOW_DEPLOYMENT_KIND",
]

RING_KIND = "ring"
RING_EVENT_KIND = "ring_event"
COMPONENT_DEPLOYMENT_KIND = "component_deployment"
WORKFLOW_DEPLOYMENT_KIND = "workflow_deployment"
DEPLOYMENT_KINDS = (COMPONENT_DEPLOYMENT_KIND, WORKFLOW_DEPLOYMENT_KIND)
BACKUP_KIND = "component_backup"
