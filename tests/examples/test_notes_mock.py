"""The notes namespace against a mock platform (flow_sdk.testing): exact requests."""

from __future__ import annotations

import json

import flow_sdk_example.plugin
import httpx
from flow_sdk.testing import RecordingTransport, client_with_plugins
from flow_sdk_example.notes import Note

TENANT = "/api/v1/orgs/org_test/workspaces/ws_test"
NOTE = {"id": "note_1", "title": "hi", "body": "", "pinned": False, "version": 1}


def test_requests_and_typed_results() -> None:
    transport = RecordingTransport(
        httpx.Response(201, json=NOTE),
        {"items": [NOTE], "next_cursor": None},
        {**NOTE, "pinned": True, "version": 2},
        None,
    )
    notes = client_with_plugins(flow_sdk_example.plugin, transport=transport).notes
    assert notes.create(title="hi") == Note(id="note_1", title="hi")
    assert transport.last.method == "POST"
    assert transport.last.url.path == f"{TENANT}/notes"
    assert json.loads(transport.last.content) == {"title": "hi"}
    assert transport.last.headers["Idempotency-Key"]
    assert [n.id for n in notes.list(title="hi")] == ["note_1"]
    assert dict(transport.last.url.params) == {"title": "hi", "limit": "50"}
    assert notes.pin("note/1").pinned is True
    assert transport.last.url.raw_path == f"{TENANT}/notes/note%2F1/pin".encode()
    assert notes.delete("note_1", if_match=2) is None
    assert transport.last.headers["If-Match"] == "2"
