"""Hook implementations of flow-sdk-webhooks; light: everything else loads on use."""

from __future__ import annotations

from flow_sdk import NamespaceSpec, hookimpl


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    return [
        NamespaceSpec(
            "webhooks",
            "flow_sdk_webhooks._namespace:WebhooksNamespace",
            summary="webhooks: signed event deliveries to your receivers",
        )
    ]
