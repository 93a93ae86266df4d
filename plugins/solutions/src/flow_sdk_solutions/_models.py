"""Typed records the solutions API returns (msgspec, decoded straight from the body)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from flow_sdk import Model

__all__ = ["ComponentRef", "ImportResult", "ImportedComponent", "Solution"]


class ComponentRef(Model):
    """A reference to one component of the catalog: its type and id."""

    type: str
    id: str


class Solution(Model):
    """A named group of components, with its version for ``if_match``."""

    id: str
    name: str
    description: str = ""
    components: list[ComponentRef] = []
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ImportedComponent(Model):
    """One component an import created: its id in the bundle and its new id here."""

    type: str
    source_id: str
    id: str


class ImportResult(Model):
    """What ``import_`` created: the new solution and each component's new id."""

    solution: Solution
    components: list[ImportedComponent] = msgspec.field(default_factory=list)

    @property
    def id_map(self) -> dict[str, str]:
        """Bundle id → new id, for every component the import created."""
        return {c.source_id: c.id for c in self.components}
