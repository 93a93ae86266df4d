"""Hooks of flow-sdk-experiments: the ``experiments`` namespace, CLI, routes, console panel.

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
    """``client.experiments``."""
    return [
        NamespaceSpec(
            "experiments",
            "flow_sdk_experiments._namespace:ExperimentsNamespace",
            summary="experiments: weighted variants of components, outcomes and results",
        )
    ]


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow experiments list|get|create|update|delete|start|stop|assign|record|results``."""
    commands.add_group(
        "experiments",
        "experiments: compare component versions (start, stop, assign, record, results)",
        "flow_sdk_experiments.cli:register",
    )


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """The experiment routes of the local platform (flow-sdk-local)."""
    from .local._routes import install

    install(app)


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """An "Experiments" panel in the local console: experiments, variants and results."""
    from .local._console import install

    install(console)
