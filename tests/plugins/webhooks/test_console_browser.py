"""The "Webhooks" panel in a real headless chromium: in through the one-time link, from
the list to a webhook to a delivery, then Redeliver clicked; the second delivery is
checked through the SDK and at the receiver. A screenshot of each page is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_sdk_local.console import login_link
from flow_sdk_webhooks import SIGNATURE_HEADER

from ..local.browser_support import DevTools, browser, needs_chromium
from .conftest import Receiver

__all__ = ["browser"]  # the fixture, imported for the test below
pytestmark = needs_chromium


def test_redeliver_from_the_browser(
    served_platform: Any, receiver: Receiver, browser: DevTools, tmp_path: Path
) -> None:
    client = served_platform.client()
    hook = client.webhooks.create(url=receiver.url, events=["webhook.updated"])
    receiver.secret = hook.secret
    client.webhooks.update(hook.id, description="nightly sync")
    (first,) = client.webhooks.deliveries(hook.id).to_list()
    first = client.webhooks.wait_for_delivery(hook.id, first.id, timeout_s=10)
    assert first.status == "succeeded"

    browser.open(login_link(served_platform.url, served_platform.admin_secret))
    browser.open(f"{served_platform.url}/console/webhooks?org=org_dev&ws=ws_dev")
    assert browser.evaluate("document.title") == "Webhooks · Flow console"
    assert browser.texts("h1") == ["Webhooks"]
    assert browser.headings() == ["Webhooks"]
    assert browser.texts("tbody td")[:3] == [receiver.url, "webhook.updated", "yes"]
    assert browser.texts("tbody .badge") == ["succeeded (200)"]
    assert browser.screenshot(tmp_path / "webhooks.png").stat().st_size > 1000
    phone = browser.screenshot(tmp_path / "webhooks-phone.png", width=390, height=800)
    assert phone.stat().st_size > 1000
    assert browser.fits(390)

    browser.click("tbody a")
    assert browser.evaluate("location.search").endswith(f"id={hook.id}")
    assert browser.headings() == [f"Webhook {hook.id}", "Deliveries"]
    assert "nightly sync" in browser.inner_text("dl")
    assert browser.screenshot(tmp_path / "webhook.png").stat().st_size > 1000

    browser.click("tbody a")
    assert browser.evaluate("location.search").endswith(f"delivery={first.id}")
    assert browser.headings() == [
        f"Delivery {first.id}",
        "Payload",
        "Request headers (attempt 1)",
        "Attempts",
    ]
    assert first.event_id in browser.text("pre")
    signature = browser.evaluate(
        "[...document.querySelectorAll('dt')]"
        f".find(d => d.textContent === {SIGNATURE_HEADER!r}).nextElementSibling.textContent"
    )
    assert signature == receiver.wait_for(1)[0].headers[SIGNATURE_HEADER]
    assert "verify_signature" in browser.text("#verify-help")
    delivery = browser.screenshot(tmp_path / "delivery.png", height=1600)
    assert delivery.stat().st_size > 1000

    browser.click("#redeliver")
    notice = browser.text("#notice")
    newest, oldest = client.webhooks.deliveries(hook.id).to_list()
    assert oldest.id == first.id
    assert notice == (
        f"Queued delivery {newest.id}: event webhook.updated ({first.event_id}) "
        f"to {receiver.url} again."
    )
    again = client.webhooks.wait_for_delivery(hook.id, newest.id, timeout_s=10)
    assert again.status == "succeeded"
    assert again.event_id == first.event_id
    one, two = receiver.wait_for(2)
    assert one.verified is two.verified is True
    assert one.body == two.body
    assert browser.screenshot(tmp_path / "redelivered.png").stat().st_size > 1000
    assert hook.secret not in browser.evaluate("document.documentElement.outerHTML")
