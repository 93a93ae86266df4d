"""Hook implementations of flow-sdk-policies; light: everything else loads on use."""

from __future__ import annotations

from typing import Any

from flow_sdk import NamespaceSpec, hookimpl


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.policies``."""
    return [
        NamespaceSpec(
            "policies",
            "flow_sdk_policies._namespace:PoliciesNamespace",
            summary="access policies: allow or deny actions on resources",
        )
    ]


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """The policy routes of the local platform (flow-sdk-local)."""
    from .local._routes import install

    install(app)


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """A "Policies" panel in the local console: the policies in force, and "would this
    be allowed?" answered by the platform's own evaluation."""
    from .local._console import install

    install(console)


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow policies list|get|create|update|delete|evaluate``."""
    commands.add_group(
        "policies", "access policies: allow or deny actions", "flow_sdk_policies.cli:register"
    )
