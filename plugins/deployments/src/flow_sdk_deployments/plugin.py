"""Hook implementations: what this distribution adds. Imports nothing heavy."""

from __future__ import annotations

from typing import Any

from flow_sdk import NamespaceSpec, hookimpl

_PACKAGE = "flow_sdk_deployments"


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.rings``, ``client.component_deployments``, ``client.workflow_deployments``
    and ``client.component_backups``."""
    return [
        NamespaceSpec("rings", f"{_PACKAGE}.rings:RingsNamespace", "ordered deployment stages"),
        NamespaceSpec(
            "component_deployments",
            f"{_PACKAGE}.deployments:ComponentDeploymentsNamespace",
            "component versions deployed to rings",
        ),
        NamespaceSpec(
            "workflow_deployments",
            f"{_PACKAGE}.deployments:WorkflowDeploymentsNamespace",
            "workflow versions deployed to rings",
        ),
        NamespaceSpec(
            "component_backups",
            f"{_PACKAGE}.backups:ComponentBackupsNamespace",
            "snapshots of components with all their versions",
        ),
    ]


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """Rings, deployments and backups on the local platform (flow-sdk-local)."""
    from ._local import install

    install(app)


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow rings``, ``flow deployments`` and ``flow backups``."""
    commands.add_group("rings", "ordered deployment stages", f"{_PACKAGE}.cli:register_rings")
    commands.add_group(
        "deployments",
        "deploy component and workflow versions to rings, promote, roll back",
        f"{_PACKAGE}.cli:register_deployments",
    )
    commands.add_group(
        "backups", "snapshot and restore components", f"{_PACKAGE}.cli:register_backups"
    )


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """A "Deployments" panel in the local console: what runs where, promote, roll back."""
    from ._local.console import install

    install(console)
