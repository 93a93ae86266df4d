"""The example plugin's namespace on AsyncCLIClient: the same code, awaited."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError
from flow_sdk_example.notes import Note

pytestmark = pytest.mark.anyio


async def test_notes_crud_async(async_flow_client: Any) -> None:
    notes = async_flow_client.notes
    note = await notes.create(title="groceries", body="milk")
    assert isinstance(note, Note)
    assert await notes.get(note.id) == note
    pinned = await notes.pin(note.id)
    assert pinned.pinned is True
    with pytest.raises(CLIConflictError):
        await notes.delete(note.id)
    await notes.unpin(note.id)
    updated = await notes.update(note.id, body="eggs", if_match=3)
    assert (updated.body, updated.version) == ("eggs", 4)
    await notes.delete(note.id, if_match=4)
    with pytest.raises(CLINotFoundError):
        await notes.get(note.id)


async def test_notes_list_async_pages_and_limits(async_flow_client: Any) -> None:
    notes = async_flow_client.notes
    await asyncio.gather(*(notes.create(title=f"n{i}") for i in range(5)))
    titles = sorted([n.title async for n in notes.list(page_size=2)])
    assert titles == ["n0", "n1", "n2", "n3", "n4"]
    assert len(await notes.list(page_size=2, limit=3).to_list()) == 3
    assert [n.title async for n in notes.list(title="n3")] == ["n3"]
