"""Hooks of flow-sdk-datasets: the ``datasets`` namespace, its CLI commands and local routes.

Light on purpose: the namespace, CLI and route code are imported only when used.
"""

from __future__ import annotations

from typing import Any

from flow_sdk import NamespaceSpec, hookimpl

__all__ = [
    "flow_sdk_cli_commands",
    "flow_sdk_local_console_panels",
    "flow_sdk_local_routes",
    "flow_sdk_namespaces",
]


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


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow datasets list|get|create|update|delete|append|upload|rows``."""
    commands.add_group(
        "datasets",
        "datasets: typed tables of rows (append, upload, rows)",
        "flow_sdk_datasets.cli:register",
    )


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """The datasets routes of the local platform (flow-sdk-local)."""
    from .routes import install

    install(app)


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """A "Datasets" panel in the local console: datasets, their schema and rows, paged."""
    from ._console import install

    install(console)
