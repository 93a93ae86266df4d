"""Fault injection for tests: a share of requests answered 429, 503, delayed or dropped.

``drop`` closes the connection before the request is handled; ``drop_after``
handles it and then loses the answer (what makes idempotency keys matter).

Rules are tried in order; the first whose path prefix and methods match and
whose dice roll falls under its ``share`` applies (``count`` caps how many
times). The control plane (``/_local``) is never faulted.

Every value is bounded (``configure`` raises :class:`FaultError`, a
``ValueError``, naming the rule and field): at most ``MAX_RULES`` rules,
``share`` 0 to 1, ``count`` up to ``MAX_COUNT``, ``retry_after`` up to
``MAX_RETRY_AFTER`` s, ``delay_s`` up to ``MAX_DELAY_S`` s (a delayed request
holds a worker thread), a path prefix starting with ``/``, method names.
"""

from __future__ import annotations

import math
import random
import re
import threading
from typing import Annotated, Literal

import msgspec

__all__ = [
    "MAX_COUNT",
    "MAX_DELAY_S",
    "MAX_RETRY_AFTER",
    "MAX_RULES",
    "DroppedConnection",
    "FaultError",
    "FaultRule",
    "Faults",
    "FaultsConfig",
]

MAX_RULES = 100
MAX_COUNT = 1_000_000
MAX_RETRY_AFTER = 3600.0
MAX_DELAY_S = 30.0
MAX_PREFIX = 1024
MAX_METHODS = 16
_METHOD = re.compile(r"[A-Za-z]{1,16}\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

FaultKind = Literal["429", "503", "delay", "drop", "drop_after"]


class FaultRule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One kind of fault and which requests it hits."""

    kind: FaultKind
    share: Annotated[float, msgspec.Meta(ge=0, le=1)] = 1.0
    """Fraction of matching requests hit, 0 to 1."""
    count: Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)] | None = None
    """Stop after this many faults (None: no limit)."""
    retry_after: Annotated[float, msgspec.Meta(ge=0, le=MAX_RETRY_AFTER)] = 1.0
    """Seconds sent in Retry-After with a 429 (and a 503)."""
    delay_s: Annotated[float, msgspec.Meta(ge=0, le=MAX_DELAY_S)] = 0.0
    """Seconds a "delay" fault waits before the request is handled."""
    path_prefix: Annotated[
        str, msgspec.Meta(max_length=MAX_PREFIX, pattern=r"^/[^\x00-\x1f\x7f-\x9f]*$")
    ] = "/api/"
    methods: Annotated[
        list[Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{1,16}$")]],
        msgspec.Meta(max_length=MAX_METHODS),
    ] = []
    """Only these methods (all when empty)."""
    injected: int = 0
    """How many faults this rule has caused so far (read back from GET /_local/faults)."""


class FaultsConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The fault rules in force; ``seed`` makes the dice repeatable."""

    rules: list[FaultRule] = []
    seed: int | None = None


class FaultError(ValueError):
    """A fault rule out of bounds: ``loc`` names the field (``["rules", 0, "delay_s"]``)."""

    def __init__(self, loc: list[str | int], message: str) -> None:
        super().__init__(f"{'.'.join(str(part) for part in loc)}: {message}")
        self.loc = loc
        self.message = message


def _number(loc: list[str | int], value: float, low: float, high: float, unit: str = "") -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and low <= value <= high):
        raise FaultError(loc, f"must be a number from {low:g} to {high:g}{unit}, got {value!r}")


def checked(config: FaultsConfig) -> list[FaultRule]:
    """The rules of ``config``, bounded and normalised (methods upper-case, counters at 0)."""
    if len(config.rules) > MAX_RULES:
        raise FaultError(["rules"], f"at most {MAX_RULES} rules, got {len(config.rules)}")
    rules = []
    for index, rule in enumerate(config.rules):
        at: list[str | int] = ["rules", index]
        _number([*at, "share"], rule.share, 0.0, 1.0)
        if rule.count is not None and not 0 <= rule.count <= MAX_COUNT:
            raise FaultError([*at, "count"], f"must be null or 0 to {MAX_COUNT}, got {rule.count}")
        _number([*at, "retry_after"], rule.retry_after, 0.0, MAX_RETRY_AFTER, " seconds")
        _number([*at, "delay_s"], rule.delay_s, 0.0, MAX_DELAY_S, " seconds")
        prefix = rule.path_prefix
        if not prefix.startswith("/") or len(prefix) > MAX_PREFIX or _CONTROL.search(prefix):
            raise FaultError(
                [*at, "path_prefix"],
                f"must start with '/' and be at most {MAX_PREFIX} characters with no control "
                f"characters, got {prefix[:40]!r}",
            )
        if len(rule.methods) > MAX_METHODS or not all(_METHOD.match(m) for m in rule.methods):
            raise FaultError(
                [*at, "methods"],
                f"must be at most {MAX_METHODS} HTTP method names such as GET or POST",
            )
        rules.append(
            msgspec.structs.replace(rule, injected=0, methods=[m.upper() for m in rule.methods])
        )
    return rules


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
        """Whether any rule is in force (checked on every request, without the lock)."""
        return bool(self._rules)

    def configure(self, config: FaultsConfig) -> None:
        """Replace the rules; :class:`FaultError` (a ValueError) for one out of bounds."""
        rules = checked(config)
        with self._lock:
            self._rules = rules
            self._rng = random.Random(config.seed)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules = []

    def snapshot(self) -> FaultsConfig:
        """A copy of the rules in force, with their ``injected`` counts."""
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
