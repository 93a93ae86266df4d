"""A session of SDK calls of every kind, shared by the embedding tests.

Imported by the in-process tests (``from quiet_session import exercise``;
the conftest puts this folder on ``sys.path``) and run as a script by the
fresh-interpreter test: ``python quiet_session.py REPORT_PATH``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from typing import Any

from flow_sdk import (
    CLIAuthenticationError,
    CLIClient,
    CLINotFoundError,
    CLIValidationError,
)

PRINTING_CODE = (
    "import sys\n"
    "def main(n):\n"
    "    print('from the block', n)\n"
    "    print('to stderr', file=sys.stderr)\n"
    "    return {'n': n}\n"
)


def exercise(client: CLIClient) -> list[str]:
    """Successes, failures and a code block that prints; returns what each step saw."""
    seen: list[str] = []
    org = client.config.org_id
    assert org is not None
    seen.append(f"orgs={len(client.list_orgs())}")
    seen.append(f"workspaces={len(client.list_workspaces(org))}")
    seen.append(f"me={client.get_current_user()['id']}")
    seen.append(f"verified={client.verify_credentials()}")
    created = client.create_component("agent", {"name": "quiet agent"})
    agent = client.agents.get(created["id"])
    client.agents.update(agent.id, {"description": "changed"}, if_match=agent.version)
    seen.append(f"agents={sum(1 for _ in client.agents.list(page_size=1))}")
    with contextlib.suppress(CLINotFoundError):
        client.agents.get("agent_missing")
        seen.append("404 not raised")
    with contextlib.suppress(CLIValidationError):
        client.create_component("agent", {"name": 42})
        seen.append("422 not raised")
    block = client.code_blocks.create(name="printer", spec={"code": PRINTING_CODE})
    result = client.code_blocks.execute(block.id, {"n": 7})
    seen.append(f"block stdout={result.stdout!r}")
    client.agents.delete(agent.id)
    token = client.exchange_api_key(client.config.platform_url, str(client.config.api_key))
    seen.append(f"token={bool(token)}")
    with contextlib.suppress(CLIAuthenticationError):
        client.get_current_user_with_token(client.config.platform_url, "not-a-token")
        seen.append("401 not raised")
    with contextlib.suppress(CLIAuthenticationError):
        client.exchange_api_key(client.config.platform_url, "fl_wrong")
        seen.append("bad key accepted")
    return seen


class _Tripwire:
    """Stands in for stdin: any read is recorded and refused."""

    def __init__(self, touched: list[str]) -> None:
        self._touched = touched

    def __getattr__(self, name: str) -> Any:
        self._touched.append(name)
        raise OSError(f"the SDK touched stdin ({name})")

    def __iter__(self) -> Any:
        self._touched.append("__iter__")
        raise OSError("the SDK iterated stdin")


def main(report_path: str) -> None:
    """A bare program (no logging configured) using the SDK in-process and over a socket."""
    import os

    touched: list[str] = []
    sys.stdin = sys.__stdin__ = _Tripwire(touched)  # type: ignore[misc]
    exits: list[object] = []

    def no_exit(code: object = None) -> None:
        exits.append(code)
        raise RuntimeError("the SDK called sys.exit")

    sys.exit = no_exit  # type: ignore[assignment]
    os._exit = no_exit  # type: ignore[assignment]
    root = logging.getLogger()
    sdk = logging.getLogger("flow_sdk")
    before = (list(root.handlers), root.level, list(sdk.handlers), sdk.level, sdk.propagate)
    loggers_before = set(logging.Logger.manager.loggerDict)

    from flow_sdk import FlowConfig
    from flow_sdk_local import LocalServer, platform_for

    seen: dict[str, list[str]] = {}
    platform = platform_for("local://memory-quiet")
    config = FlowConfig(
        platform_url=platform.url,
        api_key=platform.mint_dev_key(),
        org_id="org_dev",
        workspace_id="ws_dev",
    )
    with CLIClient(config) as client:
        seen["inprocess"] = exercise(client)
    with LocalServer(platform) as server:
        socket_config = FlowConfig(
            platform_url=server.url,
            api_key=config.api_key,
            org_id="org_dev",
            workspace_id="ws_dev",
        )
        with CLIClient(socket_config) as client:
            seen["socket"] = exercise(client)

    after = (list(root.handlers), root.level, list(sdk.handlers), sdk.level, sdk.propagate)
    new_loggers = sorted(set(logging.Logger.manager.loggerDict) - loggers_before)
    report = {
        "seen": seen,
        "stdin_touched": touched,
        "exits": exits,
        "logging_unchanged": before == after,
        "new_flow_loggers": [n for n in new_loggers if n.startswith("flow")],
    }
    with open(report_path, "w", encoding="utf-8") as handle:
        json.dump(report, handle)


if __name__ == "__main__":
    main(sys.argv[1])
