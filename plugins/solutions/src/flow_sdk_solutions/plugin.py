"""Hooks of flow-sdk-solutions: the ``solutions`` namespace, its CLI commands and local routes.

Light on purpose: the namespace, CLI and route code are imported only when used.
"""

from __future__ import annotations

from flow_sdk import NamespaceSpec, hookimpl

__all__ = ["flow_sdk_namespaces"]


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
