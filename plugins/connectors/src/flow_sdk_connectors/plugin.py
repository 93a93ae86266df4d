"""Hook implementations of flow-sdk-connectors; imports nothing heavy.

Namespaces are named by import path and built on first use; the CLI and the
local-platform routes are imported inside the hook bodies.
"""

from __future__ import annotations

from typing import Any

from flow_sdk import NamespaceSpec, hookimpl

NAMESPACES = "flow_sdk_connectors.namespaces"
CLI = "flow_sdk_connectors.cli"


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.connectors`` (the catalog) and ``client.connector_instances``."""
    return [
        NamespaceSpec(
            "connectors",
            f"{NAMESPACES}:ConnectorsNamespace",
            summary="the connector catalog (sqlite, postgres, …)",
        ),
        NamespaceSpec(
            "connector_instances",
            f"{NAMESPACES}:ConnectorInstancesNamespace",
            summary="configured connections: test, query, execute DDL",
        ),
    ]


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """The connector routes of the local platform (imported only when one is built)."""
    from ._routes import install

    install(app)


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow connectors`` and ``flow connector-instances``."""
    commands.add_group("connectors", "the connector catalog", f"{CLI}:register_connectors")
    commands.add_group(
        "connector-instances",
        "configured connections: test, query, DDL",
        f"{CLI}:register_instances",
    )


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """A "Connectors" panel in the local console: instances (never their secrets) and
    their DDL audit log."""
    from ._console import install

    install(console)
