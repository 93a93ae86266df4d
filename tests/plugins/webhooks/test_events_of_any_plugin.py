"""Events come from every plugin's workspace resources, and only for committed writes."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from flow_sdk import CLIClient, CLIPermissionError, hookimpl
from flow_sdk_local import TENANT, Request, StoredModel

from .conftest import Receiver


class Memo(StoredModel):
    title: str
    pinned: bool = False


class MemoCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: str


class MemoUpdate(msgspec.Struct, forbid_unknown_fields=True):
    title: str | None = None


class MemosPlugin:
    """A third-party plugin's resource, with one action route."""

    @hookimpl
    def flow_sdk_local_routes(self, app: Any) -> None:
        memos = app.resource(
            "memos", model=Memo, create=MemoCreate, update=MemoUpdate, id_prefix="memo"
        )

        def pin(request: Request) -> dict[str, Any]:
            doc = memos.load(request)
            with request.store.transaction() as tx:
                tx.update(doc.kind, doc.scope, doc.id, {**doc.data, "pinned": True})
            return {"id": doc.id, "pinned": True}

        app.add_route("POST", TENANT + "/memos/{id}/pin", pin)


@pytest.mark.flow_plugins(MemosPlugin())
def test_creates_updates_and_deletes_of_any_resource_are_events(
    flow_client: CLIClient, receiver: Receiver
) -> None:
    hook = flow_client.webhooks.create(url=receiver.url, events=["memo.*"])
    url = flow_client._tenant_url("memos")
    memo = flow_client._call("POST", url, json={"title": "first"})
    flow_client._call("PATCH", f"{url}/{memo['id']}", json={"title": "second"})
    flow_client._call("POST", f"{url}/{memo['id']}/pin")  # an action: no event
    flow_client._call("GET", f"{url}/{memo['id']}")  # a read: no event
    flow_client._call("DELETE", f"{url}/{memo['id']}")
    got = receiver.wait_for(3)
    assert [r.event["type"] for r in got] == ["memo.created", "memo.updated", "memo.deleted"]
    assert got[0].event["data"]["title"] == "first"
    assert got[1].event["data"]["title"] == "second"
    assert got[2].event["data"] == {"id": memo["id"]}
    assert [d.event_type for d in flow_client.webhooks.deliveries(hook.id)] == [
        "memo.deleted",
        "memo.updated",
        "memo.created",
    ]


def test_a_write_that_policies_deny_emits_no_event(
    flow_client: CLIClient, receiver: Receiver
) -> None:
    pytest.importorskip("flow_sdk_policies")
    hook = flow_client.webhooks.create(url=receiver.url, events=["webhook.*"])
    flow_client.policies.create(
        name="admins", effect="allow", actions=["policies:*"], resources=["policies*"]
    )
    flow_client.policies.create(
        name="hooks", effect="allow", actions=["webhooks:*"], resources=["*"]
    )
    flow_client.policies.create(
        name="keep", effect="deny", actions=["webhooks:delete"], resources=["*"]
    )
    with pytest.raises(CLIPermissionError):
        flow_client.webhooks.delete(hook.id)
    flow_client.webhooks.update(hook.id, description="a later write")
    got = receiver.wait_for(2)  # its own creation, then the update; sent in order
    assert [r.event["type"] for r in got] == ["webhook.created", "webhook.updated"]
    assert "webhook.deleted" not in receiver.events()
