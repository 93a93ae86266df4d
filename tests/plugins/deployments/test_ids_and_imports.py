"""Any id is one path segment (404, never another resource or a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import CLIClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(resource_id=st.text(min_size=1, max_size=40))
def test_any_id_is_not_found(
    flow_client_inprocess: Any, missing_error: Any, resource_id: str
) -> None:
    client = flow_client_inprocess
    for get in (
        client.rings.get,
        client.component_deployments.get,
        client.workflow_deployments.get,
        client.component_backups.get,
        client.component_deployments.promote,
        client.component_backups.restore,
    ):
        with pytest.raises(missing_error(resource_id)):
            get(resource_id)


def test_an_empty_id_is_refused_before_sending(flow_client_inprocess: Any) -> None:
    with pytest.raises(CLIClientError, match="id is empty"):
        flow_client_inprocess.rings.get("")
