"""The hooks a plugin may implement, one documented function each.

A plugin is a module named by an entry point in the group ``flow_sdk.plugins``;
it implements any of these with ``@hookimpl``. Each hook's arguments are
keyword arguments, so a plugin takes only those it needs. Hook modules stay
light: import the namespace, CLI and route code inside the hook or by the
import path you return, so that nothing heavy loads before it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

from ._specs import ComponentTypeSpec, NamespaceSpec

if TYPE_CHECKING:
    import httpx

    from .cli_client import AsyncCLIClient, CLIClient

__all__ = [
    "PROJECT_NAME",
    "ComponentTypeSpec",
    "NamespaceSpec",
    "hookimpl",
    "hookspec",
]

PROJECT_NAME = "flow_sdk"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """The namespaces this plugin adds to ``CLIClient``.

    Return ``NamespaceSpec(name, factory)`` records: ``name`` becomes the
    client attribute, ``factory`` ("module:Class", imported on first use, or a
    callable) is called with the client. A name that shadows a client attribute
    or that another distribution claims is a ``PluginError`` naming both.
    """


@hookspec
def flow_sdk_component_types() -> list[ComponentTypeSpec]:
    """Component types this plugin registers in the catalog.

    Each ``ComponentTypeSpec(type, attribute)`` gets a client namespace (a
    ``ComponentTypeNamespace`` unless ``factory`` names a specialised class),
    ``flow <attribute>`` commands, and local-platform routes, with no other code.
    """


@hookspec
def flow_sdk_cli_commands(commands: Any) -> None:
    """Add command groups to the ``flow`` command.

    ``commands`` is a ``flow_sdk.cli.CommandRegistry``; call
    ``commands.add_group(name, help, register)`` where ``register`` ("module:func"
    or a callable) receives the group's ``argparse`` parser and is imported only
    when that group runs. A plugin cannot replace a core command.
    """


@hookspec(firstresult=True)
def flow_sdk_transport(
    platform_url: str, plugin_manager: pluggy.PluginManager
) -> httpx.BaseTransport | None:
    """The httpx transport for ``platform_url``, or None to let another plugin answer.

    ``plugin_manager`` is the pluggy manager of the plugins in use, so a
    transport that serves a platform (the local one) can ask them for more.

    Asked for every httpx client the SDK makes, the static methods' included:
    this is how the embedded local platform, a recording transport or a test
    double plug in. The first non-None answer wins.
    """


@hookspec(firstresult=True)
def flow_sdk_async_transport(
    platform_url: str, plugin_manager: pluggy.PluginManager
) -> httpx.AsyncBaseTransport | None:
    """The async httpx transport for ``platform_url``, or None to let another plugin answer.

    ``flow_sdk_transport`` for ``AsyncCLIClient`` (and its static methods): how
    the embedded local platform serves an async client in-process. With no
    answer, the SDK's default async transport is used.
    """


@hookspec
def flow_sdk_client_created(client: CLIClient | AsyncCLIClient) -> None:
    """Called once at the end of ``CLIClient.__init__`` (or ``AsyncCLIClient``'s)."""
