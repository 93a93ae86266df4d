"""Every installed plugin keeps start-up light, as docs/architecture.md requires.

Loading a plugin's hook module (which every client and every `flow` command
does) must not import its namespace, CLI or route code, nor any heavy
dependency: those load on first use. `import flow_sdk` imports no plugin.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from flow_sdk._plugins import discover

HEAVY = (
    "sqlite3",
    "jwt",
    "uvicorn",
    "jsonschema",
    "sqlglot",
    "psycopg",
    "mcp",
    "flow_sdk.cli",
    "flow_sdk._profiles",
)

PROBE = """
import importlib, json, sys
before = set(sys.modules)
importlib.import_module({module!r})
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def _imported_by(module: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def test_import_flow_sdk_imports_no_plugin() -> None:
    imported = _imported_by("flow_sdk")
    assert [m for m in imported if m.startswith("flow_sdk_")] == []


@pytest.mark.parametrize("plugin", discover(), ids=lambda p: p.name)
def test_hook_module_imports_nothing_heavy(plugin) -> None:
    module = plugin.value.partition(":")[0]
    package = module.split(".")[0]
    imported = _imported_by(module)
    own = sorted(
        m
        for m in imported
        if m.startswith(package + ".") and m != module and not m.endswith((".hookspecs", "._specs"))
    )
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY or m in HEAVY)
    assert own == [], f"{module} imports its own submodules at load time: {own}"
    assert heavy == [], f"{module} imports heavy modules at load time: {heavy}"


PLATFORM_PROBE = """
import json, sys
from flow_sdk import CLIClient, FlowConfig
client = CLIClient(FlowConfig(platform_url="local://memory-hygiene"))
client._client.request("GET", "/_local/health")
print(json.dumps(sorted(sys.modules)))
"""


def test_starting_the_local_platform_loads_no_heavy_route_dependency() -> None:
    """Every `flow` command against local:// builds the platform: route modules
    must load their heavy libraries (SQL parser, JSON Schema, drivers) on first use."""
    out = subprocess.run(
        [sys.executable, "-c", PLATFORM_PROBE], capture_output=True, text=True, check=True
    ).stdout
    loaded = {m.split(".")[0] for m in json.loads(out)}
    assert "flow_sdk_local" in loaded
    assert sorted(loaded & {"sqlglot", "jsonschema", "psycopg", "mcp", "uvicorn"}) == []
