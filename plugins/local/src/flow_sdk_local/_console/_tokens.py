"""The console's secrets: one-time link tokens, the table of used nonces, the session
cookie and the CSRF token, each derived from the local admin secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlencode

PREFIX = "/console"
COOKIE = "flow_console"
LINK_SECONDS = 300.0
"""How long a one-time link stays valid."""
NONCE_TABLE = "console_login_nonces"
"""The used nonces of one-time links, until they expire: a table of its own (not a
document kind), so no listing, export or activity feed of documents ever shows them."""
_NONCE_MIGRATION = (
    "CREATE TABLE IF NOT EXISTS console_login_nonces "
    "(nonce TEXT PRIMARY KEY, expires REAL NOT NULL)"
)
_NOTE_NONCE = (
    "INSERT INTO console_login_nonces (nonce, expires) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING"
)
_PRUNE_NONCES = "DELETE FROM console_login_nonces WHERE expires < ?"


def _mac(secret: str, purpose: str) -> str:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def login_token(secret: str, *, now: float | None = None) -> str:
    """A one-time login token: ``EXPIRY.NONCE.MAC`` under the local admin secret."""
    expiry = int((time.time() if now is None else now) + LINK_SECONDS)
    nonce = secrets.token_urlsafe(12)
    return f"{expiry}.{nonce}.{_mac(secret, f'console-login:{expiry}:{nonce}')}"


def login_link(base_url: str, secret: str) -> str:
    """The link ``flow local console`` prints: it sets the console cookie, once."""
    return f"{base_url.rstrip('/')}{PREFIX}/login?{urlencode({'token': login_token(secret)})}"


def session_value(secret: str) -> str:
    """The console cookie's value (derived from the admin secret)."""
    return _mac(secret, "console-session")


def csrf_token(secret: str) -> str:
    """The token every console form carries (only a page behind the cookie shows it)."""
    return _mac(secret, "console-csrf")
