"""Hook implementations: what this distribution adds. Imports nothing heavy."""

from __future__ import annotations

from flow_sdk import NamespaceSpec, hookimpl


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.hosted_services``."""
    return [
        NamespaceSpec(
            "hosted_services",
            "flow_sdk_hosted_services.services:HostedServicesNamespace",
            "versioned HTTP services of the org",
        )
    ]
