"""The plugin system: discovery, filtering before import, loading, errors, collisions."""

from __future__ import annotations

import itertools
import logging
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from flow_sdk import (
    CLIClient,
    ComponentTypeNamespace,
    ComponentTypeSpec,
    FlowConfig,
    Namespace,
    NamespaceSpec,
    PluginError,
    _plugins,
    hookimpl,
)
from flow_sdk._plugins import FoundPlugin, load_plugins
from flow_sdk.testing import (
    RecordingTransport,
    client_with_plugins,
    fake_entry_points,
    installed_plugins,
    plugin_host,
)

_ids = itertools.count()


@pytest.fixture
def make_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Write a uniquely named module on sys.path; returns its import name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    written: list[str] = []

    def make(source: str, stem: str = "plugin") -> str:
        name = f"_flow_test_{stem}_{next(_ids)}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        written.append(name)
        return name

    yield make
    for name in written:
        sys.modules.pop(name, None)


NOTES_PLUGIN = """
from flow_sdk import NamespaceSpec, hookimpl

@hookimpl
def flow_sdk_namespaces():
    return [NamespaceSpec("{attr}", "{target}")]
"""

NAMESPACE_MODULE = """
from flow_sdk import Namespace

class Notes(Namespace):
    def hello(self):
        return "hello"
"""


def notes_plugin(make_module: Callable[..., str], attr: str = "notes") -> tuple[str, str]:
    """A plugin module and the (not yet imported) namespace module it names."""
    impl = make_module(NAMESPACE_MODULE, "ns")
    plugin = make_module(NOTES_PLUGIN.format(attr=attr, target=f"{impl}:Notes"))
    return plugin, impl


def config() -> FlowConfig:
    return FlowConfig(platform_url="http://flow.test", org_id="o", workspace_id="w")


def client(**kwargs: Any) -> CLIClient:
    return CLIClient(config(), transport=RecordingTransport({}), **kwargs)


# discovery and filtering


def test_discover_reads_the_entry_point_group_once() -> None:
    _plugins.clear_cache()
    found = _plugins.discover()
    assert found is _plugins.discover()
    example = [p for p in found if p.name == "example"]
    assert example == [
        FoundPlugin("example", "flow_sdk_example.plugin", "flow-sdk-example", "0.1.0")
    ]
    assert [p.name for p in found] == sorted(p.name for p in found)


def test_disallowed_plugin_is_never_imported(
    make_module: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good, _ = notes_plugin(make_module)
    bad = make_module("raise RuntimeError('must not be imported')", "bad")
    with installed_plugins({"good": good, "bad": bad}):
        monkeypatch.setenv("FLOW_PLUGINS", "good")
        c = client()
        assert bad not in sys.modules
        assert good in sys.modules
        assert [(i.name, i.status) for i in c.plugins()] == [
            ("bad", "disabled"),
            ("good", "loaded"),
        ]
        assert c.plugin_errors == []


def test_deny_list_from_the_environment(
    make_module: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good, _ = notes_plugin(make_module)
    bad = make_module("raise RuntimeError('must not be imported')", "bad")
    with installed_plugins({"good": good, "bad": bad}):
        monkeypatch.setenv("FLOW_DISABLE_PLUGINS", " bad , other")
        c = client()
        assert bad not in sys.modules
        assert c.notes.hello() == "hello"


def test_empty_allow_list_loads_none(
    make_module: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good, _ = notes_plugin(make_module)
    with installed_plugins({"good": good}):
        monkeypatch.setenv("FLOW_PLUGINS", "")
        c = client()
        assert good not in sys.modules
        assert [i.status for i in c.plugins()] == ["disabled"]


def test_constructor_lists_override_the_environment(
    make_module: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, _ = notes_plugin(make_module, "one")
    two, _ = notes_plugin(make_module, "two")
    with installed_plugins({"one": one, "two": two}):
        monkeypatch.setenv("FLOW_PLUGINS", "one")
        c = client(plugins=["one", "two"], disable_plugins=["one"])
        assert one not in sys.modules
        assert [(i.name, i.status) for i in c.plugins()] == [
            ("one", "disabled"),
            ("two", "loaded"),
        ]


def test_filters_match_distribution_names(make_module: Callable[..., str]) -> None:
    good, _ = notes_plugin(make_module)
    found = [FoundPlugin("short", good, "acme-flow-notes", "1.2.3")]
    with installed_plugins(found):
        assert client(plugins=["acme-flow-notes"]).plugins()[0].status == "loaded"
        assert client(disable_plugins=["acme-flow-notes"]).plugins()[0].status == "disabled"


def test_plugin_objects_are_used_without_an_entry_point_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_scan(group: str = "") -> Any:
        raise AssertionError("entry points were scanned")

    monkeypatch.setattr(_plugins, "discover", no_scan)

    class Plugin:
        __name__ = "inline"

        @hookimpl
        def flow_sdk_namespaces(self) -> list[NamespaceSpec]:
            return [NamespaceSpec("inline_ns", lambda c: ("built for", c))]

    c = client(plugins=[Plugin()])
    assert c.inline_ns == ("built for", c)
    assert [(i.name, i.distribution, i.status) for i in c.plugins()] == [("inline", None, "loaded")]


def test_names_and_objects_cannot_be_mixed() -> None:
    with pytest.raises(PluginError, match="not both"):
        load_plugins([ModuleType("m"), "name"])


def test_hosts_built_from_entry_points_are_cached(make_module: Callable[..., str]) -> None:
    good, _ = notes_plugin(make_module)
    with installed_plugins({"good": good}):
        assert load_plugins() is load_plugins()
        assert load_plugins() is not load_plugins(disable_plugins=["good"])


# lazy namespaces


def test_namespace_code_is_imported_on_first_use(make_module: Callable[..., str]) -> None:
    plugin, impl = notes_plugin(make_module)
    with installed_plugins({"notes": plugin}):
        c = client()
        assert plugin in sys.modules
        assert impl not in sys.modules
        assert "notes" in dir(c)
        assert impl not in sys.modules
        notes = c.notes
        assert impl in sys.modules
        assert isinstance(notes, Namespace)
        assert c.notes is notes
        assert notes._owner is c


def test_namespace_that_fails_to_import_raises_plugin_error(
    make_module: Callable[..., str],
) -> None:
    broken = make_module("raise ImportError('missing dependency foo')", "impl")
    plugin = make_module(NOTES_PLUGIN.format(attr="notes", target=f"{broken}:Notes"))
    with installed_plugins({"notes": plugin}):
        c = client()
        with pytest.raises(PluginError) as info:
            _ = c.notes
    assert "missing dependency foo" in info.value.message
    assert "test-notes" in info.value.message
    assert info.value.hint == "reinstall test-notes"


# broken plugins


def test_broken_plugin_is_reported_not_fatal(
    make_module: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    good, _ = notes_plugin(make_module)
    bad = make_module("raise RuntimeError('boom at import')", "bad")
    caplog.set_level(logging.WARNING, logger="flow_sdk")
    with installed_plugins({"good": good, "bad": bad}):
        c = client()
    assert c.notes.hello() == "hello"
    [error] = c.plugin_errors
    assert isinstance(error, PluginError)
    assert "plugin 'bad' from test-bad could not be loaded" in error.message
    assert "RuntimeError: boom at import" in error.message
    assert "FLOW_DISABLE_PLUGINS=bad" in (error.hint or "")
    info = {i.name: i for i in c.plugins()}["bad"]
    assert info.status == "failed"
    assert info.error == "RuntimeError: boom at import"
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [str(error)]


def test_failing_hook_is_reported(make_module: Callable[..., str]) -> None:
    bad = make_module(
        """
        from flow_sdk import hookimpl

        @hookimpl
        def flow_sdk_namespaces():
            raise ValueError("hook broke")
        """
    )
    with installed_plugins({"bad": bad}):
        c = client()
    [error] = c.plugin_errors
    assert "its hooks failed" in error.message
    assert "hook broke" in error.message
    assert c.plugins()[0].status == "failed"


@pytest.mark.parametrize("how", ["env", "argument"])
def test_strict_mode_raises_at_once(
    make_module: Callable[..., str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    bad = make_module("raise RuntimeError('boom')", "bad")
    with installed_plugins({"bad": bad}):
        if how == "env":
            monkeypatch.setenv("FLOW_STRICT_PLUGINS", "1")
            kwargs: dict[str, Any] = {}
        else:
            kwargs = {"strict_plugins": True}
        with pytest.raises(PluginError, match="boom"):
            client(**kwargs)


def test_strict_off_values(
    make_module: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = make_module("raise RuntimeError('boom')", "bad")
    with installed_plugins({"bad": bad}):
        for value in ("0", "false", "no", ""):
            monkeypatch.setenv("FLOW_STRICT_PLUGINS", value)
            assert len(client().plugin_errors) == 1


def test_broken_first_party_plugin_names_its_distribution(make_module: Callable[..., str]) -> None:
    bad = make_module("raise ImportError('no module named sqlglot')", "bad")
    found = [FoundPlugin("datasets", bad, "flow-sdk-datasets", "0.1.0")]
    with installed_plugins(found):
        c = client()
    with pytest.raises(PluginError) as info:
        _ = c.datasets
    assert "namespace 'datasets' is unavailable" in info.value.message
    assert "flow-sdk-datasets failed to load" in info.value.message
    assert "pip install --force-reinstall flow-sdk-datasets" in (info.value.hint or "")


# collisions


def test_two_distributions_claiming_one_name(make_module: Callable[..., str]) -> None:
    one, _ = notes_plugin(make_module)
    two, _ = notes_plugin(make_module)
    found = [
        FoundPlugin("alpha", one, "acme-alpha", "1.0"),
        FoundPlugin("beta", two, "acme-beta", "2.0"),
    ]
    with installed_plugins(found):
        c = client()
        [error] = c.plugin_errors
        assert "namespace 'notes' is claimed by both acme-alpha and acme-beta" in error.message
        assert "FLOW_DISABLE_PLUGINS=beta" in (error.hint or "")
        with pytest.raises(PluginError, match="claimed by both"):
            _ = c.notes
        with pytest.raises(PluginError, match="acme-alpha and acme-beta"):
            client(strict_plugins=True)
        # Disabling one of them resolves it.
        assert client(disable_plugins=["beta"]).notes.hello() == "hello"


@pytest.mark.parametrize("attr", ["list_orgs", "config", "plugins", "close"])
def test_a_namespace_cannot_shadow_a_client_attribute(
    make_module: Callable[..., str], attr: str
) -> None:
    plugin, _ = notes_plugin(make_module, attr)
    with installed_plugins({"evil": plugin}):
        c = client()
        [error] = c.plugin_errors
        assert f"which would shadow CLIClient.{attr}" in error.message
        assert "test-evil" in error.message
        assert not isinstance(getattr(c, attr), Namespace)
        with pytest.raises(PluginError, match="shadow"):
            client(strict_plugins=True)


# missing namespaces


def test_uninstalled_first_party_namespace_names_its_distribution() -> None:
    c = client(plugins=[])
    with pytest.raises(AttributeError) as info:
        _ = c.datasets
    assert "pip install flow-sdk-datasets" in str(info.value)
    with pytest.raises(AttributeError, match="pip install flow-sdk-components"):
        _ = c.code_blocks


def test_unknown_attribute_is_a_plain_attribute_error() -> None:
    c = client(plugins=[])
    with pytest.raises(AttributeError, match="'CLIClient' object has no attribute 'nope'"):
        _ = c.nope
    with pytest.raises(AttributeError):
        _ = c._private
    assert not hasattr(c, "datasets")


# what plugins provide


def test_component_types_get_a_namespace_with_no_other_code() -> None:
    class Plugin:
        __name__ = "types"

        @hookimpl
        def flow_sdk_component_types(self) -> list[ComponentTypeSpec]:
            return [ComponentTypeSpec("evaluator", "evaluators", summary="scores")]

    transport = RecordingTransport({"items": []})
    c = CLIClient(config(), transport=transport, plugins=[Plugin()])
    assert isinstance(c.evaluators, ComponentTypeNamespace)
    assert c.evaluators.type == "evaluator"
    assert c.component_types == {"evaluator": "evaluators"}
    c.evaluators.list().to_list()
    assert transport.last.url.path == "/api/v1/orgs/o/workspaces/w/components/evaluator"
    [info] = c.plugins()
    assert info.namespaces == ("evaluators",)
    assert info.component_types == ("evaluator",)
    assert ComponentTypeSpec("code_block", "code_blocks").command == "code-blocks"


def test_component_type_with_a_specialised_factory() -> None:
    class Special(ComponentTypeNamespace):
        component_type = "grader"

    class Plugin:
        __name__ = "special"

        @hookimpl
        def flow_sdk_component_types(self) -> list[ComponentTypeSpec]:
            return [ComponentTypeSpec("grader", "graders", factory=Special)]

    assert type(client(plugins=[Plugin()]).graders) is Special


def test_plugins_fields(make_module: Callable[..., str]) -> None:
    plugin, _ = notes_plugin(make_module)
    with installed_plugins([FoundPlugin("notes", plugin, "acme-notes", "3.1.4")]):
        [info] = client().plugins()
    assert info.name == "notes"
    assert info.distribution == "acme-notes"
    assert info.version == "3.1.4"
    assert info.status == "loaded"
    assert info.error is None
    assert info.namespaces == ("notes",)
    assert info.component_types == ()


def test_client_created_hook_receives_the_client() -> None:
    seen: list[CLIClient] = []

    class Plugin:
        __name__ = "watcher"

        @hookimpl
        def flow_sdk_client_created(self, client: CLIClient) -> None:
            seen.append(client)

    c = client(plugins=[Plugin()])
    assert seen == [c]


def test_transport_hook_supplies_the_client_transport() -> None:
    asked: list[tuple[str, Any]] = []
    answer = RecordingTransport([{"id": "org_1"}])

    class Declines:
        __name__ = "declines"

        @hookimpl
        def flow_sdk_transport(self, platform_url: str) -> None:
            asked.append(("declines", platform_url))

    class Answers:
        __name__ = "answers"

        @hookimpl
        def flow_sdk_transport(self, platform_url: str, plugin_manager: Any) -> Any:
            asked.append(("answers", plugin_manager))
            return answer

    c = CLIClient(FlowConfig(platform_url="local://test/"), plugins=[Answers(), Declines()])
    assert c.list_orgs() == [{"id": "org_1"}]
    assert str(answer.last.url) == "local://test/api/v1/tenants/orgs"
    assert ("declines", "local://test") in asked
    assert ("answers", c._plugin_host.pm) in asked


def test_an_explicit_transport_wins_over_the_hook() -> None:
    class Answers:
        __name__ = "answers"

        @hookimpl
        def flow_sdk_transport(self, platform_url: str) -> Any:
            raise AssertionError("not asked")

    mine = RecordingTransport([])
    CLIClient(config(), transport=mine, plugins=[Answers()]).list_orgs()
    assert len(mine.requests) == 1


# import flow_sdk stays plugin-free


def test_import_flow_sdk_imports_no_plugin() -> None:
    code = textwrap.dedent(
        """
        import sys
        import flow_sdk
        from flow_sdk.cli_client import CLIClient
        loaded = sorted(
            name for name in sys.modules
            if name.startswith("flow_sdk_") or name in ("flow_sdk.testing", "flow_sdk.cli")
        )
        print(",".join(loaded))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_testing_helpers_build_what_the_core_builds() -> None:
    class Plugin:
        __name__ = "helper"

        @hookimpl
        def flow_sdk_namespaces(self) -> list[NamespaceSpec]:
            return [NamespaceSpec("things", lambda c: "things")]

    host = plugin_host(Plugin())
    assert list(host.namespaces) == ["things"]
    assert client_with_plugins(Plugin()).things == "things"
    [found] = fake_entry_points({"x": "some.module"})
    assert found == FoundPlugin("x", "some.module", "test-x", "0.0.0")
    assert httpx  # the module is used by the fixtures above
