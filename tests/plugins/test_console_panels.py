"""The console is built from plugins: which installed plugin contributes which panels, and
a plugin left out contributes nothing (its pages are 404s and leave the navigation)."""

from __future__ import annotations

import pluggy
import pytest
from flow_sdk import hookspecs as core_hookspecs
from flow_sdk.plugin import installed_plugin_manager
from flow_sdk_local import LocalPlatform
from flow_sdk_local.console import COOKIE, session_value

PANELS = {
    "flow-sdk-local": {"overview", "platform"},
    "components": {"components", "runs"},
    "connectors": {"connectors"},
    "datasets": {"datasets"},
    "deployments": {"deployments"},
    "example": {"notes"},
    "experiments": {"experiments"},
    "hosted_services": {"services"},
    "mcp_servers": {"mcp"},
    "policies": {"policies"},
    "webhooks": {"webhooks"},
}
"""Each installed plugin (by its entry-point name) and the panels it adds."""


def _owners(platform: LocalPlatform) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for panel in platform.app.console.panels.values():
        owners.setdefault(panel.owner, set()).add(panel.slug)
    return owners


def test_each_plugin_contributes_its_panels() -> None:
    platform = LocalPlatform("local://memory-panels")
    try:
        assert _owners(platform) == PANELS
    finally:
        platform.close()


@pytest.mark.parametrize("left_out", sorted(set(PANELS) - {"flow-sdk-local"}))
def test_a_plugin_left_out_contributes_nothing(left_out: str) -> None:
    installed = installed_plugin_manager()
    manager = pluggy.PluginManager(core_hookspecs.PROJECT_NAME)
    manager.add_hookspecs(core_hookspecs)
    for plugin in installed.get_plugins():
        name = installed.get_name(plugin)
        if name != left_out:
            manager.register(plugin, name=name)
    platform = LocalPlatform(f"local://memory-without-{left_out}", plugin_manager=manager)
    try:
        assert _owners(platform) == {k: v for k, v in PANELS.items() if k != left_out}
        cookie = {"cookie": f"{COOKIE}={session_value(platform.admin_secret)}"}
        overview = platform.handle("GET", "/console/overview", "", cookie, b"")
        assert overview.status == 200
        for slug in PANELS[left_out]:
            assert platform.handle("GET", f"/console/{slug}", "", cookie, b"").status == 404
            assert f'href="/console/{slug}"'.encode() not in overview.body
    finally:
        platform.close()
