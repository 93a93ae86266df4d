"""Policy evaluation: which policies match a request, and the decision.

Pure functions over small records, no I/O, so the same code decides in the
SDK, on the local platform and in property tests.

Rules (documented in the README; the tests hold them):

- A pattern matches a string when every ``*`` in it stands for any run of
  characters, empty included and separators (``:`` and ``/``) included, and
  every other character matches itself exactly (case-sensitive). There are
  no other wildcards: ``?``, ``[`` and ``]`` are literal. ``*`` alone matches
  everything.
- A policy matches a request when one of its principals, one of its actions
  and one of its resources each match.
- Deny wins: a matching ``deny`` policy denies, whatever else matches.
- Otherwise a matching ``allow`` policy allows; no match at all denies.
- Order does not matter: the decision and the matched policies (sorted by
  id) are the same for any order of the policies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Decision", "PolicyLike", "evaluate", "glob_match", "policy_matches"]

ALLOW = "allow"
DENY = "deny"


class PolicyLike(Protocol):
    """What evaluation reads from a policy (a ``Policy`` model or a stored row)."""

    @property
    def id(self) -> str:
        """The policy's id (matched policies are sorted by it)."""

    @property
    def effect(self) -> str:
        """``allow`` or ``deny``."""

    @property
    def actions(self) -> Sequence[str]:
        """Action patterns, e.g. ``datasets:*``."""

    @property
    def resources(self) -> Sequence[str]:
        """Resource patterns, e.g. ``datasets/ds_1``."""

    @property
    def principals(self) -> Sequence[str]:
        """Principal patterns, e.g. ``user:*``."""


@dataclass(frozen=True)
class Decision:
    """The outcome of evaluating a request against a set of policies."""

    allowed: bool
    matched: tuple[PolicyLike, ...]
    reason: str

    @property
    def deciding_ids(self) -> tuple[str, ...]:
        """The ids of the policies that made the decision (the denies, or the allows)."""
        effect = ALLOW if self.allowed else DENY
        return tuple(p.id for p in self.matched if p.effect == effect)


def glob_match(pattern: str, value: str) -> bool:
    """True when ``value`` matches ``pattern``, where ``*`` is any run of characters.

    A greedy matcher that backtracks only to the last ``*``: linear for most
    patterns and never exponential, unlike a translated regular expression.
    """
    p = v = 0
    star = -1
    resume = 0
    while v < len(value):
        if p < len(pattern) and pattern[p] == "*":
            star, resume = p, v
            p += 1
        elif p < len(pattern) and pattern[p] == value[v]:
            p += 1
            v += 1
        elif star >= 0:
            resume += 1
            p, v = star + 1, resume
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def _any_match(patterns: Iterable[str], value: str) -> bool:
    return any(glob_match(pattern, value) for pattern in patterns)


def policy_matches(policy: PolicyLike, principal: str, action: str, resource: str) -> bool:
    """True when the policy names this principal, action and resource."""
    return (
        _any_match(policy.principals, principal)
        and _any_match(policy.actions, action)
        and _any_match(policy.resources, resource)
    )


def evaluate(
    policies: Iterable[PolicyLike], principal: str, action: str, resource: str
) -> Decision:
    """May ``principal`` do ``action`` on ``resource``? Deny wins; no match denies."""
    matched = tuple(
        sorted(
            (p for p in policies if policy_matches(p, principal, action, resource)),
            key=lambda p: p.id,
        )
    )
    denies = [p.id for p in matched if p.effect == DENY]
    if denies:
        return Decision(False, matched, f"denied by policy {', '.join(denies)}")
    allows = [p.id for p in matched if p.effect == ALLOW]
    if allows:
        return Decision(True, matched, f"allowed by policy {', '.join(allows)}")
    return Decision(False, matched, "no policy allows it")
