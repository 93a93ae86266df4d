"""The "Webhooks" console panel over plain HTTP, against a real loopback receiver:
listing, a webhook's deliveries, a delivery's payload, headers and attempts, redelivery."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flow_sdk import CLIClient
from flow_sdk_local.console import csrf_token, next_page
from flow_sdk_webhooks import SIGNATURE_HEADER, verify_signature
from flow_sdk_webhooks.local._engine import RetrySchedule
from flow_sdk_webhooks.local._routes import engine_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Receiver

WS = "org=org_dev&ws=ws_dev"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def fast(served_platform: Any) -> Iterator[Any]:
    """Retry after 0.05 s, 0.1 s (at most 3 attempts) on the served platform."""
    engine = engine_of(served_platform.platform)
    saved = engine.schedule
    engine.schedule = RetrySchedule(max_attempts=3, base_s=0.05, cap_s=0.2, timeout_s=2.0)
    yield engine
    engine.schedule = saved


def _get(console: Any, path: str) -> str:
    answer = console.get(path)
    assert answer.status_code == 200, answer.text
    text: str = answer.text
    return text


def _updated_delivery(client: CLIClient, receiver: Receiver, **create: Any) -> tuple[Any, Any]:
    """A webhook on ``receiver`` for ``webhook.updated``, updated once: it and its delivery."""
    hook = client.webhooks.create(url=receiver.url, events=["webhook.updated"], **create)
    receiver.secret = hook.secret
    client.webhooks.update(hook.id, description=HOSTILE)
    (delivery,) = client.webhooks.deliveries(hook.id).to_list()
    return hook, client.webhooks.wait_for_delivery(hook.id, delivery.id, timeout_s=10)


def test_the_list_shows_each_webhook_and_its_last_delivery(
    served_platform: Any, receiver: Receiver
) -> None:
    client = served_platform.client()
    hook = client.webhooks.create(url=receiver.url, events=["dataset.*", "policy.created"])
    quiet = client.webhooks.create(url=receiver.url + "/quiet", events=["x.y"], active=False)
    client.webhooks.test(hook.id, wait=True, timeout_s=10)
    console = served_platform.console()
    page = _get(console, f"/console/webhooks?{WS}")
    assert 'aria-current="page">Webhooks</a>' in page
    assert f'href="/console/webhooks?org=org_dev&amp;ws=ws_dev&amp;id={hook.id}">' in page
    assert f">{receiver.url}</a></td><td>dataset.*, policy.created</td><td>yes</td>" in page
    assert '<span class="badge ok">succeeded (200)</span>' in page
    assert f">{receiver.url}/quiet</a></td><td>x.y</td><td>no</td>" in page
    assert "none yet" in page
    for secret in (hook.secret, quiet.secret):
        assert secret not in page
    assert "Choose an org and a workspace" in _get(console, "/console/webhooks")


def test_the_list_is_paged(served_platform: Any) -> None:
    client = served_platform.client()
    for i in range(23):
        client.webhooks.create(url=f"http://127.0.0.1:9/hook/{i:02d}", events=["x.y"])
    console = served_platform.console()
    first = _get(console, f"/console/webhooks?{WS}")
    assert first.count("<tr><td>") == 20
    assert ">http://127.0.0.1:9/hook/00</a>" in first
    assert ">http://127.0.0.1:9/hook/22</a>" not in first
    second = _get(console, next_page(first))
    assert second.count("<tr><td>") == 3
    assert ">http://127.0.0.1:9/hook/22</a>" in second
    assert 'rel="next"' not in second


def test_a_webhook_lists_its_deliveries_newest_first_and_paged(
    served_platform: Any, receiver: Receiver
) -> None:
    client = served_platform.client()
    hook = client.webhooks.create(url=receiver.url, events=["x.y"], description="pinged")
    sent = [client.webhooks.test(hook.id).id for _ in range(23)]
    receiver.wait_for(23)
    console = served_platform.console()
    first = _get(console, f"/console/webhooks?{WS}&id={hook.id}")
    assert f"<h2>Webhook {hook.id}</h2>" in first
    assert "<dt>Events</dt><dd>x.y</dd>" in first
    assert "<dt>Description</dt><dd>pinged</dd>" in first
    assert "shown once, when the webhook was created" in first
    assert hook.secret not in first
    shown = re.findall(r"delivery=(dlv_[0-9a-f]+)", first)
    assert shown == sent[::-1][:20]
    assert first.count("<td>ping</td>") == 20
    second = _get(console, next_page(first))
    assert f"id={hook.id}" in next_page(first)
    assert re.findall(r"delivery=(dlv_[0-9a-f]+)", second) == sent[::-1][20:]
    assert hook.secret not in second


def test_a_delivery_shows_its_payload_headers_and_attempts(
    served_platform: Any, receiver: Receiver
) -> None:
    client = served_platform.client()
    hook, delivery = _updated_delivery(client, receiver)
    assert delivery.status == "succeeded"
    (got,) = receiver.wait_for(1)
    assert got.verified is True
    console = served_platform.console()
    page = _get(console, f"/console/webhooks?{WS}&id={hook.id}&delivery={delivery.id}")
    assert f"<h2>Delivery {delivery.id}</h2>" in page
    assert f"<dd>webhook.updated ({delivery.event_id})</dd>" in page
    assert '<span class="badge ok">succeeded</span>' in page
    assert "<h2>Payload</h2>" in page
    assert f"&quot;id&quot;: &quot;{delivery.event_id}&quot;" in page
    assert HOSTILE not in page
    assert html.escape(HOSTILE) in page
    assert f"({len(got.body)} bytes)" in page
    # the signature shown is the one the receiver got, and it verifies
    shown = re.search(rf"<dt>{SIGNATURE_HEADER}</dt><dd>([^<]+)</dd>", page)
    assert shown, page
    assert shown.group(1) == got.headers[SIGNATURE_HEADER]
    verify_signature(got.body, {SIGNATURE_HEADER: shown.group(1)}, hook.secret)
    assert f"<dt>Flow-Delivery</dt><dd>{delivery.id}</dd>" in page
    assert "verify_signature(raw_body, request.headers, secret)" in page
    assert "<h2>Attempts</h2>" in page
    assert "<tr><td>1</td><td>" in page
    assert '<span class="badge ok">200</span>' in page
    assert hook.secret not in page


def test_redeliver_sends_the_event_again_signed(served_platform: Any, receiver: Receiver) -> None:
    client = served_platform.client()
    hook, delivery = _updated_delivery(client, receiver)
    console = served_platform.console()
    path = f"/console/webhooks?{WS}&id={hook.id}&delivery={delivery.id}"
    page = _get(console, path)
    assert 'id="redeliver"' in page
    assert f'name="delivery" value="{delivery.id}"' in page
    form = {"action": "redeliver", "delivery": delivery.id}

    refused = console.post(path, data=form)  # no CSRF token
    assert refused.status_code == 403
    time.sleep(0.2)
    assert len(client.webhooks.deliveries(hook.id).to_list()) == 1
    assert len(receiver.received) == 1

    done = console.post(path, data={**form, "csrf": csrf_token(served_platform.admin_secret)})
    assert done.status_code == 200, done.text
    notice = re.search(r'<p class="notice" role="status" id="notice">([^<]+)</p>', done.text)
    assert notice, done.text
    newest, first = client.webhooks.deliveries(hook.id).to_list()
    assert first.id == delivery.id
    assert html.unescape(notice.group(1)) == (
        f"Queued delivery {newest.id}: event webhook.updated ({delivery.event_id}) "
        f"to {receiver.url} again."
    )
    assert newest.event_id == delivery.event_id
    again = client.webhooks.wait_for_delivery(hook.id, newest.id, timeout_s=10)
    assert again.status == "succeeded"
    assert again.history[0].response_code == 200
    one, two = receiver.wait_for(2)
    assert one.verified is two.verified is True
    assert one.body == two.body
    assert two.headers["Flow-Delivery"] == newest.id
    assert hook.secret not in done.text


def test_redeliver_refuses_what_it_cannot_do(served_platform: Any, receiver: Receiver) -> None:
    client = served_platform.client()
    hook, delivery = _updated_delivery(client, receiver)
    console = served_platform.console()
    csrf = csrf_token(served_platform.admin_secret)
    path = f"/console/webhooks?{WS}&id={hook.id}&delivery={delivery.id}"
    unknown = console.post(path, data={"csrf": csrf, "action": "redeliver", "delivery": "dlv_0"})
    assert unknown.status_code == 422
    assert f"Webhook {hook.id} has no delivery dlv_0." in unknown.text
    client.webhooks.update(hook.id, active=False)
    disabled = console.post(
        path, data={"csrf": csrf, "action": "redeliver", "delivery": delivery.id}
    )
    assert disabled.status_code == 422
    assert "is disabled: enable it first" in disabled.text
    other = console.post(
        path.replace("ws=ws_dev", "ws=ws_other"),
        data={"csrf": csrf, "action": "redeliver", "delivery": delivery.id},
    )
    assert other.status_code == 422
    assert f"No webhook {hook.id} in this workspace." in other.text
    assert len(client.webhooks.deliveries(hook.id).to_list()) == 1
    missing = _get(console, f"/console/webhooks?{WS}&id={hook.id}&delivery=dlv_nope")
    assert 'id="not-found"' in missing
    assert 'id="not-found"' in _get(console, f"/console/webhooks?{WS}&id=wh_nope")


def test_a_failing_receiver_shows_the_failed_attempts(
    served_platform: Any, receiver: Receiver, fast: Any
) -> None:
    receiver.default = 500
    client = served_platform.client()
    hook, delivery = _updated_delivery(client, receiver)
    assert delivery.status == "failed"
    assert delivery.attempts == 3
    console = served_platform.console()
    listing = _get(console, f"/console/webhooks?{WS}")
    assert '<span class="badge bad">failed (500)</span>' in listing
    detail = _get(console, f"/console/webhooks?{WS}&id={hook.id}")
    assert '<td><span class="badge bad">failed</span></td><td>3</td><td>500</td>' in detail
    page = _get(console, f"/console/webhooks?{WS}&id={hook.id}&delivery={delivery.id}")
    assert page.count("<td>receiver answered 500 Internal Server Error</td>") == 3
    assert page.count('<span class="badge bad">500</span>') == 3
    assert "<h2>Request headers (attempt 3)</h2>" in page
    numbers = re.findall(r"<tr><td>(\d)</td><td><time datetime=\"\d{4}-", page)
    assert numbers == ["3", "2", "1"]


def test_unsent_attempts_and_recorded_response_bodies(
    served_platform: Any, closed_port_url: str, fast: Any
) -> None:
    client = served_platform.client()
    hook = client.webhooks.create(url=closed_port_url, events=["x.y"])
    delivery = client.webhooks.test(hook.id, wait=True, timeout_s=10)
    assert delivery.status == "failed"
    console = served_platform.console()
    path = f"/console/webhooks?{WS}&id={hook.id}&delivery={delivery.id}"
    page = _get(console, path)
    assert "could not connect" in page
    assert "no response" in page
    assert "Response body" not in page  # the engine records no body: no empty column
    history = (
        '[{"number": 1, "started_at": "2026-01-01T00:00:00.000000Z", "duration_ms": 2.5, '
        '"response_code": 500, "error": "receiver answered 500", '
        f'"response_body": "{HOSTILE}"}}]'
    )
    with served_platform.store.transaction() as tx:
        tx.execute("UPDATE webhook_deliveries SET history = ? WHERE id = ?", (history, delivery.id))
    shown = _get(console, path)
    assert '<th scope="col">Response body (excerpt)</th>' in shown
    assert f"<pre><code>{html.escape(HOSTILE)}</code></pre>" in shown
    assert HOSTILE not in shown
    assert "<td>2.5 ms</td>" in shown


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    description=st.text(
        st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60
    ).map(lambda text: f"<b>{text}</b>")
)
def test_every_value_is_escaped(served_platform: Any, description: str) -> None:
    client = served_platform.client()
    hook = client.webhooks.create(url="http://127.0.0.1:9/x", events=["x.y"])
    client.webhooks.update(hook.id, description=description)
    page = _get(served_platform.console(), f"/console/webhooks?{WS}&id={hook.id}")
    assert f"<dd>{html.escape(description)}</dd>" in page
    assert "<b>" not in page
    client.webhooks.delete(hook.id)


def test_pages_stay_fast_with_ten_thousand_objects(served_platform: Any) -> None:
    client = served_platform.client()
    hook = client.webhooks.create(url="http://127.0.0.1:9/x", events=["x.y"])
    with served_platform.store.transaction() as tx:
        doc = tx.get("webhooks", "org_dev/ws_dev", hook.id)
        for i in range(10_000):
            tx.insert("webhooks", "org_dev/ws_dev", f"wh_bulk{i:05d}", dict(doc.data))
        tx.execute(
            "WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n "
            "WHERE value < 10000) INSERT INTO webhook_deliveries (id, webhook_id, scope, "
            "event_id, event_type, payload, status, attempts, created_at) "
            "SELECT 'dlv_bulk' || value, ?, 'org_dev/ws_dev', 'evt_bulk', 'x.y', '{}', "
            "'succeeded', 1, '2026-01-01T00:00:00.000000Z' FROM n",
            (hook.id,),
        )
    console = served_platform.console()
    for path in (f"/console/webhooks?{WS}", f"/console/webhooks?{WS}&id={hook.id}"):
        _get(console, path)  # warm up
        started = time.perf_counter()
        page = _get(console, path)
        took = time.perf_counter() - started
        assert 'rel="next"' in page
        assert took < 0.5, f"{path} took {took:.3f}s"
