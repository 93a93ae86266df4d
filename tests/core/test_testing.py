"""flow_sdk.testing: the helpers plugin authors use, tested like the rest of the core."""

from __future__ import annotations

import sys
import types

import httpx
import msgspec
import pytest
from flow_sdk import CLIClient, NamespaceSpec, PluginError, _plugins, hookimpl
from flow_sdk.testing import (
    TEST_CONFIG,
    RecordingTransport,
    SleepRecorder,
    client_with_plugins,
    fake_entry_points,
    installed_plugins,
    plugin_host,
    transport_plugin,
)


class Things:
    """A plugin object adding ``client.things``."""

    __name__ = "things_plugin"

    @hookimpl
    def flow_sdk_namespaces(self) -> list[NamespaceSpec]:
        return [NamespaceSpec("things", lambda client: ("things of", client))]


class Broken:
    __name__ = "broken_plugin"

    @hookimpl
    def flow_sdk_namespaces(self) -> list[NamespaceSpec]:
        raise RuntimeError("broken hook")


def test_fake_entry_points_for_objects_are_importable_paths() -> None:
    plugin = Things()
    [found] = fake_entry_points({"things": plugin}, distribution="acme-things", version="1.0")
    assert (found.name, found.distribution, found.version) == ("things", "acme-things", "1.0")
    assert found.value.startswith("flow_sdk.testing:_registry.")
    assert _plugins.resolve_factory(found.value) is plugin


def test_installed_plugins_replaces_discovery_and_restores_it() -> None:
    original = _plugins.discover
    with installed_plugins({"things": Things()}) as found:
        assert [p.name for p in found] == ["things"]
        assert _plugins.discover() == found
        client = CLIClient(TEST_CONFIG, transport=RecordingTransport())
        assert client.things == ("things of", client)
    assert _plugins.discover is original
    assert "things" not in [p.name for p in _plugins.discover()]


def test_installed_plugins_can_keep_the_installed_ones() -> None:
    with installed_plugins({"things": Things()}, keep_installed=True) as found:
        names = [p.name for p in found]
    assert "things" in names
    assert "example" in names  # the workspace's example plugin is installed
    assert names == sorted(names)


def test_installed_plugins_are_filtered_like_real_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOW_DISABLE_PLUGINS", "test-things")
    with installed_plugins({"things": Things()}):
        client = CLIClient(TEST_CONFIG, transport=RecordingTransport())
        assert [i.status for i in client.plugins()] == ["disabled"]


def test_plugin_host_is_strict_by_default() -> None:
    assert list(plugin_host(Things()).namespaces) == ["things"]
    with pytest.raises(PluginError, match="broken hook"):
        plugin_host(Broken())
    host = plugin_host(Broken(), strict=False)
    assert [i.status for i in host.infos] == ["failed"]


def test_plugin_host_accepts_import_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("_flow_testing_module_plugin")
    module.flow_sdk_namespaces = hookimpl(  # type: ignore[attr-defined]
        lambda: [NamespaceSpec("mod_ns", lambda c: "from a module")]
    )
    monkeypatch.setitem(sys.modules, module.__name__, module)
    assert client_with_plugins(module.__name__).mod_ns == "from a module"


def test_client_with_plugins_defaults() -> None:
    transport = RecordingTransport([])
    client = client_with_plugins(Things(), transport=transport)
    assert client.config == TEST_CONFIG
    assert client.list_orgs() == []
    assert transport.last.headers["Authorization"] == "Bearer test-access-token"
    assert client._tenant_url("x") == "/api/v1/orgs/org_test/workspaces/ws_test/x"
    client.config.workspace_id = None  # a test changing its client's config…
    assert client_with_plugins(transport=transport).config.workspace_id == "ws_test"  # …alone
    with pytest.raises(PluginError):
        client_with_plugins(Broken(), transport=transport)


def test_client_with_plugins_passes_client_options() -> None:
    sleeps = SleepRecorder()
    transport = RecordingTransport(httpx.Response(503), [])
    client = client_with_plugins(transport=transport, sleep=sleeps)
    assert client.list_orgs() == []
    assert len(sleeps.calls) == 1
    assert sleeps.total == sleeps.calls[0]


def test_transport_plugin_serves_the_static_methods() -> None:
    transport = RecordingTransport({"access_token": "jwt"})
    with installed_plugins({"double": transport_plugin(transport)}):
        assert CLIClient.exchange_api_key("http://any.test", "fl_key_0123456789") == "jwt"
    assert transport.last.url.host == "any.test"


def test_transport_plugin_prefix() -> None:
    mine = RecordingTransport([])
    plugin = transport_plugin(mine, prefix="http://mine.test")
    assert "transport_plugin(RecordingTransport)" in repr(plugin)
    config = msgspec.structs.replace(TEST_CONFIG, platform_url="http://mine.test")
    client = client_with_plugins(plugin, config=config)  # no transport: the hook answers
    assert client.list_orgs() == []
    assert plugin.flow_sdk_transport(platform_url="http://other.test") is None  # type: ignore[attr-defined]


def test_recording_transport_replies() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"path": request.url.path})

    transport = RecordingTransport({"a": 1}, None, echo, httpx.Response(418, text="teapot"))
    http = httpx.Client(base_url="http://t.test", transport=transport)
    first = http.post("/one", json={"x": 1})
    assert first.json() == {"a": 1}
    assert first.headers["Content-Type"] == "application/json"
    assert http.get("/two").status_code == 204
    assert http.get("/three").json() == {"path": "/three"}
    assert http.get("/four").status_code == 418
    assert http.get("/five").text == "teapot"  # the last reply repeats
    assert transport.json(0) == {"x": 1}
    assert [r.url.path for r in transport.requests] == ["/one", "/two", "/three", "/four", "/five"]


def test_recording_transport_defaults_and_last() -> None:
    transport = RecordingTransport()
    with pytest.raises(AssertionError, match="has not answered"):
        _ = transport.last
    http = httpx.Client(base_url="http://t.test", transport=transport)
    assert http.get("/").json() == {}
    assert transport.last.method == "GET"


def test_clear_cache_works_inside_installed_plugins() -> None:
    with installed_plugins({"things": Things()}):
        _plugins.clear_cache()
        client = CLIClient(TEST_CONFIG, transport=RecordingTransport())
        assert client.things == ("things of", client)


def test_nested_installed_plugins_restore_in_order() -> None:
    original = _plugins.discover
    with installed_plugins({"outer": Things()}):
        outer = _plugins.discover
        with installed_plugins({"inner": Things()}, keep_installed=True) as found:
            assert [p.name for p in found] == ["inner", "outer"]
        assert _plugins.discover is outer
    assert _plugins.discover is original
