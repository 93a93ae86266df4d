"""``client.webhooks``: register receivers, send test pings, read delivery logs."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec
from flow_sdk import Backoff, Page, Paginator, ResourceNamespace, poll_until
from flow_sdk._namespaces import body_of
from flow_sdk._urls import path_segment

from ._models import Delivery, Webhook, WebhookWithSecret

__all__ = ["WebhooksNamespace"]

Progress = Callable[[Delivery], None]
#: Deliveries are retried over minutes, so polling backs off further than the default.
_BACKOFF = Backoff(initial_s=0.05, factor=2.0, max_s=2.0)


def _fields(**values: Any) -> dict[str, Any]:
    return {
        key: list(value) if isinstance(value, (list, tuple)) else value
        for key, value in values.items()
        if value is not None
    }


class WebhooksNamespace(ResourceNamespace[Webhook]):
    """The webhooks of the selected workspace (``client.webhooks``).

    The platform POSTs a signed JSON event to each active webhook for every
    create, update and delete in the workspace whose type it subscribes to
    (``dataset.created``, ``component.*``, ``*``), retrying with backoff.
    Receivers check deliveries with ``flow_sdk_webhooks.verify_signature``.
    """

    path = "webhooks"
    scope = "tenant"
    model = Webhook

    def __init__(
        self,
        client: Any,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(client)
        self._sleep = sleep
        self._clock = clock

    def list(  # type: ignore[override]
        self, *, url: str | None = None, page_size: int = 50, limit: int | None = None
    ) -> Paginator[Webhook]:
        """Every webhook of the workspace (only those posting to ``url``), lazily."""
        return super().list(page_size=page_size, limit=limit, url=url)

    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        active: bool | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> WebhookWithSecret:
        """Register a webhook; the result carries its signing ``secret``, shown only now.

        Store the secret for your receiver: ``get`` and ``list`` never return it.
        """
        fields = _fields(url=url, events=events, active=active, description=description)
        return self._request(  # type: ignore[no-any-return]
            "POST",
            self._collection(),
            json=body_of(data, fields),
            idempotency_key=idempotency_key,
            type=WebhookWithSecret,
        )

    def update(  # type: ignore[override]
        self,
        webhook_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        active: bool | None = None,
        description: str | None = None,
        if_match: int | str | None = None,
    ) -> Webhook:
        """Change some fields; ``if_match=<version>`` makes a stale write a 409."""
        fields = _fields(url=url, events=events, active=active, description=description)
        return super().update(webhook_id, data, if_match=if_match, **fields)

    def test(
        self,
        webhook_id: str,
        *,
        wait: bool = False,
        timeout_s: float = 30.0,
        on_progress: Progress | None = None,
    ) -> Delivery:
        """Send a ``ping`` event to the webhook now; returns its delivery.

        With ``wait=True``, waits until the delivery succeeded or gave up
        (see ``wait_for_delivery``).
        """
        delivery: Delivery = self._request("POST", self._item(webhook_id, "test"), type=Delivery)
        if wait:
            return self.wait_for_delivery(
                webhook_id, delivery.id, timeout_s=timeout_s, on_progress=on_progress
            )
        return delivery

    def deliveries(
        self, webhook_id: str, *, page_size: int = 50, limit: int | None = None
    ) -> Paginator[Delivery]:
        """The webhook's deliveries, newest first, each with its attempts; lazily paged."""
        url = self._item(webhook_id, "deliveries")

        def fetch(cursor: str | None) -> Page[Delivery]:
            params = {"limit": page_size, "cursor": cursor}
            return self._request(  # type: ignore[no-any-return]
                "GET", url, params=params, type=Page[Delivery]
            )

        if not 1 <= page_size <= 500:
            raise ValueError("page_size must be between 1 and 500")
        return Paginator(fetch, limit=limit)

    def get_delivery(self, webhook_id: str, delivery_id: str) -> Delivery:
        """One delivery of the webhook, with every attempt made so far."""
        url = self._item(webhook_id, "deliveries", path_segment(delivery_id, "delivery_id"))
        return self._request("GET", url, type=Delivery)  # type: ignore[no-any-return]

    def wait_for_delivery(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        timeout_s: float = 30.0,
        on_progress: Progress | None = None,
    ) -> Delivery:
        """Poll a delivery until it succeeded or gave up; ``CLITimeoutError`` after ``timeout_s``.

        Polls with backoff (0.05 s doubling to 2 s); ``on_progress`` gets the
        delivery first and then each time it changes (a new status or attempt). A delivery
        that gave up is returned (status ``failed``), not raised.
        """
        return poll_until(
            lambda: self.get_delivery(webhook_id, delivery_id),
            lambda delivery: delivery.done,
            timeout_s=timeout_s,
            what=f"delivery {delivery_id}",
            describe=lambda d: f"{d.status} after {d.attempts} attempt(s)",
            on_progress=on_progress,
            backoff=_BACKOFF,
            hint="raise timeout_s, or check the receiver with "
            f"`flow webhooks deliveries {webhook_id}`",
            clock=self._clock,
            sleep=self._sleep,
        )
