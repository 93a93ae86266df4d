"""``client.webhooks``: register receivers, send test pings, read delivery logs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec
from flow_sdk.plugin import (
    Backoff,
    Listing,
    ModeT,
    Page,
    ResourceNamespace,
    Steps,
    body_of,
    cursor_pages,
    endpoint,
    paginated,
    path_segment,
    poll,
    send,
)

from ._models import Delivery, Webhook, WebhookWithSecret

__all__ = ["WebhooksNamespace"]

Progress = Callable[[Delivery], None]
#: Deliveries are retried over minutes, so polling backs off further than the default.
_BACKOFF = Backoff(initial_s=0.05, factor=2.0, max_s=2.0)

_Base = ResourceNamespace[Any, Webhook]
"""The generic update this namespace narrows (its model is ``Webhook``)."""


def _fields(**values: Any) -> dict[str, Any]:
    return {
        key: list(value) if isinstance(value, (list, tuple)) else value
        for key, value in values.items()
        if value is not None
    }


class WebhooksNamespace(ResourceNamespace[ModeT, Webhook]):
    """The webhooks of the selected workspace (``client.webhooks``).

    The platform POSTs a signed JSON event to each active webhook for every
    create, update and delete in the workspace whose type it subscribes to
    (``dataset.created``, ``component.*``, ``*``), retrying with backoff.
    Receivers check deliveries with ``flow_sdk_webhooks.verify_signature``.
    """

    path = "webhooks"
    scope = "tenant"
    model = Webhook

    @paginated
    def list(  # type: ignore[override]
        self, *, url: str | None = None, page_size: int = 50, limit: int | None = None
    ) -> Listing[Webhook]:
        """Every webhook of the workspace (only those posting to ``url``), lazily."""
        return self._list(page_size=page_size, limit=limit, url=url)

    @endpoint
    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        active: bool | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[WebhookWithSecret]:
        """Register a webhook; the result carries its signing ``secret``, shown only now.

        Store the secret for your receiver: ``get`` and ``list`` never return it.
        """
        fields = _fields(url=url, events=events, active=active, description=description)
        return (
            yield from send(
                "POST",
                self._collection(),
                json=body_of(data, fields),
                idempotency_key=idempotency_key,
                type=WebhookWithSecret,
            )
        )

    @endpoint
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
    ) -> Steps[Webhook]:
        """Change some fields; ``if_match=<version>`` makes a stale write a 409."""
        fields = _fields(url=url, events=events, active=active, description=description)
        updated: Webhook = yield from _Base.update.steps(
            self, webhook_id, data, if_match=if_match, **fields
        )
        return updated

    @endpoint
    def test(
        self,
        webhook_id: str,
        *,
        wait: bool = False,
        timeout_s: float = 30.0,
        on_progress: Progress | None = None,
    ) -> Steps[Delivery]:
        """Send a ``ping`` event to the webhook now; returns its delivery.

        With ``wait=True``, waits until the delivery succeeded or gave up
        (see ``wait_for_delivery``).
        """
        url = self._item(webhook_id, "test")
        return (yield from self._queued(url, webhook_id, wait, timeout_s, on_progress))

    @paginated
    def deliveries(
        self, webhook_id: str, *, page_size: int = 50, limit: int | None = None
    ) -> Listing[Delivery]:
        """The webhook's deliveries, newest first, each with its attempts; lazily paged."""
        url = self._item(webhook_id, "deliveries")
        return cursor_pages(url, Page[Delivery], page_size=page_size, limit=limit)

    @endpoint
    def get_delivery(self, webhook_id: str, delivery_id: str) -> Steps[Delivery]:
        """One delivery of the webhook, with every attempt made so far."""
        url = self._item(webhook_id, "deliveries", path_segment(delivery_id, "delivery_id"))
        return (yield from send("GET", url, type=Delivery))

    @endpoint
    def redeliver(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        wait: bool = False,
        timeout_s: float = 30.0,
        on_progress: Progress | None = None,
    ) -> Steps[Delivery]:
        """Send a delivery's event again (the same event id and payload bytes) as a new
        delivery, returned; ``wait=True`` waits for it as ``wait_for_delivery`` does.

        For a receiver that was down when its attempts ran out. 409 (``CLIConflictError``)
        when the webhook is inactive.
        """
        url = self._item(
            webhook_id, "deliveries", path_segment(delivery_id, "delivery_id"), "redeliver"
        )
        return (yield from self._queued(url, webhook_id, wait, timeout_s, on_progress))

    def _queued(
        self,
        url: str,
        webhook_id: str,
        wait: bool,
        timeout_s: float,
        on_progress: Progress | None,
    ) -> Steps[Delivery]:
        """POST what queues a delivery (a ping, a redelivery) and, with ``wait``, wait for
        it as ``wait_for_delivery`` does."""
        delivery = yield from send("POST", url, type=Delivery)
        if wait:
            return (
                yield from type(self).wait_for_delivery.steps(
                    self, webhook_id, delivery.id, timeout_s=timeout_s, on_progress=on_progress
                )
            )
        return delivery

    @endpoint
    def wait_for_delivery(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        timeout_s: float = 30.0,
        on_progress: Progress | None = None,
    ) -> Steps[Delivery]:
        """Poll a delivery until it succeeded or gave up; ``CLITimeoutError`` after ``timeout_s``.

        Polls with backoff (0.05 s doubling to 2 s); ``on_progress`` gets the
        delivery first and then each time it changes (a new status or attempt). A delivery
        that gave up is returned (status ``failed``), not raised.
        """
        return (
            yield from poll(
                lambda: type(self).get_delivery.steps(self, webhook_id, delivery_id),
                lambda delivery: delivery.done,
                timeout_s=timeout_s,
                what=f"delivery {delivery_id}",
                describe=lambda d: f"{d.status} after {d.attempts} attempt(s)",
                on_progress=on_progress,
                backoff=_BACKOFF,
                hint="raise timeout_s, or check the receiver with "
                f"`flow webhooks deliveries {webhook_id}`",
            )
        )
