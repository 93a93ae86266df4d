"""Hook implementations: what this distribution adds. Imports nothing heavy."""

from __future__ import annotations

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
