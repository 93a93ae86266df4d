"""Which first-party distribution provides which namespace.

Only used to tell a user what to install when an attribute is missing.
"""

from __future__ import annotations

__all__ = [
    "FIRST_PARTY_COMMANDS",
    "FIRST_PARTY_NAMESPACES",
    "distribution_for",
    "distribution_for_command",
]

_GROUPS: dict[str, tuple[str, ...]] = {
    "flow-sdk-components": (
        "agents",
        "models",
        "tools",
        "prompts",
        "code_blocks",
        "workflows",
        "transforms",
        "validations",
        "schemas",
        "states",
        "observability",
    ),
    "flow-sdk-solutions": ("solutions",),
    "flow-sdk-connectors": ("connectors", "connector_instances"),
    "flow-sdk-datasets": ("datasets",),
    "flow-sdk-deployments": (
        "component_deployments",
        "workflow_deployments",
        "rings",
        "component_backups",
    ),
    "flow-sdk-hosted-services": ("hosted_services",),
    "flow-sdk-policies": ("policies",),
    "flow-sdk-webhooks": ("webhooks",),
    "flow-sdk-mcp-servers": ("mcp_servers",),
    "flow-sdk-experiments": ("experiments",),
}

FIRST_PARTY_NAMESPACES: dict[str, str] = {
    name: dist for dist, names in _GROUPS.items() for name in names
}


def distribution_for(name: str) -> str | None:
    """The distribution that provides namespace ``name``, if it is first-party."""
    return FIRST_PARTY_NAMESPACES.get(name)


#: `flow` command groups that first-party plugins add, beyond one per namespace.
_EXTRA_COMMANDS: dict[str, tuple[str, ...]] = {
    "flow-sdk-local": ("local",),
    "flow-sdk-deployments": ("deployments", "backups"),
    "flow-sdk-hosted-services": ("services",),
}

FIRST_PARTY_COMMANDS: dict[str, str] = {
    **{name.replace("_", "-"): dist for name, dist in FIRST_PARTY_NAMESPACES.items()},
    **{name: dist for dist, names in _EXTRA_COMMANDS.items() for name in names},
}


def distribution_for_command(name: str) -> str | None:
    """The distribution that adds ``flow NAME``, if it is first-party."""
    return FIRST_PARTY_COMMANDS.get(name)
