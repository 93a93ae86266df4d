"""The hook module the entry point names: small, and importing nothing heavy.

Each hook says *what* the plugin adds; the code that does it is named by an
import path ("module:attribute") or imported inside the hook body, so it loads
only when used: ``notes.py`` on the first ``client.notes``, ``cli.py`` when
``flow notes …`` runs, ``local_routes.py`` when a local platform is built.
"""

from __future__ import annotations

from typing import Any

from flow_sdk import ComponentTypeSpec, NamespaceSpec, hookimpl

__all__ = [
    "flow_sdk_cli_commands",
    "flow_sdk_component_types",
    "flow_sdk_local_routes",
    "flow_sdk_namespaces",
]


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.notes``: short text notes kept in a workspace."""
    return [
        NamespaceSpec(
            "notes",
            "flow_sdk_example.notes:NotesNamespace",
            summary="short text notes in a workspace (example plugin)",
        )
    ]


@hookimpl
def flow_sdk_component_types() -> list[ComponentTypeSpec]:
    """A new component type: the core gives it ``client.evaluators`` and ``flow evaluators``."""
    return [
        ComponentTypeSpec(
            "evaluator", "evaluators", summary="scores a component's output (example plugin)"
        )
    ]


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow notes list|get|create|update|delete|pin|unpin``."""
    commands.add_group(
        "notes", "short text notes (example plugin)", "flow_sdk_example.cli:register"
    )


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """The notes routes of the local platform; called only where flow-sdk-local is installed."""
    from .local_routes import install

    install(app)


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """A "Notes" panel in the local platform's web console (``flow local console``)."""
    from .local_routes import console_panel

    console_panel(console)
