"""Properties of deliveries: any body is signed verifiably; shared databases send once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flow_sdk_local import Store
from flow_sdk_webhooks import verify_signature
from flow_sdk_webhooks.local._engine import MIGRATIONS, DeliveryEngine, RetrySchedule, make_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Receiver


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(description=st.text(max_size=200))
def test_any_update_is_delivered_with_a_signature_the_receiver_accepts(
    flow_client_inprocess: Any, receiver: Receiver, description: str
) -> None:
    webhooks = flow_client_inprocess.webhooks
    hook = webhooks.create(url=receiver.url, events=["webhook.updated"])
    before = len(receiver.received)
    webhooks.update(hook.id, description=description)
    got = receiver.wait_for(before + 1)[-1]
    verify_signature(got.body, got.headers, hook.secret)
    assert got.event["data"]["description"] == description
    webhooks.delete(hook.id)


def test_two_engines_on_one_database_send_each_delivery_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    path = tmp_path / "shared.sqlite3"
    stores = [Store(path), Store(path)]  # as two processes would open it
    stores[0].migrate(MIGRATIONS)
    stores[1].migrate(MIGRATIONS)
    engines = [DeliveryEngine(s, schedule=RetrySchedule(max_attempts=1)) for s in stores]
    with stores[0].transaction() as tx:
        hook = tx.insert(
            "webhooks", "org/ws", "wh_1", {"url": receiver.url, "events": ["*"], "secret": "s"}
        )
        for _ in range(20):
            event_id, payload = make_event(tx.now(), "org", "ws", "ping", {})
            engines[0].enqueue(tx, hook, event_id=event_id, event_type="ping", payload=payload)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda e=e: counts.append(e.deliver_due())) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 20
    assert len(receiver.wait_for(20)) == 20
    assert len({r.headers["Flow-Delivery"] for r in receiver.received}) == 20
    for store in stores:
        store.close()
