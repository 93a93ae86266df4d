"""Flow SDK plugin: webhooks (``client.webhooks``) and ``verify_signature`` for receivers.

Importing this package is cheap; the names below load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._models import Delivery, DeliveryAttempt, Event, Webhook, WebhookWithSecret
    from ._namespace import WebhooksNamespace
    from ._signature import (
        SIGNATURE_HEADER,
        WebhookSignatureError,
        signature_header,
        verify_signature,
    )

__all__ = [
    "SIGNATURE_HEADER",
    "Delivery",
    "DeliveryAttempt",
    "Event",
    "Webhook",
    "WebhookSignatureError",
    "WebhookWithSecret",
    "WebhooksNamespace",
    "signature_header",
    "verify_signature",
]

_WHERE = {
    "SIGNATURE_HEADER": "._signature",
    "WebhookSignatureError": "._signature",
    "signature_header": "._signature",
    "verify_signature": "._signature",
    "Delivery": "._models",
    "DeliveryAttempt": "._models",
    "Event": "._models",
    "Webhook": "._models",
    "WebhookWithSecret": "._models",
    "WebhooksNamespace": "._namespace",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
