"""Without flow-sdk-hosted-services (disabled), the core's invoke_service says what is missing."""

from __future__ import annotations

import uuid

import pytest
from flow_sdk import CLIClient, CLINotFoundError, FlowConfig
from flow_sdk._plugins import load_plugins
from flow_sdk_local import LocalPlatform, forget_platform, register_platform


def test_a_platform_without_the_plugin_does_not_serve_services() -> None:
    url = f"local://memory-{uuid.uuid4().hex[:12]}"
    platform = LocalPlatform(
        url, plugin_manager=load_plugins(disable_plugins=["hosted_services"]).pm
    )
    register_platform(platform)
    try:
        info = platform.dev_info()
        config = FlowConfig(
            platform_url=url,
            api_key=info["api_key"],
            org_id=info["org_id"],
            workspace_id=info["workspace_id"],
        )
        with CLIClient(config) as client:
            # invoke_service is core: it still makes the request, and says what is missing.
            with pytest.raises(CLINotFoundError, match="a plugin may not be installed"):
                client.invoke_service("svc_1", "GET", "/anything")
            assert client.list_orgs()[0]["id"] == info["org_id"]
    finally:
        forget_platform(url)
