"""Helpers for policy tests: a policy admin, a second user in the dev workspace."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flow_sdk.cli import CLISettings, main

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
    import json

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


@dataclass
class FlowRun:
    """One ``flow`` run: exit code and both streams."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def run_flow(local_platform: Any, flow_config_dir: Path) -> Callable[..., FlowRun]:
    """``run_flow(*argv, stdin="")``: ``flow`` in-process, signed in to the local platform."""

    def run(*argv: str, stdin: str = "", **environ: str) -> FlowRun:
        out, err = io.StringIO(), io.StringIO()
        settings = CLISettings(
            config_dir=flow_config_dir,
            environ={
                "FLOW_PLATFORM_URL": local_platform.url,
                "FLOW_API_KEY": local_platform.api_key,
                "FLOW_ORG_ID": local_platform.org_id,
                "FLOW_WORKSPACE_ID": local_platform.workspace_id,
                **environ,
            },
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
        )
        code = main(list(argv), settings=settings)
        return FlowRun(code, out.getvalue(), err.getvalue())

    return run
