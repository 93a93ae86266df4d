"""Without flow-sdk-local, a local:// platform URL says what to install."""

from __future__ import annotations

import pytest
from flow_sdk import CLIAuthenticationError, CLIClient, CLIConnectionError, FlowConfig


def _client(**config: str) -> CLIClient:
    return CLIClient(
        FlowConfig(platform_url="local://default", org_id="o", workspace_id="w", **config),
        plugins=[],
        retry=None,
        sleep=lambda _: None,
    )


def test_a_request_names_the_distribution() -> None:
    with pytest.raises(CLIConnectionError) as info:
        _client(access_token="t").list_orgs()
    assert "pip install flow-sdk-local" in (info.value.hint or "")


def test_the_key_exchange_names_the_distribution() -> None:
    with pytest.raises(CLIAuthenticationError) as info:
        _client(api_key="fl_secret_value").list_orgs()
    assert str(info.value).startswith("API key exchange failed: ")
    assert "pip install flow-sdk-local" in (info.value.hint or "")
    assert "fl_secret_value" not in str(info.value)
