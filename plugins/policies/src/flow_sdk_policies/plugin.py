"""Hook implementations of flow-sdk-policies; light: everything else loads on use."""

from __future__ import annotations

from typing import Any

from flow_sdk import NamespaceSpec, hookimpl


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    return [
        NamespaceSpec(
            "policies",
            "flow_sdk_policies._namespace:PoliciesNamespace",
            summary="access policies: allow or deny actions on resources",
        )
    ]


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    from .local._routes import install

    install(app)


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    commands.add_group(
        "policies", "access policies: allow or deny actions", "flow_sdk_policies.cli:register"
    )
