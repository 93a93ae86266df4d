"""Which URLs the local platform may POST to: loopback only, unless told otherwise.

The local platform runs on a developer's machine; sending events to other
addresses would surprise (and, in some workplaces, break rules). Extra hosts
can be allowed with ``FLOW_LOCAL_WEBHOOK_HOSTS`` (comma-separated host names).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["ALLOWED_HOSTS_ENV", "allowed_extra_hosts", "target_problem"]

ALLOWED_HOSTS_ENV = "FLOW_LOCAL_WEBHOOK_HOSTS"
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})


def allowed_extra_hosts(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """Hosts besides loopback that webhooks may target, from ``FLOW_LOCAL_WEBHOOK_HOSTS``."""
    raw = (os.environ if environ is None else environ).get(ALLOWED_HOSTS_ENV, "")
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


def _is_loopback(host: str) -> bool:
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def target_problem(url: str, extra_hosts: frozenset[str] = frozenset()) -> str | None:
    """Why ``url`` cannot be a webhook target, or None when it can."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    host = (parts.hostname or "").lower()
    if not host:
        return "must name a host, e.g. http://127.0.0.1:8000/hook"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials; the signature authenticates deliveries"
    if parts.fragment:
        return "must not have a #fragment"
    if port == 0:
        return "must not use port 0"
    if not _is_loopback(host) and host not in extra_hosts:
        return (
            f"host {host!r} is not a loopback address: the local platform only delivers to "
            f"127.0.0.1, ::1 or localhost (allow more with {ALLOWED_HOSTS_ENV}=host1,host2)"
        )
    return None
