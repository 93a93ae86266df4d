"""Patterns end at the end of the string: Python's `$` also matches before a final
newline, so an action or event type ending in "\\n" used to be accepted."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import CLIValidationError


def test_a_policy_pattern_may_not_end_in_a_newline(flow_client_inprocess: Any) -> None:
    with pytest.raises(CLIValidationError):
        flow_client_inprocess.policies.create(
            name="p", effect="allow", actions=["*\n"], resources=["*"]
        )
    made = flow_client_inprocess.policies.create(
        name="p", effect="allow", actions=["*"], resources=["*"]
    )
    assert made.actions == ["*"]


def test_a_webhook_event_may_not_end_in_a_newline(
    flow_client_inprocess: Any, local_platform: Any
) -> None:
    url = "http://127.0.0.1:9/hook"
    with pytest.raises(CLIValidationError):
        flow_client_inprocess.webhooks.create(url=url, events=["dataset.created\n"])
    made = flow_client_inprocess.webhooks.create(url=url, events=["dataset.created"])
    assert made.events == ["dataset.created"]
