"""A CLIClient built entirely by its host: chosen plugins, its own httpx client, no discovery.

    python explicit_client.py

Everything the SDK would otherwise find for itself is handed over:

- the plugins, as plugin objects (the hook modules themselves): no entry
  point is read, and no other installed plugin is imported;
- the httpx client, with the host's own timeouts and event hooks (here they
  log every request and response on stdout, which the host may do);
- the platform: an in-process local platform (flow-sdk-local) serving the
  routes of exactly those plugins, reached through its httpx transport.

Against a real platform, drop the local platform and give the httpx client
``base_url="https://…"`` and no transport.
"""

from __future__ import annotations

import httpx
import pluggy
from flow_sdk import CLIClient, FlowConfig, hookspecs
from flow_sdk_components import plugin as components_plugin
from flow_sdk_local import DEV_ORG_ID, DEV_WORKSPACE_ID, LocalPlatform, LocalTransport

PLUGINS: list[object] = [components_plugin]  # client.agents, client.code_blocks, …


def local_platform(plugins: list[object]) -> LocalPlatform:
    """An in-memory platform serving the routes of ``plugins`` (and no others)."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for plugin in plugins:
        manager.register(plugin)
    return LocalPlatform("local://memory-explicit-client", plugin_manager=manager)


def log_request(request: httpx.Request) -> None:
    print(f"-> {request.method} {request.url.path}")


def log_response(response: httpx.Response) -> None:
    print(f"<- {response.status_code} {response.request.method} {response.request.url.path}")


def main() -> None:
    platform = local_platform(PLUGINS)
    http = httpx.Client(
        base_url=platform.url,
        transport=LocalTransport(platform),
        timeout=httpx.Timeout(10.0, connect=2.0),
        event_hooks={"request": [log_request], "response": [log_response]},
    )
    config = FlowConfig(
        platform_url=platform.url,
        api_key=platform.mint_dev_key(),  # exchanged for a JWT on the first call
        org_id=DEV_ORG_ID,
        workspace_id=DEV_WORKSPACE_ID,
    )
    with CLIClient(config, http_client=http, plugins=PLUGINS) as client:
        print(f"plugins: {[info.name for info in client.plugins()]}")
        print(f"timeout: {http.timeout}")
        agent = client.agents.create(name="embedded agent")
        names = [a.name for a in client.agents.list()]
        print(f"agents: {names}")
        assert names == [agent.name]
    print(f"httpx client closed with the CLIClient: {http.is_closed}")
    platform.close()


if __name__ == "__main__":
    main()
