"""Hook implementations of flow-sdk-webhooks; light: everything else loads on use."""

from __future__ import annotations

from typing import Any

from flow_sdk import NamespaceSpec, hookimpl


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.webhooks``."""
    return [
        NamespaceSpec(
            "webhooks",
            "flow_sdk_webhooks._namespace:WebhooksNamespace",
            summary="webhooks: signed event deliveries to your receivers",
        )
    ]


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """The webhook routes and delivery engine of the local platform (flow-sdk-local)."""
    from .local._routes import install

    install(app)


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """A "Webhooks" panel in the local console: webhooks, deliveries, attempts, redelivery."""
    from .local._console import install

    install(console)


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow webhooks list|get|create|update|delete|test|deliveries``."""
    commands.add_group(
        "webhooks", "webhooks: signed event deliveries", "flow_sdk_webhooks.cli:register"
    )
