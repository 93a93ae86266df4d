"""The test examples in CONTRIBUTING.md ("Testing a plugin") run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

CONTRIBUTING = Path(__file__).resolve().parents[2] / "CONTRIBUTING.md"


def _examples() -> dict[str, Any]:
    text = CONTRIBUTING.read_text()
    section = text[text.index("### Testing a plugin") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "the section lost its example"
    namespace: dict[str, Any] = {"pytest": pytest}
    exec(compile(code.group(1), str(CONTRIBUTING), "exec"), namespace)
    return namespace


def test_the_client_example(flow_client: Any) -> None:
    _examples()["test_notes_round_trip"](flow_client)


def test_the_cli_example(flow_cli: Any) -> None:
    _examples()["test_notes_cli"](flow_cli)


@pytest.mark.anyio
async def test_the_async_client_example(async_flow_client: Any) -> None:
    await _examples()["test_notes_async"](async_flow_client)


def _namespace_example() -> Any:
    """The NotesNamespace of "A namespace, written once for both clients", as written."""
    text = CONTRIBUTING.read_text()
    section = text[text.index("### A namespace, written once for both clients") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "the section lost its example"
    namespace: dict[str, Any] = {"__name__": "contributing_example"}
    exec(compile(code.group(1), str(CONTRIBUTING), "exec"), namespace)
    return namespace["NotesNamespace"]


def test_the_namespace_example_runs_on_the_sync_client(flow_client: Any) -> None:
    notes = flow_client.namespace(_namespace_example())
    note = notes.create(title="groceries")
    assert notes.pin(note.id).pinned is True
    assert notes.wait_until_pinned(note.id).pinned is True
    assert [n.id for n in notes.titled("groceries", page_size=1)] == [note.id]


@pytest.mark.anyio
async def test_the_namespace_example_runs_on_the_async_client(async_flow_client: Any) -> None:
    notes = async_flow_client.namespace(_namespace_example())
    note = await notes.create(title="groceries")
    assert (await notes.pin(note.id)).pinned is True
    assert (await notes.wait_until_pinned(note.id)).pinned is True
    assert [n.id async for n in notes.titled("groceries", page_size=1)] == [note.id]
