"""The plugin's wiring: light to import, optional for the core, visible in `flow plugins`."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from flow_sdk import CLIClient

NAMESPACE = "experiments"
DISTRIBUTION = "flow-sdk-experiments"
PACKAGE = "flow_sdk_experiments"


def test_disabled_the_core_still_works_and_names_the_distribution(local_platform: Any) -> None:
    client = CLIClient(local_platform.config(), disable_plugins=[NAMESPACE])
    try:
        assert client.list_orgs()[0]["id"] == local_platform.org_id
        with pytest.raises(AttributeError, match=f"pip install {DISTRIBUTION}"):
            getattr(client, NAMESPACE)
        assert NAMESPACE not in dir(client)
    finally:
        client.close()


def test_enabled_it_is_listed_with_its_namespace(flow_client_inprocess: CLIClient) -> None:
    [info] = [p for p in flow_client_inprocess.plugins() if p.distribution == DISTRIBUTION]
    assert info.status == "loaded"
    assert info.namespaces == (NAMESPACE,)
    assert NAMESPACE in dir(flow_client_inprocess)


def test_the_platform_serves_experiment_routes_only_with_the_plugin() -> None:
    from flow_sdk._plugins import load_plugins
    from flow_sdk_local import LocalPlatform

    for disabled, expected in (([], True), ([NAMESPACE], False)):
        manager = load_plugins(disable_plugins=disabled).pm
        platform = LocalPlatform("local://memory-exp-wiring", plugin_manager=manager)
        try:
            document = platform.handle("GET", "/openapi.json", "", {}, b"").body
            assert (b"/experiments/{id}/results" in document) is expected
        finally:
            platform.close()


def test_the_hook_module_imports_nothing_heavy() -> None:
    code = (
        f"import sys; import {PACKAGE}.plugin as p; p.flow_sdk_namespaces();"
        "print(sorted(m for m in sys.modules if m.startswith(('flow_sdk_local', "
        f"'{PACKAGE}.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"['{PACKAGE}.plugin']"


def test_disabled_the_flow_command_names_the_distribution(tmp_path: Any) -> None:
    import io

    from flow_sdk.cli import CLISettings, main

    err = io.StringIO()
    settings = CLISettings(
        disable_plugins=[NAMESPACE], config_dir=tmp_path, stdout=io.StringIO(), stderr=err
    )
    assert main(["experiments", "list"], settings=settings) != 0
    assert DISTRIBUTION in err.getvalue()
