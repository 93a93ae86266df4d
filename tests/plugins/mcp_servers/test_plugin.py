"""The plugin's wiring: light to import, optional for the core, visible in `flow plugins`."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from flow_sdk import CLIClient

NAMESPACE = "mcp_servers"
DISTRIBUTION = "flow-sdk-mcp-servers"
PACKAGE = "flow_sdk_mcp_servers"


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


def test_the_platform_serves_mcp_routes_only_with_the_plugin() -> None:
    from flow_sdk._plugins import load_plugins
    from flow_sdk_local import LocalPlatform

    for disabled, expected in (([], True), ([NAMESPACE], False)):
        manager = load_plugins(disable_plugins=disabled).pm
        platform = LocalPlatform("local://memory-mcp-wiring", plugin_manager=manager)
        try:
            document = platform.handle("GET", "/openapi.json", "", {}, b"").body
            assert (b"/mcp-servers/{id}/refresh" in document) is expected
        finally:
            platform.close()


def test_the_hook_module_imports_nothing_heavy() -> None:
    code = (
        f"import sys; import {PACKAGE}.plugin as p; p.flow_sdk_namespaces();"
        "print(sorted(m for m in sys.modules if m.startswith(('flow_sdk_local', 'mcp', "
        f"'{PACKAGE}.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"['{PACKAGE}.plugin']"


def test_the_namespace_does_not_import_the_mcp_package() -> None:
    code = (
        f"import sys; import {PACKAGE}._namespace, {PACKAGE}.cli;"
        "print(sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_platform_without_the_mcp_package_says_what_to_install(
    flow_client_inprocess: CLIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flow_sdk import CLIClientError

    servers = flow_client_inprocess.mcp_servers
    server = servers.register("s", "http://127.0.0.1:9/mcp")
    monkeypatch.setitem(sys.modules, "mcp", None)  # `import mcp` now raises ImportError
    with pytest.raises(CLIClientError) as info:
        servers.refresh(server.id)
    assert (info.value.status_code, info.value.code) == (501, "mcp_client_missing")
    assert "pip install 'flow-sdk-mcp-servers[local]'" in info.value.message


def test_disabled_the_flow_command_names_the_distribution(tmp_path: Any) -> None:
    import io

    from flow_sdk.cli import CLISettings, main

    err = io.StringIO()
    settings = CLISettings(
        disable_plugins=[NAMESPACE], config_dir=tmp_path, stdout=io.StringIO(), stderr=err
    )
    assert main(["mcp-servers", "list"], settings=settings) != 0
    assert DISTRIBUTION in err.getvalue()
