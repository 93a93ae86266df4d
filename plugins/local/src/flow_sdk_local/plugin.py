"""flow-sdk-local's hooks: the in-process transport for local:// URLs and `flow local`.

Kept light: nothing of the platform is imported until a local:// URL is used.
"""

from __future__ import annotations

from typing import Any

from flow_sdk.hookspecs import hookimpl

LOCAL_SCHEME = "local://"


@hookimpl
def flow_sdk_transport(platform_url: str, plugin_manager: Any) -> Any:
    """The embedded platform for ``local://NAME`` URLs; None for any other URL."""
    if not platform_url.startswith(LOCAL_SCHEME):
        return None
    from ._platform import database_path
    from ._transport import LocalTransport

    database_path(platform_url)  # a bad name fails here, not on the first request
    # The platform (and its file) is made on the first request, not with the client.
    return LocalTransport(url=platform_url, plugin_manager=plugin_manager)


@hookimpl
def flow_sdk_async_transport(platform_url: str, plugin_manager: Any) -> Any:
    """The embedded platform for ``local://NAME`` URLs, for ``AsyncCLIClient``."""
    sync = flow_sdk_transport(platform_url, plugin_manager)
    if sync is None:
        return None
    from ._transport import AsyncLocalTransport

    return AsyncLocalTransport(sync)


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow local init|serve|console|reset|approve``, imported only when ``flow local`` runs."""
    commands.add_group(
        "local",
        "the embedded local platform: init, serve, console, reset, approve",
        "flow_sdk_local.cli:register",
    )
