"""Each ring's history: one stored event per version that arrived in (or left) it."""

from __future__ import annotations

from typing import Any

import msgspec
from flow_sdk_local import Transaction, new_id, page_of

from ..models import DeploymentEvent
from .kinds import RING_EVENT_KIND

__all__ = ["delete_ring_events", "record_event", "ring_events"]


def record_event(
    tx: Transaction,
    scope: str,
    *,
    action: str,
    deployment: dict[str, Any],
    deployment_id: str,
    from_version: int | None = None,
    by: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Store an event for ``deployment`` (its data) in its ring; the event as JSON.

    ``by`` is who acted (a user id, or ``"local console"``), ``reason`` why (if told)."""
    event = {
        "action": action,
        "ring_id": deployment["ring_id"],
        "deployment_id": deployment_id,
        "component_type": deployment["component_type"],
        "component_id": deployment["component_id"],
        "component_version": deployment["component_version"],
        "from_version": from_version,
        "at": tx.now(),
        "by": by,
        "reason": reason,
    }
    tx.insert(RING_EVENT_KIND, scope, new_id("evt"), event)
    return event


def ring_events(
    tx: Transaction, scope: str, ring_id: str, *, after: int, limit: int
) -> dict[str, Any]:
    """One page of a ring's events, oldest first."""
    docs = tx.list(RING_EVENT_KIND, scope, where={"ring_id": ring_id}, after=after, limit=limit + 1)
    return page_of(
        docs, limit, lambda doc: doc.seq, lambda doc: msgspec.convert(doc.data, DeploymentEvent)
    )


def delete_ring_events(tx: Transaction, scope: str, ring_id: str) -> None:
    """Forget a ring's history (when the ring itself is deleted)."""
    for doc in tx.list(RING_EVENT_KIND, scope, where={"ring_id": ring_id}):
        tx.delete(RING_EVENT_KIND, scope, doc.id)
