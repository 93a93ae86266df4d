"""client.policies on AsyncCLIClient: the same namespace code, awaited, in-process and
over the socket."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError, CLIValidationError
from flow_sdk_policies import Evaluation, Policy

from .conftest import ADMIN

pytestmark = pytest.mark.anyio


async def test_crud_async(async_flow_client: Any) -> None:
    policies = async_flow_client.policies
    admin = await policies.create(ADMIN)
    assert isinstance(admin, Policy)
    assert (admin.version, admin.principals) == (1, ["user:usr_dev"])
    readers = await policies.create(
        name="read datasets", effect="allow", actions=["datasets:read"], resources=["datasets/*"]
    )
    assert readers.principals == ["*"]
    assert await policies.get(readers.id) == readers
    assert [p.id async for p in policies.list()] == [admin.id, readers.id]
    assert [p.id async for p in policies.list(page_size=1)] == [admin.id, readers.id]
    assert [p.id async for p in policies.list(name="read datasets")] == [readers.id]
    assert await policies.list(effect="deny").to_list() == []
    assert [p.id for p in await policies.list(limit=1).to_list()] == [admin.id]
    changed = await policies.update(readers.id, effect="deny", description="no reading", if_match=1)
    assert (changed.effect, changed.description, changed.version) == ("deny", "no reading", 2)
    assert changed.actions == ["datasets:read"]
    await policies.delete(readers.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        await policies.get(readers.id)
    await policies.delete(admin.id)
    assert await policies.list().first() is None


async def test_errors_async(async_flow_client: Any) -> None:
    policies = async_flow_client.policies
    with pytest.raises(CLINotFoundError):
        await policies.update("pol_missing", description="x")
    with pytest.raises(CLINotFoundError):
        await policies.delete("pol_missing")
    admin = await policies.create(ADMIN)
    await policies.update(admin.id, description="v2")
    with pytest.raises(CLIConflictError, match="version"):
        await policies.update(admin.id, description="lost", if_match=1)
    with pytest.raises(CLIConflictError, match="version"):
        await policies.delete(admin.id, if_match=1)
    with pytest.raises(CLIValidationError, match="effect") as info:
        await policies.create({**ADMIN, "effect": "maybe"})
    assert info.value.status_code == 422
    with pytest.raises(CLIValidationError, match="effect"):
        await policies.create(name="x", actions=["*"], resources=["*"])
    with pytest.raises(CLIValidationError, match="actions"):
        await policies.update(admin.id, {"actions": []})
    assert (await policies.get(admin.id)).description == "v2"


async def test_idempotent_create_async(async_flow_client: Any) -> None:
    policies = async_flow_client.policies
    first = await policies.create(ADMIN, idempotency_key="same")
    again = await policies.create(ADMIN, idempotency_key="same")
    assert first.id == again.id
    assert len(await policies.list().to_list()) == 1


async def test_evaluate_async(async_flow_client: Any) -> None:
    policies = async_flow_client.policies
    await policies.create(ADMIN)
    read = await policies.create(
        name="read", effect="allow", actions=["datasets:read"], resources=["datasets/*"]
    )
    no_prod = await policies.create(
        name="never prod", effect="deny", actions=["datasets:*"], resources=["datasets/prod*"]
    )
    allowed, denied, nothing = await asyncio.gather(
        policies.evaluate("user:u1", "datasets:read", "datasets/ds_1"),
        policies.evaluate("user:u1", "datasets:read", "datasets/prod_1"),
        policies.evaluate("user:u1", "webhooks:create", "webhooks"),
    )
    assert isinstance(allowed, Evaluation)
    assert allowed.allowed is True
    assert [m.id for m in allowed.matched_policies] == [read.id]
    assert denied.allowed is False
    assert {m.id for m in denied.matched_policies} == {read.id, no_prod.id}
    assert (nothing.allowed, nothing.matched_policies) == (False, [])
    assert nothing.reason == "no policy allows it"
    with pytest.raises(CLIValidationError, match="action"):
        await policies.evaluate("user:u1", "", "datasets")
    raw = await policies.with_raw_response.evaluate("user:u1", "datasets:read", "datasets/x")
    assert raw.status_code == 200
    assert raw.parse().allowed is True
