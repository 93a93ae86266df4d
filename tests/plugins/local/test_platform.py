"""Platform URLs, where their files live, one instance per URL, and the transport hook."""

from __future__ import annotations

from pathlib import Path

import pytest
from flow_sdk import CLIClient, CLIClientError, FlowConfig
from flow_sdk_local import LocalPlatform, database_path, forget_platform, platform_for
from flow_sdk_local._platform import data_dir


def test_memory_urls_have_no_file():
    assert database_path("local://memory") is None
    assert database_path("local://memory-abc") is None


def test_file_locations_in_order_of_precedence(tmp_path: Path):
    assert (
        database_path("local://dev", {"FLOW_DATA_DIR": str(tmp_path)}) == tmp_path / "dev.sqlite3"
    )
    xdg = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert database_path("local://dev", xdg) == tmp_path / "xdg" / "flow" / "local" / "dev.sqlite3"
    assert data_dir({}) == Path.home() / ".local" / "share" / "flow" / "local"


@pytest.mark.parametrize(
    "url", ["local://", "local://a/b", "local://../x", "http://x", "local://a b"]
)
def test_bad_urls_are_explained(url):
    with pytest.raises(CLIClientError) as err:
        database_path(url)
    assert "local://" in str(err.value)


def test_one_platform_per_url_and_memory_platforms_are_fresh(flow_config_dir):
    a = platform_for("local://memory-same")
    assert platform_for("local://memory-same") is a
    assert platform_for("local://memory-other") is not a
    with a.store.transaction() as tx:
        tx.insert("thing", "", "x", {})
    fresh = LocalPlatform("local://memory-same")
    with fresh.store.transaction() as tx:
        assert tx.get("thing", "", "x") is None
    for url in ("local://memory-same", "local://memory-other"):
        forget_platform(url)
    assert platform_for("local://memory-same") is not a
    forget_platform("local://memory-same")


def test_file_platform_keeps_state_across_instances(flow_config_dir):
    first = LocalPlatform("local://keep")
    key = first.dev_api_key
    assert key is not None
    first.close()
    second = LocalPlatform("local://keep")
    assert second.dev_api_key is None  # seeded already; the key was shown once
    assert second.path == Path(flow_config_dir.parent / "flow-data" / "keep.sqlite3")
    with CLIClient(FlowConfig(platform_url="local://keep", api_key=key)) as client:
        assert client.verify_credentials()
    forget_platform("local://keep")
    second.close()


def test_the_transport_hook_serves_local_urls_only(flow_config_dir):
    from flow_sdk_local import plugin

    assert (
        plugin.flow_sdk_transport(platform_url="https://example.test", plugin_manager=None) is None
    )
    transport = plugin.flow_sdk_transport(platform_url="local://memory-hook", plugin_manager=None)
    assert type(transport).__name__ == "LocalTransport"
    assert transport.platform is platform_for("local://memory-hook")
    forget_platform("local://memory-hook")


def test_default_url_works_with_no_configuration(flow_config_dir):
    config = FlowConfig()
    assert config.platform_url == "local://default"
    key = platform_for("local://default").mint_dev_key()
    with CLIClient(FlowConfig(api_key=key)) as client:
        assert client.get_current_user()["id"] == "usr_dev"
    assert (flow_config_dir.parent / "flow-data" / "default.sqlite3").exists()
    forget_platform("local://default")


def test_reset_seeds_a_fresh_dev_tenant(local_platform):
    client = local_platform.client()
    client._call("POST", "/api/v1/tenants/orgs", json={"name": "gone"})
    old_key = local_platform.api_key
    info = local_platform.reset()
    assert info["org_id"] == "org_dev"
    assert info["api_key"] != old_key
    assert [o["id"] for o in local_platform.client().list_orgs()] == ["org_dev"]


def test_health_and_dev_endpoints(local_platform):
    http = local_platform.http(authenticated=False)
    health = http.get("/_local/health").json()
    assert health["status"] == "ok"
    assert health["url"] == local_platform.platform.url
    assert health["routes"] == len(local_platform.platform.app.routes)
    assert http.get("/_local/dev").json() == {
        "user_id": "usr_dev",
        "org_id": "org_dev",
        "workspace_id": "ws_dev",
        "api_key": None,
    }
    minted = http.post("/_local/dev-key").json()["api_key"]
    assert CLIClient.exchange_api_key(local_platform.url, minted)


def test_route_hook_failure_is_logged_not_fatal(caplog, monkeypatch):
    import types

    from flow_sdk import hookimpl

    broken = types.ModuleType("broken_routes")

    @hookimpl
    def flow_sdk_local_routes(app):
        raise RuntimeError("route bug")

    broken.flow_sdk_local_routes = flow_sdk_local_routes
    monkeypatch.delenv("FLOW_STRICT_PLUGINS", raising=False)
    platform = LocalPlatform("local://memory-broken", plugins=[broken])
    assert "failed to add its routes" in caplog.text
    assert platform.handle("GET", "/_local/health", "", {}, b"").status == 200
    monkeypatch.setenv("FLOW_STRICT_PLUGINS", "1")
    with pytest.raises(RuntimeError, match="route bug"):
        LocalPlatform("local://memory-broken-strict", plugins=[broken])


def test_building_a_client_touches_no_file(flow_config_dir):
    data = flow_config_dir.parent / "flow-data"
    client = CLIClient(FlowConfig(platform_url="local://lazy"))
    assert not (data / "lazy.sqlite3").exists()
    with pytest.raises(Exception, match="401"):
        client.list_orgs()
    assert (data / "lazy.sqlite3").exists()
    client.close()
    forget_platform("local://lazy")


def test_a_bad_local_name_fails_when_the_client_is_built(flow_config_dir):
    with pytest.raises(CLIClientError, match="invalid local platform name") as err:
        CLIClient(FlowConfig(platform_url="local://bad name"))
    assert "local://default" in err.value.hint
