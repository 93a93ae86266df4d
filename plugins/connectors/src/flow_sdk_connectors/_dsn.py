"""PostgreSQL DSNs split into what may be shown and the password, which may not.

An instance's config keeps the DSN without its password; the password is
stored apart and only handed to the driver when it connects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

__all__ = ["DsnError", "SplitDsn", "split_dsn"]

_SCHEMES = ("postgresql", "postgres")


class DsnError(ValueError):
    """The DSN cannot be used; the message never contains the password."""


@dataclass(frozen=True)
class SplitDsn:
    """A DSN with no password in it, and the password that was taken out."""

    public: str
    password: str | None = field(default=None, repr=False)


def split_dsn(dsn: str) -> SplitDsn:
    """Take the password out of a ``postgresql://`` URL (user info or ``?password=``)."""
    if not isinstance(dsn, str) or not dsn.strip():
        raise DsnError("dsn is empty; give a URL like postgresql://user@host:5432/dbname")
    try:
        parts = urlsplit(dsn.strip())
        port = parts.port
    except ValueError:
        raise DsnError(
            "dsn is not a valid URL; give one like postgresql://user@host:5432/dbname"
        ) from None
    if parts.scheme not in _SCHEMES:
        raise DsnError(
            "dsn must be a postgresql:// URL (key=value connection strings are not "
            "accepted); e.g. postgresql://user@host:5432/dbname"
        )
    if not parts.hostname:
        raise DsnError("dsn names no host; e.g. postgresql://user@127.0.0.1:5432/dbname")
    password = unquote(parts.password) if parts.password is not None else None
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "password":
            password = value
        else:
            query.append((key, value))
    netloc = ""
    if parts.username:
        netloc = quote(unquote(parts.username), safe="") + "@"
    host = parts.hostname
    netloc += f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    public = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))
    return SplitDsn(public=public, password=password or None)
