"""The plugin's wiring: a light hook module, and a core that works without it."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest
from flow_sdk.cli import CLISettings, main


def test_the_hook_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, flow_sdk_connectors.plugin as p\n"
        "specs = p.flow_sdk_namespaces()\n"
        "heavy = {'sqlglot', 'psycopg', 'flow_sdk_local', 'flow_sdk_connectors.namespaces',\n"
        "         'flow_sdk_connectors._routes', 'flow_sdk_connectors.cli'}\n"
        "print(sorted(heavy & set(sys.modules)), [s.name for s in specs])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[] ['connectors', 'connector_instances']"


def test_the_namespaces_load_on_first_use(flow_client_inprocess: Any) -> None:
    from flow_sdk_connectors.namespaces import ConnectorInstancesNamespace, ConnectorsNamespace

    assert isinstance(flow_client_inprocess.connectors, ConnectorsNamespace)
    assert isinstance(flow_client_inprocess.connector_instances, ConnectorInstancesNamespace)
    assert "connector_instances" in dir(flow_client_inprocess)


def test_without_the_plugin_the_core_works_and_names_the_distribution(
    local_platform: Any,
) -> None:
    client = local_platform.client(disable_plugins=["connectors"])
    assert client.verify_credentials() is True
    for name in ("connectors", "connector_instances"):
        with pytest.raises(AttributeError, match="pip install flow-sdk-connectors"):
            getattr(client, name)
    info = {p.name: p.status for p in client.plugins()}
    assert info["connectors"] == "disabled"


def test_without_the_plugin_the_cli_has_no_connector_commands(local_platform: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    settings = CLISettings(
        disable_plugins=["connectors"],
        environ={"FLOW_PLATFORM_URL": local_platform.url, "FLOW_API_KEY": local_platform.api_key},
        stdout=out,
        stderr=err,
    )
    assert main(["connectors", "list"], settings=settings) == 2
    assert "invalid choice: 'connectors'" in err.getvalue()
    assert main(["orgs", "list"], settings=settings) == 0
