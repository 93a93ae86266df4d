"""Hooks of flow-sdk-datasets: the ``datasets`` namespace, its CLI commands and local routes.

Light on purpose: the namespace, CLI and route code are imported only when used.
"""

from __future__ import annotations

from flow_sdk import NamespaceSpec, hookimpl

__all__ = ["flow_sdk_namespaces"]


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.datasets``."""
    return [
        NamespaceSpec(
            "datasets",
            "flow_sdk_datasets.namespace:DatasetsNamespace",
            summary="datasets with typed schemas; rows appended in batches, read in pages",
        )
    ]
