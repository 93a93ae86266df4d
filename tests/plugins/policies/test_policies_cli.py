"""``flow policies …`` through the CLI's main(), against the local platform."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import ADMIN


def test_create_list_get_update_delete(flow_cli: Callable[..., Any], tmp_path: Path) -> None:
    body = tmp_path / "admin.json"
    body.write_text(json.dumps(ADMIN))
    created = flow_cli("policies", "create", "--file", str(body))
    assert created.code == 0, created.err
    policy = created.json()
    assert policy["effect"] == "allow"
    from_stdin = flow_cli(
        "policies",
        "create",
        "--file",
        "-",
        stdin=json.dumps({**ADMIN, "name": "second"}),
    )
    assert from_stdin.code == 0, from_stdin.err
    listed = flow_cli("policies", "list", "--name", "second").json()
    assert [p["name"] for p in listed] == ["second"]
    assert flow_cli("policies", "get", policy["id"]).json()["id"] == policy["id"]
    updated = flow_cli(
        "policies", "update", policy["id"], "--set", "description=admins", "--if-match", "1"
    )
    assert updated.code == 0, updated.err
    assert updated.json()["version"] == 2
    stale = flow_cli("policies", "update", policy["id"], "--set", "name=x", "--if-match", "1")
    assert stale.code == 1
    assert "version" in stale.err
    assert flow_cli("policies", "delete", from_stdin.json()["id"], "--yes").code == 0
    assert len(flow_cli("policies", "list").json()) == 1


def test_a_table_on_request(flow_cli: Callable[..., Any]) -> None:
    flow_cli("policies", "create", "--file", "-", stdin=json.dumps(ADMIN))
    table = flow_cli("policies", "list", FLOW_OUTPUT="table")
    assert table.code == 0, table.err
    assert "policy admins" in table.out
    assert "EFFECT" in table.out.splitlines()[0]


def test_evaluate_defaults_the_principal_to_the_caller(flow_cli: Callable[..., Any]) -> None:
    flow_cli("policies", "create", "--file", "-", stdin=json.dumps(ADMIN))
    mine = flow_cli("policies", "evaluate", "--action", "policies:read", "--resource", "policies")
    assert mine.code == 0, mine.err
    answer = mine.json()
    assert answer["allowed"] is True
    assert answer["principal"] == "user:usr_dev"
    assert answer["matched_policies"][0]["name"] == "policy admins"
    other = flow_cli(
        "policies",
        "evaluate",
        "--principal",
        "user:someone",
        "--action",
        "policies:read",
        "--resource",
        "policies",
        "--exit-code",
    )
    assert other.code == 1
    assert other.json()["allowed"] is False
    assert other.json()["reason"] == "no policy allows it"


def test_evaluate_needs_an_action_and_a_resource(flow_cli: Callable[..., Any]) -> None:
    result = flow_cli("policies", "evaluate", "--resource", "x")
    assert result.code == 2
    assert "--action" in result.err


def test_a_denied_call_says_which_policy(flow_cli: Callable[..., Any]) -> None:
    flow_cli("policies", "create", "--file", "-", stdin=json.dumps(ADMIN))
    result = flow_cli("webhooks", "list")
    assert result.code == 1
    assert "webhooks:read" in result.err
    assert "403" in result.err


def test_a_bad_body_names_the_field(flow_cli: Callable[..., Any]) -> None:
    result = flow_cli("policies", "create", "--set", "name=x", "--set", "effect=perhaps")
    assert result.code == 1
    assert "effect" in result.err
