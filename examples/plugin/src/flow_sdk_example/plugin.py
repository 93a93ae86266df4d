"""The hook module the entry point names: small, and importing nothing heavy.

The namespace is returned as a "module:Class" string, so ``notes.py`` is
imported only when ``client.notes`` is first used.
"""

from __future__ import annotations

from flow_sdk import ComponentTypeSpec, NamespaceSpec, hookimpl


@hookimpl
def flow_sdk_namespaces() -> list[NamespaceSpec]:
    """``client.notes``: short text notes kept in a workspace."""
    return [
        NamespaceSpec("notes", "flow_sdk_example.notes:NotesNamespace", summary="workspace notes")
    ]


@hookimpl
def flow_sdk_component_types() -> list[ComponentTypeSpec]:
    """A new component type; the core gives it ``client.evaluators`` with no other code."""
    return [ComponentTypeSpec("evaluator", "evaluators", summary="scores a component's output")]
