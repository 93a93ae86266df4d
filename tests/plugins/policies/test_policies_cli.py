"""``flow policies …`` through the CLI's main(), against the local platform."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import ADMIN


def test_create_list_get_update_delete(run_flow: Callable[..., Any], tmp_path: Path) -> None:
    body = tmp_path / "admin.json"
    body.write_text(json.dumps(ADMIN))
    created = run_flow("policies", "create", "--file", str(body))
    assert created.code == 0, created.err
    policy = created.json()
    assert policy["effect"] == "allow"
    from_stdin = run_flow(
        "policies",
        "create",
        "--file",
        "-",
        stdin=json.dumps({**ADMIN, "name": "second"}),
    )
    assert from_stdin.code == 0, from_stdin.err
    listed = run_flow("policies", "list", "--name", "second").json()
    assert [p["name"] for p in listed] == ["second"]
    assert run_flow("policies", "get", policy["id"]).json()["id"] == policy["id"]
    updated = run_flow(
        "policies", "update", policy["id"], "--set", "description=admins", "--if-match", "1"
    )
    assert updated.code == 0, updated.err
    assert updated.json()["version"] == 2
    stale = run_flow("policies", "update", policy["id"], "--set", "name=x", "--if-match", "1")
    assert stale.code == 1
    assert "version" in stale.err
    assert run_flow("policies", "delete", from_stdin.json()["id"], "--yes").code == 0
    assert len(run_flow("policies", "list").json()) == 1


def test_a_table_on_request(run_flow: Callable[..., Any]) -> None:
    run_flow("policies", "create", "--file", "-", stdin=json.dumps(ADMIN))
    table = run_flow("policies", "list", FLOW_OUTPUT="table")
    assert table.code == 0, table.err
    assert "policy admins" in table.out
    assert "EFFECT" in table.out.splitlines()[0]


def test_evaluate_defaults_the_principal_to_the_caller(run_flow: Callable[..., Any]) -> None:
    run_flow("policies", "create", "--file", "-", stdin=json.dumps(ADMIN))
    mine = run_flow("policies", "evaluate", "--action", "policies:read", "--resource", "policies")
    assert mine.code == 0, mine.err
    answer = mine.json()
    assert answer["allowed"] is True
    assert answer["principal"] == "user:usr_dev"
    assert answer["matched_policies"][0]["name"] == "policy admins"
    other = run_flow(
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


def test_evaluate_needs_an_action_and_a_resource(run_flow: Callable[..., Any]) -> None:
    result = run_flow("policies", "evaluate", "--resource", "x")
    assert result.code == 2
    assert "--action" in result.err


def test_a_denied_call_says_which_policy(run_flow: Callable[..., Any]) -> None:
    run_flow("policies", "create", "--file", "-", stdin=json.dumps(ADMIN))
    result = run_flow("webhooks", "list")
    assert result.code == 1
    assert "webhooks:read" in result.err
    assert "403" in result.err


def test_a_bad_body_names_the_field(run_flow: Callable[..., Any]) -> None:
    result = run_flow("policies", "create", "--set", "name=x", "--set", "effect=perhaps")
    assert result.code == 1
    assert "effect" in result.err
