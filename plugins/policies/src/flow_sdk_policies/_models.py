"""Typed records for policies: what the platform returns and what it accepts.

The request bodies (``PolicyCreate``, ``PolicyUpdate``, ``EvaluateRequest``)
are the same msgspec types the local platform validates with, so the SDK and
the routes (and the OpenAPI document made from them) cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from flow_sdk import Model

__all__ = [
    "Effect",
    "EvaluateRequest",
    "Evaluation",
    "MatchedPolicy",
    "Pattern",
    "Policy",
    "PolicyCreate",
    "PolicyUpdate",
]

Effect = Literal["allow", "deny"]

#: One action, resource or principal pattern: no whitespace; ``*`` is the wildcard.
Pattern = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=256,
        # Python's \S spelled out (ECMA's \s differs: it has U+FEFF and lacks U+001C to U+001F,
        # U+0085), so the OpenAPI document's readers and msgspec agree; and not $, which in
        # Python also matches before a final newline.
        pattern=r"^[^\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
        r"(?![\s\S])",
        description="a string where `*` matches any run of characters; no whitespace",
    ),
]
Patterns = Annotated[list[Pattern], msgspec.Meta(min_length=1, max_length=100)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]


class Policy(Model):
    """An access policy of a workspace."""

    id: str
    name: str
    effect: Effect
    actions: list[str]
    resources: list[str]
    principals: list[str] = msgspec.field(default_factory=lambda: ["*"])
    description: str = ""
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class MatchedPolicy(Model):
    """A policy that matched an evaluated request."""

    id: str
    name: str
    effect: Effect


class Evaluation(Model):
    """The decision for one (principal, action, resource)."""

    allowed: bool
    matched_policies: list[MatchedPolicy] = []
    reason: str = ""


class PolicyCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of ``POST <tenant>/policies``."""

    name: Name
    effect: Effect
    actions: Patterns
    resources: Patterns
    principals: Patterns = msgspec.field(default_factory=lambda: ["*"])
    description: Description = ""


class PolicyUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Body of ``PATCH <tenant>/policies/{id}``: only the fields to change."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    effect: Effect | msgspec.UnsetType = msgspec.UNSET
    actions: Patterns | msgspec.UnsetType = msgspec.UNSET
    resources: Patterns | msgspec.UnsetType = msgspec.UNSET
    principals: Patterns | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET


class EvaluateRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of ``POST <tenant>/policies/evaluate``."""

    principal: Annotated[str, msgspec.Meta(min_length=1, max_length=512)]
    action: Annotated[str, msgspec.Meta(min_length=1, max_length=512)]
    resource: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
