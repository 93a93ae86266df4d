"""The example plugin is a real distribution: installed, found by its entry point, lazy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import distribution, entry_points

import pytest
from flow_sdk import CLIClient, ComponentTypeNamespace, FlowConfig
from flow_sdk._plugins import FoundPlugin, clear_cache, discover
from flow_sdk.testing import RecordingTransport


def test_distribution_is_installed_with_its_entry_point() -> None:
    dist = distribution("flow-sdk-example")
    assert dist.version == "0.1.0"
    assert any(r.startswith("flow-sdk-core") for r in dist.requires or [])
    [ep] = [ep for ep in entry_points(group="flow_sdk.plugins") if ep.name == "example"]
    assert ep.value == "flow_sdk_example.plugin"


def test_discovered_through_its_entry_point() -> None:
    clear_cache()
    assert (
        FoundPlugin("example", "flow_sdk_example.plugin", "flow-sdk-example", "0.1.0") in discover()
    )


def test_a_default_client_has_the_namespace_and_the_component_type() -> None:
    client = CLIClient(
        FlowConfig(platform_url="http://flow.test", org_id="o", workspace_id="w"),
        transport=RecordingTransport({"items": []}),
        plugins=["example"],
    )
    [info] = [i for i in client.plugins() if i.name == "example"]
    assert (info.distribution, info.version, info.status) == ("flow-sdk-example", "0.1.0", "loaded")
    assert info.namespaces == ("notes", "evaluators")
    assert info.component_types == ("evaluator",)
    assert client.component_types == {"evaluator": "evaluators"}
    assert isinstance(client.evaluators, ComponentTypeNamespace)
    assert client.evaluators.type == "evaluator"
    assert {"notes", "evaluators"} <= set(dir(client))


def test_disabled_the_namespace_is_gone_and_the_core_still_works() -> None:
    transport = RecordingTransport([{"id": "org_1"}])
    client = CLIClient(
        FlowConfig(platform_url="http://flow.test"),
        transport=transport,
        disable_plugins=["flow-sdk-example"],
    )
    with pytest.raises(AttributeError, match="no attribute 'notes'"):
        _ = client.notes
    assert client.list_orgs() == [{"id": "org_1"}]
    assert [i.status for i in client.plugins() if i.name == "example"] == ["disabled"]


def test_namespace_cli_and_routes_load_only_when_used() -> None:
    code = textwrap.dedent(
        """
        import contextlib, io, sys
        from flow_sdk import CLIClient, FlowConfig
        from flow_sdk.cli import main
        mods = lambda: sorted(m[17:] for m in sys.modules if m.startswith("flow_sdk_example."))
        client = CLIClient(FlowConfig(platform_url="http://x"), plugins=["example"])
        print(mods())
        client.notes
        print(mods())
        with contextlib.redirect_stdout(io.StringIO()):
            main(["--help"])
        print(mods())
        with contextlib.redirect_stdout(io.StringIO()):
            main(["notes", "--help"])
        print(mods())
        from flow_sdk_local import LocalPlatform
        LocalPlatform("local://memory-lazy-test")
        print(mods())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines() == [
        "['plugin']",
        "['notes', 'plugin']",
        "['notes', 'plugin']",
        "['cli', 'notes', 'plugin']",
        "['cli', 'local_routes', 'notes', 'plugin']",
    ]
