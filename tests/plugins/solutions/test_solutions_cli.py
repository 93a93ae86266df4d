"""``flow solutions …`` through the CLI's main(), and the core without the plugin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flow_sdk import CLIClient


@pytest.fixture
def solution_id(local_platform: Any, flow_cli: Callable[..., Any]) -> str:
    client = local_platform.client()
    agent = client.create_component("agent", {"name": "planner", "spec": {"k": 1}})
    refs = json.dumps([{"type": "agent", "id": agent["id"]}])
    created = flow_cli("solutions", "create", "--set", "name=helpdesk", f"--set=components={refs}")
    assert created.code == 0, created.err
    return str(created.json()["id"])


def test_create_list_get_update_delete(flow_cli: Callable[..., Any], solution_id: str) -> None:
    assert [s["id"] for s in flow_cli("solutions", "list").json()] == [solution_id]
    got = flow_cli("solutions", "get", solution_id).json()
    assert (got["name"], got["components"][0]["type"]) == ("helpdesk", "agent")
    updated = flow_cli("solutions", "update", solution_id, "--set", "description=d")
    assert updated.json()["version"] == 2
    stale = flow_cli("solutions", "delete", solution_id, "--yes", "--if-match", "1")
    assert stale.code == 1
    assert flow_cli("solutions", "delete", solution_id, "--yes", "--if-match", "2").code == 0
    assert flow_cli("solutions", "get", solution_id).code == 1


def test_export_to_stdout_then_import_from_stdin(
    flow_cli: Callable[..., Any], solution_id: str
) -> None:
    exported = flow_cli("solutions", "export", solution_id)
    assert exported.code == 0, exported.err
    bundle = exported.json()
    assert bundle["format"] == "flow-solution-bundle"
    imported = flow_cli("solutions", "import", "-", "--name", "copy", stdin=exported.out)
    assert imported.code == 0, imported.err
    result = imported.json()
    assert result["solution"]["name"] == "copy"
    assert result["components"][0]["source_id"] == bundle["components"][0]["id"]
    assert len(flow_cli("solutions", "list").json()) == 2


def test_export_to_a_file_then_import_it(
    flow_cli: Callable[..., Any], solution_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "helpdesk.json"
    exported = flow_cli("solutions", "export", solution_id, "--output", str(path))
    assert exported.code == 0, exported.err
    assert exported.json() == {"id": solution_id, "path": str(path)}
    assert json.loads(path.read_text())["solution"]["id"] == solution_id
    imported = flow_cli("solutions", "import", str(path), "--idempotency-key", "k")
    again = flow_cli("solutions", "import", str(path), "--idempotency-key", "k")
    assert imported.json()["solution"]["id"] == again.json()["solution"]["id"]


def test_a_newer_bundle_is_refused_with_what_to_do(
    flow_cli: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "future.json"
    path.write_text(json.dumps({"format": "flow-solution-bundle", "format_version": 99}))
    result = flow_cli("solutions", "import", str(path))
    assert result.code == 1
    assert "format version 99" in result.err
    assert "pip install -U flow-sdk-solutions" in result.err


def test_the_help_lists_the_verbs(
    flow_cli: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    result = flow_cli("solutions", "--help")
    shown = result.out + capsys.readouterr().out
    assert result.code == 0
    for verb in ("list", "get", "create", "update", "delete", "export", "import"):
        assert f"    {verb} " in shown


def test_the_openapi_document_describes_the_routes(flow_client: CLIClient) -> None:
    document = flow_client._client.request_json("GET", "/openapi.json")
    tenant = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}"
    assert "post" in document["paths"][f"{tenant}/solutions/{{id}}/export"]
    assert "post" in document["paths"][f"{tenant}/solutions/import"]
    schemas = document["components"]["schemas"]
    assert {"SolutionOut", "SolutionBundle", "ImportResultOut"} <= set(schemas)
