"""Deployment waits as a real process: the deployment's state on a terminal while
``--wait`` or ``wait`` waits, nothing on stderr in a pipe, nothing with --quiet."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def test_deploy_wait_shows_the_state_on_a_terminal_only(
    flow_process: Any, terminal_lines: Callable[[str], list[str]]
) -> None:
    client = flow_process.handle.client()
    client.rings.create(name="canary")
    agent = client.agents.create(name="support", spec={"v": 1})
    argv = ("deployments", "components", "create", "agent", agent.id, "--ring", "canary")

    shown = flow_process(*argv, "--wait", "--json", terminal=True)
    assert shown.code == 0, shown.err
    deployment = json.loads(shown.out)
    assert deployment["status"] == "active"
    lines = terminal_lines(shown.err)
    assert f"deploying component {agent.id} to ring canary  0:00" in lines, lines
    assert f"deployment {deployment['id']}: pending  0:00" in lines, lines
    assert not terminal_lines(shown.err.rsplit("\x1b[K", 1)[1])  # erased at the end

    client.agents.update(agent.id, spec={"v": 2})
    piped = flow_process(*argv, "--wait", "--json")
    assert piped.code == 0, piped.err
    assert piped.err == ""

    waited = flow_process(
        "deployments", "components", "wait", deployment["id"], "--json", terminal=True
    )
    assert waited.code == 0, waited.err
    assert f"deployment {deployment['id']}: active  0:00" in terminal_lines(waited.err)

    client.agents.update(agent.id, spec={"v": 3})
    quiet = flow_process(*argv, "--wait", "--json", "--quiet", terminal=True)
    assert quiet.code == 0
    assert terminal_lines(quiet.err) == []
