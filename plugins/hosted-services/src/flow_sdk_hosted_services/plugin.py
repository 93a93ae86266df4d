"""Hook implementations: what this distribution adds. Imports nothing heavy."""

from __future__ import annotations

from typing import Any

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


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """``<org>/services`` on the local platform (flow-sdk-local)."""
    from ._local import install

    install(app)


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """A "Services" panel in the local console: the org's services, versions and endpoints."""
    from ._console import install

    install(console)


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow services``."""
    commands.add_group(
        "services",
        "hosted services: define, publish and invoke versioned endpoints",
        "flow_sdk_hosted_services.cli:register",
    )
