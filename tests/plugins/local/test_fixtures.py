"""The pytest fixtures themselves: both modes reach a working, fresh platform."""

from __future__ import annotations

import os
from pathlib import Path

from flow_sdk import CLIClient


def test_flow_client_runs_both_ways(flow_client: CLIClient, local_platform, flow_transport_mode):
    assert local_platform.mode == flow_transport_mode
    if flow_transport_mode == "socket":
        assert local_platform.url.startswith("http://127.0.0.1:")
    else:
        assert local_platform.url.startswith("local://memory-")
    assert flow_client.list_orgs() == [{"id": "org_dev", "name": "Development", "slug": "dev"}]
    assert flow_client.config.org_id == local_platform.org_id == "org_dev"
    assert flow_client.config.workspace_id == local_platform.workspace_id == "ws_dev"


def test_socket_platform_is_reset_between_tests_part_one(flow_client, local_platform):
    flow_client._call("POST", "/api/v1/tenants/orgs", json={"name": "Leftover"})
    assert len(flow_client.list_orgs()) == 2


def test_socket_platform_is_reset_between_tests_part_two(flow_client, local_platform):
    assert [o["id"] for o in flow_client.list_orgs()] == ["org_dev"]


def test_inprocess_client_has_no_socket(flow_client_inprocess, local_platform):
    assert local_platform.mode == "inprocess"
    assert type(flow_client_inprocess._http._transport).__name__ == "LocalTransport"
    assert flow_client_inprocess.verify_credentials() is True


def test_each_local_platform_is_fresh(local_platform):
    assert local_platform.api_key.startswith("fl_")
    with local_platform.store.transaction() as tx:
        assert tx.list("cli_login", "") == []


def test_flow_config_dir_isolates_home(flow_config_dir: Path):
    assert os.environ["FLOW_CONFIG_DIR"] == str(flow_config_dir)
    assert Path(os.environ["FLOW_DATA_DIR"]).is_dir()
    assert "FLOW_API_KEY" not in os.environ
    assert not str(flow_config_dir).startswith(str(Path.home() / ".config"))


def test_session_environment_points_away_from_home():
    home = str(Path.home())
    for name in ("FLOW_CONFIG_DIR", "FLOW_DATA_DIR"):
        assert not os.environ[name].startswith(os.path.join(home, ".")), name


def test_flow_cli_runs_flow_as_the_dev_user(flow_cli, local_platform, flow_transport_mode):
    listed = flow_cli("orgs", "list")
    assert (listed.code, listed.err) == (0, "")
    assert [org["id"] for org in listed.json()] == ["org_dev"]
    status = flow_cli("auth", "status").json()
    assert (status["platform_url"]["value"], status["org_id"]["value"]) == (
        local_platform.url,
        "org_dev",
    )


def test_flow_cli_reads_stdin_and_takes_extra_variables(flow_cli):
    created = flow_cli(
        "api", "POST", "/api/v1/tenants/orgs", "--data", "-", stdin='{"name": "Two"}'
    )
    assert (created.code, created.json()["name"]) == (0, "Two"), created.err
    table = flow_cli("orgs", "list", FLOW_OUTPUT="table")
    assert table.code == 0
    assert "Two" in table.out
    assert not table.out.lstrip().startswith("[")
    flow_cli.environ["FLOW_OUTPUT"] = "table"
    assert flow_cli("orgs", "list").out == table.out


def test_flow_cli_uses_the_config_dir_and_survives_a_reset(
    flow_cli, local_platform, flow_config_dir
):
    assert flow_cli("orgs", "use", "org_dev").code == 0
    assert any(flow_config_dir.iterdir())
    local_platform.reset()  # a new dev key
    assert flow_cli("orgs", "list").code == 0
    failed = flow_cli("orgs", "list", FLOW_API_KEY="fl_wrong")
    assert failed.code != 0
    assert failed.out == ""


def test_a_flow_cli_run_unpacks_as_code_out_err(flow_cli):
    code, out, err = flow_cli("orgs", "list", "--nonsense")
    assert code == 2
    assert out == ""
    assert "--nonsense" in err
