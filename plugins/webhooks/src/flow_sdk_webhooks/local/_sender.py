"""One HTTP POST to a receiver, with the standard library.

``http.client`` rather than httpx: the SDK's transport is for talking to the
platform; this is the platform talking out, with no proxy settings, no
redirects and no retries of its own (the delivery engine retries).
"""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["SendResult", "post"]

_MAX_READ = 64 * 1024
BODY_EXCERPT = 1024
"""How much of a receiver's answer an attempt keeps (as text): enough to see why."""


@dataclass(frozen=True)
class SendResult:
    """What one attempt got: a status code, or an error when no response came; the start
    of the receiver's answer."""

    status: int | None
    error: str | None
    body: str = ""

    @property
    def ok(self) -> bool:
        """True when the receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> SendResult:
    """POST ``body`` to ``url``; never raises for network trouble, it is the result."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request("POST", target, body=body, headers=dict(headers))
        response = connection.getresponse()
        excerpt = response.read(_MAX_READ)[:BODY_EXCERPT].decode("utf-8", "replace")
    except TimeoutError:
        return SendResult(None, f"timed out after {timeout:g}s")
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        return SendResult(None, f"could not connect: {reason}")
    except http.client.HTTPException as exc:
        return SendResult(None, f"bad response: {type(exc).__name__}: {exc}")
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return SendResult(response.status, None, excerpt)
    error = f"receiver answered {response.status} {response.reason}"
    return SendResult(response.status, error, excerpt)
