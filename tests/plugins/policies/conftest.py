"""Helpers for policy tests: a policy admin, a second user in the dev workspace."""

from __future__ import annotations

import json
from typing import Any

import pytest

ADMIN = {
    "name": "policy admins",
    "effect": "allow",
    "principals": ["user:usr_dev"],
    "actions": ["policies:*"],
    "resources": ["policies", "policies/*"],
}


@pytest.fixture
def second_user(local_platform: Any) -> Any:
    """Another member of the dev org (``usr_second``), and a client acting as them."""
    from flow_sdk_local._tenants import create_api_key

    with local_platform.store.transaction() as tx:
        tx.insert(
            "user",
            "",
            "usr_second",
            {"email": "second@flow.local", "name": "Second", "orgs": [local_platform.org_id]},
        )
        key = create_api_key(tx, local_platform.org_id, "usr_second", "second's key")["key"]
    return local_platform.client(api_key=key)


def clear_policies(local_platform: Any) -> list[str]:
    """The control plane's way back in: remove every policy of the dev workspace."""

    wire = local_platform.platform.handle(
        "DELETE",
        f"/_local/orgs/{local_platform.org_id}/workspaces/{local_platform.workspace_id}/policies",
        "",
        {},
        b"",
    )
    assert wire.status == 200, wire.body
    removed: list[str] = json.loads(wire.body)["removed"]
    return removed
