"""The hook module of flow-sdk-components (entry point ``flow_sdk.plugins``).

Kept tiny on purpose: it returns records and import paths only. Namespace
code, CLI commands and local-platform routes are imported when first used.
"""

from __future__ import annotations

from typing import Any

from flow_sdk import ComponentTypeSpec, hookimpl

#: The plain component types: a ``ComponentTypeNamespace`` each, nothing more.
PLAIN_TYPES: tuple[tuple[str, str, str], ...] = (
    ("agent", "agents", "Agents"),
    ("model", "models", "Models"),
    ("prompt", "prompts", "Prompts"),
    ("transform", "transforms", "Transforms (Python code run as a workflow step)"),
    ("validation", "validations", "Validations (a JSON Schema checked as a workflow step)"),
    ("schema", "schemas", "Schemas"),
    ("state", "states", "States"),
    ("observability", "observability", "Observability settings"),
)

#: The specialised types: their namespace adds verbs (test, execute, run...).
SPECIAL_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("tool", "tools", "flow_sdk_components.tools:ToolsNamespace", "Tools (test runs one)"),
    (
        "code_block",
        "code_blocks",
        "flow_sdk_components.code_blocks:CodeBlocksNamespace",
        "Code blocks (execute runs one)",
    ),
    (
        "workflow",
        "workflows",
        "flow_sdk_components.workflows:WorkflowsNamespace",
        "Workflows (validate, run, runs, wait)",
    ),
)


@hookimpl
def flow_sdk_component_types() -> list[ComponentTypeSpec]:
    """The eleven component types of the catalog."""
    specs = [
        ComponentTypeSpec(type, attribute, summary=summary)
        for type, attribute, summary in PLAIN_TYPES
    ]
    specs += [
        ComponentTypeSpec(type, attribute, factory=factory, summary=summary)
        for type, attribute, factory, summary in SPECIAL_TYPES
    ]
    return specs


@hookimpl
def flow_sdk_cli_commands(commands: Any) -> None:
    """``flow tools test``, ``flow code-blocks execute``, ``flow workflows validate|run|runs|wait``.

    The groups exist already (one per component type); this adds their verbs.
    """
    commands.extend_group("tools", "flow_sdk_components.cli:tool_verbs")
    commands.extend_group("code-blocks", "flow_sdk_components.cli:code_block_verbs")
    commands.extend_group("workflows", "flow_sdk_components.cli:workflow_verbs")


@hookimpl
def flow_sdk_local_routes(app: Any) -> None:
    """Tool tests, code block execution and workflow runs on the local platform."""
    from .local.routes import install

    install(app)


@hookimpl
def flow_sdk_local_console_panels(console: Any) -> None:
    """Two panels in the local console: "Components" (components by type, versions and
    diffs) and "Runs" (workflow runs, each with its steps on a timeline)."""
    from .local.console import install
    from .local.console_runs import install as install_runs

    install(console)
    install_runs(console)
