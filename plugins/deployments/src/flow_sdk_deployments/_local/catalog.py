"""Read and write the local platform's component catalog (flow-sdk-local's generic store).

The catalog keeps every component as a document of kind ``component`` whose
scope is the tenant scope plus the component type, with each write recorded
in its version history. This module is the one place that knows that.
"""

from __future__ import annotations

from typing import Any

from flow_sdk_local import Document, FieldError, HTTPError, Transaction

__all__ = [
    "COMPONENT_KIND",
    "check_type",
    "component_scope",
    "load_component",
    "version_numbers",
    "versions_of",
]

COMPONENT_KIND = "component"


def component_scope(tenant_scope: str, component_type: str) -> str:
    """The store scope of one component type in one tenant (``org/workspace/type``)."""
    return f"{tenant_scope}/{component_type}"


def check_type(known: dict[str, Any], component_type: str, field: str = "component_type") -> None:
    """422 naming the registered types when ``component_type`` is not one of them."""
    if component_type not in known:
        names = ", ".join(sorted(known)) or "none (install flow-sdk-components)"
        raise HTTPError(
            422,
            [FieldError(["body", field], f"unknown component type; registered types: {names}")],
            "validation_error",
        )


def load_component(
    tx: Transaction, tenant_scope: str, component_type: str, component_id: str
) -> Document | None:
    """The component's current document, or None (also for another tenant's id)."""
    return tx.get(COMPONENT_KIND, component_scope(tenant_scope, component_type), component_id)


def versions_of(tx: Transaction, doc: Document) -> list[tuple[int, dict[str, Any], str]]:
    """``(version, data, created_at)`` of every recorded version of a component, oldest first."""
    return tx.versions(COMPONENT_KIND, doc.scope, doc.id)


def version_numbers(tx: Transaction, doc: Document) -> list[int]:
    """The version numbers a component has, oldest first."""
    return [number for number, _data, _created in versions_of(tx, doc)]
