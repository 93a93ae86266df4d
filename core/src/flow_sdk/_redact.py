"""Secret redaction: one place that knows what a secret looks like.

Every string that may reach a repr, a log line or an error message passes
through here, so a key or token pasted into a URL or echoed by a server
never leaks.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "redact_headers",
    "redact_log_records_of",
    "redact_text",
    "redact_url",
]

REDACTED = "<redacted>"

_SECRET_SOURCES = (
    # Flow API keys.
    r"fl_[A-Za-z0-9_\-]{4,}",
    # Webhook signing secrets.
    r"whsec_[A-Za-z0-9_\-]{4,}",
    # JSON Web Tokens: three base64url parts, the first two starting with '{"'.
    r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*",
    # Anything following a Bearer scheme.
    r"(?i)(?<=bearer )[^\s\"',]+",
    # Password part of a DSN (scheme://user:password@host).
    r"(?<=://)([^/\s:@]*):[^/\s@]+(?=@)",
)

_SECRET_WORDS = ("token", "key", "secret", "password", "passwd", "signature", "auth", "credential")

_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)


def _is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    # Compiled on first use: most processes never redact anything.
    return tuple(re.compile(source) for source in _SECRET_SOURCES)


def redact_text(text: str) -> str:
    """Replace anything that looks like a credential in free text."""
    for pattern in _patterns():
        if pattern.groups:
            text = pattern.sub(lambda m: f"{m.group(1)}:{REDACTED}", text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


def _redact_encoded(component: str) -> str:
    """Redact a percent-encoded URL component by looking at its decoded text.

    A DSN or key inside a path segment or query value is percent-encoded
    (``postgresql%3A%2F%2Fu%3Apw%40h``), which hides it from the patterns.
    """
    decoded = unquote(component)
    redacted = redact_text(decoded)
    if redacted == decoded:
        return component
    return quote(redacted, safe="<>:@")


def redact_url(url: str) -> str:
    """Drop user info and secret-looking query values from a URL; redact encoded secrets."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    path = "/".join(_redact_encoded(segment) for segment in parts.path.split("/"))
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [
                (redact_text(k), REDACTED if _is_secret_name(k) else redact_text(v))
                for k, v in pairs
            ],
            safe="<>",
        )
    fragment = _redact_encoded(parts.fragment)
    return redact_text(urlunsplit((parts.scheme, netloc, path, query, fragment)))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of request or response headers safe to log."""
    return {
        str(k): (REDACTED if str(k).lower() in _SECRET_HEADERS else redact_text(str(v)))
        for k, v in headers.items()
    }


class _RedactingFilter(logging.Filter):
    """Rewrites a log record's arguments with secrets redacted (URLs as URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_argument(arg) for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


def _redact_argument(arg: object) -> object:
    if isinstance(arg, str | bytes) or type(arg).__name__ == "URL":
        text = arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)
        return redact_url(text) if "://" in text else redact_text(text)
    return arg


_FILTER = _RedactingFilter()


def redact_log_records_of(*names: str) -> None:
    """Redact secrets from what the loggers ``names`` write (httpx logs each request's
    full URL at INFO). Adds one filter per logger, once; changes nothing else."""
    for name in names:
        target = logging.getLogger(name)
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
