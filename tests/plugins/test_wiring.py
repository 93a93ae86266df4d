"""Every first-party plugin's wiring: optional for the core, listed, light, serving its routes.

One table, one test per promise, each run for every plugin under plugins/
(tests/test_plugin_hygiene.py checks that loading each hook module is light).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flow_sdk import CLIClient
from flow_sdk._plugins import load_plugins

ROOT = Path(__file__).parents[2]


@dataclass(frozen=True)
class Wiring:
    """What one plugin adds: its entry-point name, distribution, attributes and a command."""

    name: str
    distribution: str
    attributes: tuple[str, ...]
    command: str

    @property
    def package(self) -> str:
        return "flow_sdk_" + self.name

    def __str__(self) -> str:
        return self.name


COMPONENT_TYPES = (
    "agents",
    "models",
    "prompts",
    "transforms",
    "validations",
    "schemas",
    "states",
    "observability",
    "tools",
    "code_blocks",
    "workflows",
)
PLUGINS = (
    Wiring(
        "components",
        "flow-sdk-components",
        COMPONENT_TYPES,
        "agents",
    ),
    Wiring(
        "connectors", "flow-sdk-connectors", ("connectors", "connector_instances"), "connectors"
    ),
    Wiring("datasets", "flow-sdk-datasets", ("datasets",), "datasets"),
    Wiring(
        "deployments",
        "flow-sdk-deployments",
        ("rings", "component_deployments", "workflow_deployments", "component_backups"),
        "rings",
    ),
    Wiring("experiments", "flow-sdk-experiments", ("experiments",), "experiments"),
    Wiring("hosted_services", "flow-sdk-hosted-services", ("hosted_services",), "services"),
    Wiring("mcp_servers", "flow-sdk-mcp-servers", ("mcp_servers",), "mcp-servers"),
    Wiring("policies", "flow-sdk-policies", ("policies",), "policies"),
    Wiring("solutions", "flow-sdk-solutions", ("solutions",), "solutions"),
    Wiring("webhooks", "flow-sdk-webhooks", ("webhooks",), "webhooks"),
)
"""Every plugin under plugins/ except flow-sdk-local (the platform these tests run on)."""

each_plugin = pytest.mark.parametrize("plugin", PLUGINS, ids=str)


def test_the_table_names_every_first_party_plugin() -> None:
    groups = {p.name.replace("-", "_") for p in (ROOT / "plugins").iterdir() if p.is_dir()}
    assert {p.name for p in PLUGINS} == groups - {"local"}


@each_plugin
def test_disabled_the_core_works_and_names_the_distribution(
    local_platform: Any, plugin: Wiring
) -> None:
    with CLIClient(local_platform.config(), disable_plugins=[plugin.name]) as client:
        assert client.list_orgs()[0]["id"] == local_platform.org_id
        for attribute in plugin.attributes:
            with pytest.raises(AttributeError, match=f"pip install {plugin.distribution}"):
                getattr(client, attribute)
            assert attribute not in dir(client)
        assert {p.name: p.status for p in client.plugins()}[plugin.name] == "disabled"


@each_plugin
def test_disabled_the_flow_command_names_the_distribution(plugin: Wiring, flow_cli: Any) -> None:
    missing = flow_cli(plugin.command, "list", FLOW_DISABLE_PLUGINS=plugin.name)
    assert missing.code == 2
    assert f"pip install {plugin.distribution}" in missing.err
    core = flow_cli("orgs", "list", FLOW_DISABLE_PLUGINS=plugin.name)
    assert (core.code, core.json()[0]["id"]) == (0, "org_dev"), core.err


@each_plugin
def test_enabled_it_is_listed_with_its_attributes(
    flow_client_inprocess: CLIClient, plugin: Wiring
) -> None:
    [info] = [p for p in flow_client_inprocess.plugins() if p.name == plugin.name]
    assert (info.status, info.distribution) == ("loaded", plugin.distribution)
    for attribute in plugin.attributes:
        assert attribute in dir(flow_client_inprocess)


@each_plugin
def test_the_platform_serves_its_routes_only_with_the_plugin(plugin: Wiring) -> None:
    from flow_sdk_local import LocalPlatform

    served: dict[bool, set[str]] = {}
    for enabled in (True, False):
        manager = load_plugins(disable_plugins=[] if enabled else [plugin.name]).pm
        platform = LocalPlatform(f"local://memory-{uuid.uuid4().hex[:12]}", plugin_manager=manager)
        try:
            owned = {r.path for r in platform.app.routes if r.owner == plugin.name}
            document = json.loads(platform.handle("GET", "/openapi.json", "", {}, b"").body)
            served[enabled] = owned & set(document["paths"])
        finally:
            platform.close()
    assert served[True], f"{plugin.name} adds no route to the local platform"
    assert served[False] == set()


@each_plugin
def test_its_spec_hooks_import_none_of_its_code(plugin: Wiring) -> None:
    """Namespaces and component types are "module:Class" strings, resolved on first use;
    no other plugin (flow-sdk-local included) is imported either."""
    code = (
        f"import sys; import {plugin.package}.plugin as p\n"
        "for hook in ('flow_sdk_namespaces', 'flow_sdk_component_types'):\n"
        "    getattr(p, hook, list)()\n"
        "print(sorted(m for m in sys.modules if m.startswith('flow_sdk_')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"['{plugin.package}', '{plugin.package}.plugin']"
