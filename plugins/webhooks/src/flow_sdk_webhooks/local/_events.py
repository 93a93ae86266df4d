"""Event types: how a write becomes ``<kind>.<verb>``, and which webhooks want it.

``kind`` is the resource's collection name in the URL, singular, with ``-``
as ``_`` (``datasets`` → ``dataset``, ``policies`` → ``policy``,
``mcp-servers`` → ``mcp_server``); ``verb`` is ``created``, ``updated`` or
``deleted``. A webhook's pattern is ``*`` (every event), ``<kind>.*`` or an
exact type. ``ping`` (from ``test``) is sent whatever the patterns say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "PING",
    "VERBS",
    "event_data",
    "event_type",
    "matches_any",
    "singular",
]

PING = "ping"
VERBS = {"POST": "created", "PUT": "updated", "PATCH": "updated", "DELETE": "deleted"}
_SECRET_WORDS = ("secret", "password", "token", "api_key")


def singular(collection: str) -> str:
    """``datasets`` → ``dataset``, ``policies`` → ``policy``, ``mcp-servers`` → ``mcp_server``."""
    name = collection.replace("-", "_").lower()
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def event_type(collection: str, method: str) -> str | None:
    """The event for a successful ``method`` on ``collection``, or None when it is not a write."""
    verb = VERBS.get(method.upper())
    return f"{singular(collection)}.{verb}" if verb else None


def matches(pattern: str, event: str) -> bool:
    """``*`` matches all; ``kind.*`` every verb of a kind; otherwise equality."""
    if pattern == "*" or pattern == event:
        return True
    if pattern.endswith(".*"):
        return event.split(".", 1)[0] == pattern[:-2]
    return False


def matches_any(patterns: Iterable[str], event: str) -> bool:
    """True when one of a webhook's patterns wants ``event``."""
    return any(matches(pattern, event) for pattern in patterns)


def event_data(body: Any) -> dict[str, Any]:
    """What a resource's event carries: its JSON, less any field that looks like a secret."""
    if not isinstance(body, Mapping):
        return {} if body is None else {"value": body}
    return {
        key: value
        for key, value in body.items()
        if not any(word in str(key).lower() for word in _SECRET_WORDS)
    }
