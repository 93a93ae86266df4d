"""``flow notes …`` and ``flow evaluators …`` through the CLI, against the local platform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def test_notes_commands(flow_cli: Callable[..., Any]) -> None:
    created = flow_cli("notes", "create", "--set", "title=hello", "--set", "body=world", "--json")
    assert created.code == 0, created.err
    note = created.json()
    assert (note["title"], note["body"]) == ("hello", "world")

    listed = flow_cli("notes", "list", "--json")
    assert listed.code == 0, listed.err
    assert [n["id"] for n in listed.json()] == [note["id"]]

    pinned = flow_cli("notes", "pin", note["id"], "--json")
    assert pinned.code == 0, pinned.err
    assert pinned.json()["pinned"] is True

    refused = flow_cli("notes", "delete", note["id"], "--yes")
    assert refused.code == 1
    assert "unpin it" in refused.err

    assert flow_cli("notes", "unpin", note["id"]).code == 0
    assert flow_cli("notes", "delete", note["id"], "--yes").code == 0
    missing = flow_cli("notes", "get", note["id"])
    assert missing.code == 1
    assert "not found" in missing.err


def test_notes_create_from_stdin_and_filter(flow_cli: Callable[..., Any]) -> None:
    assert flow_cli("notes", "create", "--file", "-", stdin='{"title": "a"}').code == 0
    assert flow_cli("notes", "create", "--set", "title=b").code == 0
    listed = flow_cli("notes", "list", "--title", "b", "--json")
    assert [n["title"] for n in listed.json()] == ["b"]


def test_evaluators_get_commands_with_no_code(flow_cli: Callable[..., Any]) -> None:
    created = flow_cli("evaluators", "create", "--set", "name=judge", "--set", "spec.metric=f1")
    assert created.code == 0, created.err
    listed = flow_cli("evaluators", "list", "--json")
    assert [(c["name"], c["spec"]) for c in listed.json()] == [("judge", {"metric": "f1"})]


def test_help_lists_the_group(flow_cli: Callable[..., Any], capsys: Any) -> None:
    result = flow_cli("--help")
    assert result.code == 0
    shown = result.out + capsys.readouterr().out
    assert "text notes (example plugin)" in shown
    assert "evaluators" in shown
