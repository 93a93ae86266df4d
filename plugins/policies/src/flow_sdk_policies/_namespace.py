"""``client.policies``: manage a workspace's access policies and ask for decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from flow_sdk.plugin import (
    Listing,
    ModeT,
    ResourceNamespace,
    Steps,
    endpoint,
    paginated,
    send,
)

from ._models import Effect, Evaluation, Policy

__all__ = ["PoliciesNamespace"]


def _fields(**values: Any) -> dict[str, Any]:
    return {
        key: list(v) if isinstance(v, (list, tuple)) else v
        for key, v in values.items()
        if v is not None
    }


_Base = ResourceNamespace[Any, Policy]
"""The generic create/update this namespace narrows (its model is ``Policy``)."""


class PoliciesNamespace(ResourceNamespace[ModeT, Policy]):
    """The access policies of the selected workspace (``client.policies``).

    A policy allows or denies ``actions`` on ``resources`` to ``principals``;
    ``*`` matches any run of characters. Deny wins over allow, and once a
    workspace has any policy, a request no policy allows is denied (403).
    """

    path = "policies"
    scope = "tenant"
    model = Policy

    @paginated
    def list(  # type: ignore[override]
        self,
        *,
        name: str | None = None,
        effect: Effect | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Listing[Policy]:
        """Every policy of the workspace (only those matching ``name``/``effect``), lazily."""
        return self._list(page_size=page_size, limit=limit, name=name, effect=effect)

    @endpoint
    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        effect: Effect | None = None,
        actions: Sequence[str] | None = None,
        resources: Sequence[str] | None = None,
        principals: Sequence[str] | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[Policy]:
        """Create a policy from ``data`` and/or keyword fields (keywords win).

        ``principals`` defaults to ``["*"]`` (everyone). Retried safely with
        one idempotency key across attempts.
        """
        fields = _fields(
            name=name,
            effect=effect,
            actions=actions,
            resources=resources,
            principals=principals,
            description=description,
        )
        created: Policy = yield from _Base.create.steps(
            self, data, idempotency_key=idempotency_key, **fields
        )
        return created

    @endpoint
    def update(  # type: ignore[override]
        self,
        policy_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        effect: Effect | None = None,
        actions: Sequence[str] | None = None,
        resources: Sequence[str] | None = None,
        principals: Sequence[str] | None = None,
        description: str | None = None,
        if_match: int | str | None = None,
    ) -> Steps[Policy]:
        """Change some fields of a policy; ``if_match=<version>`` makes a stale write a 409."""
        fields = _fields(
            name=name,
            effect=effect,
            actions=actions,
            resources=resources,
            principals=principals,
            description=description,
        )
        updated: Policy = yield from _Base.update.steps(
            self, policy_id, data, if_match=if_match, **fields
        )
        return updated

    @endpoint
    def evaluate(self, principal: str, action: str, resource: str) -> Steps[Evaluation]:
        """Would the workspace's policies let ``principal`` do ``action`` on ``resource``?

        Returns ``allowed`` and the policies that matched; it changes nothing.
        """
        body = {"principal": principal, "action": action, "resource": resource}
        return (
            yield from send("POST", self._tenant(self.path, "evaluate"), json=body, type=Evaluation)
        )
