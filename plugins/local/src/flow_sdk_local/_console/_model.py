"""The panel model: a :class:`Panel` is one page of the console, the :class:`Console`
holds them (what the ``flow_sdk_local_console_panels`` hook is given) and redeems
one-time login links."""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._tokens import _NOTE_NONCE, _PRUNE_NONCES, LINK_SECONDS, _mac

if TYPE_CHECKING:
    from .._app import App
    from .._platform import LocalPlatform
    from ._view import View


@dataclass(frozen=True)
class Panel:
    """One page of the console: ``render(view)`` returns its HTML; ``action(view, form)``
    (optional) handles its forms' POSTs and returns a message to show."""

    slug: str
    title: str
    render: Callable[[View], str]
    action: Callable[[View, dict[str, str]], str] | None = None
    owner: str = ""


class Console:
    """What ``flow_sdk_local_console_panels(console)`` is given: add panels with :meth:`panel`."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.platform: LocalPlatform = app.platform
        self.panels: dict[str, Panel] = {}
        self.owner = ""
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def panel(
        self,
        slug: str,
        title: str,
        render: Callable[[View], str],
        *,
        action: Callable[[View, dict[str, str]], str] | None = None,
    ) -> Panel:
        """Add a panel at ``/console/SLUG`` (a lowercase word), listed in the navigation."""
        if not slug.replace("-", "").isalnum() or slug != slug.lower() or slug == "login":
            raise ValueError(f"a console panel slug is a lowercase word, not {slug!r}")
        if slug in self.panels:
            raise ValueError(f"console panel {slug!r} is already added")
        panel = Panel(slug, title, render, action, self.owner)
        self.panels[slug] = panel
        return panel

    def redeem(self, token: str) -> bool:
        """Whether ``token`` is a valid login token not used before (it is then used up)."""
        expiry_text, _, rest = token.partition(".")
        nonce, _, mac = rest.partition(".")
        if not expiry_text.isdigit() or not nonce or not mac:
            return False
        expiry = int(expiry_text)
        now = time.time()
        if not now <= expiry <= now + LINK_SECONDS + 5:
            return False
        expected = _mac(self.platform.admin_secret, f"console-login:{expiry}:{nonce}")
        if not hmac.compare_digest(mac, expected):
            return False
        with self._lock:
            self._used = {n: t for n, t in self._used.items() if t >= now}
            if nonce in self._used or not self._record_nonce(nonce, expiry, now):
                return False
            self._used[nonce] = expiry
        return True

    def _record_nonce(self, nonce: str, expiry: float, now: float) -> bool:
        """Note a used nonce in the store (so a restart does not make its link work again),
        dropping the expired ones; False when it was there already."""
        with self.platform.store.transaction() as tx:
            tx.execute(_PRUNE_NONCES, (now,))
            return tx.execute(_NOTE_NONCE, (nonce, expiry)).rowcount == 1

    def _restore_nonces(self) -> None:
        """After a reset wiped the store: note again the nonces used and not yet expired."""
        now = time.time()
        with self._lock:
            live = [(n, t) for n, t in self._used.items() if t >= now]
        with self.platform.store.transaction() as tx:
            for nonce, expiry in live:
                tx.execute(_NOTE_NONCE, (nonce, expiry))
