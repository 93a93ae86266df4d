"""Without flow-sdk-deployments (disabled), the platform does not serve its routes."""

from __future__ import annotations

import uuid

import pytest
from flow_sdk import CLIClient, CLINotFoundError, FlowConfig
from flow_sdk._plugins import load_plugins
from flow_sdk_local import LocalPlatform, forget_platform, register_platform


def test_a_platform_without_the_plugin_does_not_serve_its_routes() -> None:
    url = f"local://memory-{uuid.uuid4().hex[:12]}"
    host = load_plugins(disable_plugins=["deployments"])
    platform = LocalPlatform(url, plugin_manager=host.pm)
    register_platform(platform)
    try:
        info = platform.dev_info()
        config = dict(api_key=info["api_key"], org_id=info["org_id"])
        with CLIClient(
            FlowConfig(platform_url=url, workspace_id=info["workspace_id"], **config)
        ) as client:
            with pytest.raises(CLINotFoundError, match="a plugin may not be installed"):
                client.rings.list().to_list()
            assert client.agents.create(name="fine").version == 1
    finally:
        forget_platform(url)
