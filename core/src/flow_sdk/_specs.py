"""Records that plugins return from their hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["ComponentTypeSpec", "NamespaceSpec"]

Factory = str | Callable[..., Any]


@dataclass(frozen=True)
class NamespaceSpec:
    """A client attribute a plugin provides, and how to build it on first use."""

    name: str
    factory: Factory
    summary: str = ""


@dataclass(frozen=True)
class ComponentTypeSpec:
    """A component type in the catalog, e.g. ``ComponentTypeSpec("agent", "agents")``."""

    type: str
    attribute: str
    factory: Factory | None = None
    summary: str = ""

    @property
    def command(self) -> str:
        """The CLI group name: ``code_blocks`` → ``code-blocks``."""
        return self.attribute.replace("_", "-")
