"""Hooks of flow-sdk-solutions: the ``solutions`` namespace, its CLI commands and local routes.

Light on purpose: the namespace, CLI and route code are imported only when used.
"""

from __future__ import annotations

from typing import Any

from flow_sdk import NamespaceSpec, hookimpl

__all__ = ["flow_sdk_cli_commands", "flow_sdk_local_routes", "flow_sdk_namespaces"]


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.solutions``."""
    return [
        NamespaceSpec(
            "solutions",
            "flow_sdk_solutions.namespace:SolutionsNamespace",
            summary="groups of components, exported to and imported from bundles",
        )
    ]


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow solutions list|get|create|update|delete|export|import``."""
    commands.add_group(
        "solutions",
        "solutions: groups of components (export, import)",
        "flow_sdk_solutions.cli:register",
    )


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """The solutions routes of the local platform (flow-sdk-local)."""
    from .routes import install

    install(app)
