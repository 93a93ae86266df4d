"""The MCP client package stays optional (shared wiring: tests/plugins/test_wiring.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flow_sdk import CLIClient

PACKAGE = "flow_sdk_mcp_servers"


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
