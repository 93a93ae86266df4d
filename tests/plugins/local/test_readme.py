"""plugins/local/README.md's examples, run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[3] / "plugins" / "local" / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_python_example_runs():
    from flow_sdk_local import forget_platform

    exec(compile(_blocks()[0], str(README), "exec"), {})
    forget_platform("local://memory-readme")


def test_pytest_examples_pass(flow_client, local_platform):
    namespace: dict = {}
    exec(compile(_blocks()[1], str(README), "exec"), namespace)
    namespace["test_orgs"](flow_client)
    namespace["test_rate_limits_are_retried"](local_platform)


def test_flow_installed_plugins_fixture(flow_installed_plugins):
    import types

    from flow_sdk import CLIClient, FlowConfig, NamespaceSpec, hookimpl

    plugin = types.ModuleType("fake_notes_plugin")

    @hookimpl
    def flow_sdk_namespaces():
        return [NamespaceSpec("notes_fake", lambda client: "the notes namespace")]

    plugin.flow_sdk_namespaces = flow_sdk_namespaces
    flow_installed_plugins({"fake_notes": plugin})
    with CLIClient(FlowConfig(platform_url="https://example.test")) as client:
        assert client.notes_fake == "the notes namespace"
        assert [p.name for p in client.plugins()] == ["fake_notes"]


def test_flow_cli_example_passes(flow_cli):
    namespace: dict = {}
    exec(compile(_blocks()[2], str(README), "exec"), namespace)
    namespace["test_orgs_from_the_command_line"](flow_cli)
