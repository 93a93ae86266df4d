"""Typed records for webhooks: what the platform returns and what it accepts.

The request bodies are the msgspec types the local platform validates with,
so the SDK, the routes and the OpenAPI document stay in step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from flow_sdk import Model

__all__ = [
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "Event",
    "Webhook",
    "WebhookCreate",
    "WebhookUpdate",
    "WebhookWithSecret",
]

DeliveryStatus = Literal["pending", "retrying", "succeeded", "failed"]

#: ``*`` (every event), ``<kind>.*`` (every event of a kind) or ``<kind>.<verb>``.
EventPattern = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern=r"^(\*|[a-z][a-z0-9_]*\.(\*|[a-z][a-z0-9_]*))(?![\s\S])",  # not $: see policies
        description="an event type such as `dataset.created`, `dataset.*`, or `*`",
    ),
]
EventPatterns = Annotated[list[EventPattern], msgspec.Meta(min_length=1, max_length=100)]
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_LOOPBACK = rf"(127(\.{_OCTET}){{3}}|localhost|\[::1\]|([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+localhost)"
_REST = r"[^#\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
URL_PATTERN = rf"^https?://{_LOOPBACK}(:{_PORT})?([/?]{_REST}*)?$"
"""An http(s) URL on a loopback host (127.0.0.0/8, ::1, localhost, *.localhost), with no user
name or password, no #fragment and no port 0: what the local platform delivers to (hosts
named in ``FLOW_LOCAL_WEBHOOK_HOSTS`` are allowed too). The routes say which rule a URL breaks."""
Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2000,
        description="an http(s) URL on a loopback host (or a host named in "
        "FLOW_LOCAL_WEBHOOK_HOSTS)",
        extra_json_schema={"pattern": URL_PATTERN},
    ),
]
Description = Annotated[str, msgspec.Meta(max_length=2000)]


class Webhook(Model):
    """A webhook of a workspace: where events are POSTed and which ones."""

    id: str
    url: str
    events: list[str]
    active: bool = True
    description: str = ""
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class WebhookWithSecret(Webhook, kw_only=True):
    """The create response: the webhook plus its signing secret, shown this once.

    Keep ``secret`` where your receiver can read it; the platform never returns it again.
    """

    secret: str

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.__struct_fields__ if name != "secret"
        )
        return f"{type(self).__name__}({fields}, secret=<redacted>)"

    __str__ = __repr__


class DeliveryAttempt(Model):
    """One POST of a delivery to the webhook's URL: what was sent (its headers, the
    signature among them) and what came back (the start of the receiver's answer)."""

    number: int
    started_at: datetime
    duration_ms: float = 0.0
    response_code: int | None = None
    error: str | None = None
    request_headers: dict[str, str] | None = None
    response_body: str | None = None


class Delivery(Model):
    """One event sent to one webhook, with every attempt made so far."""

    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int = 0
    response_code: int | None = None
    error: str | None = None
    created_at: datetime | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    history: list[DeliveryAttempt] = []

    @property
    def done(self) -> bool:
        """True once the delivery succeeded or gave up."""
        return self.status in ("succeeded", "failed")


class Event(Model):
    """The JSON body a receiver gets: what happened, where and to what."""

    id: str
    type: str
    created_at: datetime
    org_id: str
    workspace_id: str
    data: dict[str, Any] = {}


class WebhookCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of ``POST <tenant>/webhooks``."""

    url: Url
    events: EventPatterns
    active: bool = True
    description: Description = ""


class WebhookUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Body of ``PATCH <tenant>/webhooks/{id}``: only the fields to change."""

    url: Url | msgspec.UnsetType = msgspec.UNSET
    events: EventPatterns | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
