"""Records that plugins return from their hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

__all__ = ["ComponentTypeSpec", "NamespaceSpec"]

Factory = str | Callable[..., Any]


class NamespaceSpec(msgspec.Struct, frozen=True):
    """A client attribute a plugin provides, and how to build it on first use."""

    name: str
    factory: Factory
    summary: str = ""


class ComponentTypeSpec(msgspec.Struct, frozen=True):
    """A component type in the catalog, e.g. ``ComponentTypeSpec("agent", "agents")``."""

    type: str
    attribute: str
    factory: Factory | None = None
    summary: str = ""

    @property
    def command(self) -> str:
        """The CLI group name: ``code_blocks`` → ``code-blocks``."""
        return self.attribute.replace("_", "-")
