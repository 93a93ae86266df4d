"""The example plugin end to end through the local platform, in-process and over the socket."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import (
    CLIConflictError,
    CLINotFoundError,
    CLIValidationError,
    Component,
    ComponentVersion,
)
from flow_sdk_example.notes import Note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_notes_crud(flow_client: Any) -> None:
    notes = flow_client.notes
    note = notes.create(title="groceries", body="milk")
    assert isinstance(note, Note)
    assert note.id.startswith("note_")
    assert (note.title, note.body, note.pinned, note.version) == ("groceries", "milk", False, 1)
    assert notes.get(note.id) == note
    updated = notes.update(note.id, body="milk, eggs", if_match=1)
    assert (updated.body, updated.version) == ("milk, eggs", 2)
    assert updated.title == "groceries"
    notes.delete(note.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        notes.get(note.id)


def test_list_pages_lazily_and_filters(flow_client: Any, local_platform: Any) -> None:
    notes = flow_client.notes
    for i in range(5):
        notes.create(title=f"n{i}" if i != 3 else "special")
    assert [n.title for n in notes.list(page_size=2)] == ["n0", "n1", "n2", "special", "n4"]
    assert [n.title for n in notes.list(page_size=2, limit=3)] == ["n0", "n1", "n2"]
    assert [n.title for n in notes.list(title="special")] == ["special"]
    assert notes.list(title="nothing").first() is None


def test_errors(flow_client: Any) -> None:
    notes = flow_client.notes
    with pytest.raises(CLIValidationError) as info:
        notes.create(title="   ")
    assert "give the note a title" in info.value.message
    with pytest.raises(CLIValidationError):
        notes.create(title="x", colour="red")
    with pytest.raises(CLINotFoundError):
        notes.get("note_missing")
    note = notes.create(title="x")
    notes.update(note.id, title="y")
    with pytest.raises(CLIConflictError):
        notes.update(note.id, title="z", if_match=1)
    with pytest.raises(CLIConflictError):
        notes.delete(note.id, if_match=1)


def test_a_pinned_note_cannot_be_deleted(flow_client: Any) -> None:
    notes = flow_client.notes
    note = notes.create(title="keep")
    assert notes.pin(note.id).pinned is True
    with pytest.raises(CLIConflictError) as info:
        notes.delete(note.id)
    assert "unpin it" in info.value.message
    assert notes.unpin(note.id).pinned is False
    notes.delete(note.id)
    with pytest.raises(CLINotFoundError):
        notes.pin(note.id)


def test_create_is_idempotent(flow_client: Any) -> None:
    notes = flow_client.notes
    first = notes.create(title="once", idempotency_key="note-key-1")
    again = notes.create(title="once", idempotency_key="note-key-1")
    assert again.id == first.id
    assert len(notes.list().to_list()) == 1


def test_tenants_are_isolated(flow_client: Any, local_platform: Any) -> None:
    note = flow_client.notes.create(title="mine")
    other = local_platform.create_tenant("Elsewhere")
    stranger = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    assert stranger.notes.list().to_list() == []
    with pytest.raises(CLINotFoundError):
        stranger.notes.get(note.id)
    with pytest.raises(CLINotFoundError):
        stranger.notes.delete(note.id)
    assert flow_client.notes.get(note.id).title == "mine"


def test_the_evaluator_component_type(flow_client: Any) -> None:
    evaluators = flow_client.evaluators
    judge = evaluators.create(name="judge", description="scores answers", spec={"metric": "f1"})
    assert isinstance(judge, Component)
    assert (judge.type, judge.name, judge.spec) == ("evaluator", "judge", {"metric": "f1"})
    assert evaluators.get(judge.id) == judge
    evaluators.update(judge.id, spec={"metric": "bleu"}, if_match=1)
    assert [v.version for v in evaluators.versions(judge.id)] == [1, 2]
    assert isinstance(evaluators.versions(judge.id)[0], ComponentVersion)
    assert [c.name for c in evaluators.list(name="judge")] == ["judge"]
    with pytest.raises(CLIConflictError):
        evaluators.update(judge.id, name="late", if_match=1)
    # The reference's create_component reaches the same catalog.
    raw = flow_client.create_component("evaluator", {"name": "raw"})
    assert raw["type"] == "evaluator"
    assert {c.name for c in evaluators.list()} == {"judge", "raw"}
    evaluators.delete(judge.id)
    with pytest.raises(CLINotFoundError):
        evaluators.get(judge.id)


# NUL is left out: flow-sdk-local's list filters compare through SQLite's json_extract,
# which cuts text at a NUL, so ?title=%00 finds nothing (reported to the local platform).
text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=text.filter(lambda t: t.strip() != ""), body=text)
def test_any_text_round_trips(flow_client_inprocess: Any, title: str, body: str) -> None:
    notes = flow_client_inprocess.notes
    note = notes.create(title=title, body=body)
    assert (note.title, note.body) == (title, body)
    fetched = notes.get(note.id)
    assert (fetched.title, fetched.body) == (title, body)
    assert [n.id for n in notes.list(title=title)][-1] == note.id
