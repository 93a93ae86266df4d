"""Fault injection for tests: a share of requests answered 429, 503, delayed or dropped.

``drop`` closes the connection before the request is handled; ``drop_after``
handles it and then loses the answer (what makes idempotency keys matter).

Rules are tried in order; the first whose path prefix and methods match and
whose dice roll falls under its ``share`` applies (``count`` caps how many
times). The control plane (``/_local``) is never faulted.
"""

from __future__ import annotations

import random
import threading
from typing import Literal

import msgspec

__all__ = ["DroppedConnection", "FaultRule", "Faults", "FaultsConfig"]

FaultKind = Literal["429", "503", "delay", "drop", "drop_after"]


class FaultRule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One kind of fault and which requests it hits."""

    kind: FaultKind
    share: float = msgspec.field(default=1.0)
    """Fraction of matching requests hit, 0 to 1."""
    count: int | None = None
    """Stop after this many faults (None: no limit)."""
    retry_after: float = 1.0
    """Seconds sent in Retry-After with a 429 (and a 503)."""
    delay_s: float = 0.0
    """Seconds a "delay" fault waits before the request is handled."""
    path_prefix: str = "/api/"
    methods: list[str] = []
    """Only these methods (all when empty)."""
    injected: int = 0
    """How many faults this rule has caused so far (read back from GET /_local/faults)."""


class FaultsConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The fault rules in force; ``seed`` makes the dice repeatable."""

    rules: list[FaultRule] = []
    seed: int | None = None


class DroppedConnection(Exception):
    """The transport must drop the connection without answering."""

    def __init__(self, path: str, *, handled: bool = False) -> None:
        super().__init__(path)
        self.handled = handled


class Faults:
    """The rules in force for one platform; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._rng = random.Random()

    @property
    def active(self) -> bool:
        return bool(self._rules)

    def configure(self, config: FaultsConfig) -> None:
        for rule in config.rules:
            if not 0.0 <= rule.share <= 1.0:
                raise ValueError(f"share must be between 0 and 1, got {rule.share}")
        with self._lock:
            self._rules = [msgspec.structs.replace(r, injected=0) for r in config.rules]
            self._rng = random.Random(config.seed)

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def snapshot(self) -> FaultsConfig:
        with self._lock:
            return FaultsConfig(rules=[msgspec.structs.replace(r) for r in self._rules])

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule that hits this request (its counter already bumped), or None."""
        if path.startswith("/_local"):
            return None
        with self._lock:
            for rule in self._rules:
                if not path.startswith(rule.path_prefix):
                    continue
                if rule.methods and method not in rule.methods:
                    continue
                if rule.count is not None and rule.injected >= rule.count:
                    continue
                if rule.share < 1.0 and self._rng.random() >= rule.share:
                    continue
                rule.injected += 1
                return msgspec.structs.replace(rule)
        return None
