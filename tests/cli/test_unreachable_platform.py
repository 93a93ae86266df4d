"""A platform that cannot be reached is an error (exit 1), not "not authenticated"."""

from __future__ import annotations

import io
import pickle
import socket

import pytest
from flow_sdk import CLIAuthenticationError, CLIClient, CLIConnectionError, FlowConfig
from flow_sdk.cli import CLISettings, main


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_the_exchange_failure_is_both_authentication_and_connection() -> None:
    client = CLIClient(
        FlowConfig(platform_url=_closed_port_url(), api_key="fl_unreachable_key", max_retries=0),
        plugins=[],
    )
    with pytest.raises(CLIAuthenticationError) as info:
        client.list_orgs()
    assert isinstance(info.value, CLIConnectionError)
    assert str(info.value).startswith("API key exchange failed: ")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is type(info.value)
    assert again.message == info.value.message


def test_flow_exits_1_with_the_network_hint(tmp_path) -> None:
    err = io.StringIO()
    settings = CLISettings(
        config_dir=tmp_path,
        environ={
            "FLOW_PLATFORM_URL": _closed_port_url(),
            "FLOW_API_KEY": "fl_unreachable_key",
            "FLOW_MAX_RETRIES": "0",
        },
        stdout=io.StringIO(),
        stderr=err,
    )
    assert main(["orgs", "list"], settings=settings) == 1
    assert "API key exchange failed" in err.getvalue()
    assert "hint: check the platform URL and your network" in err.getvalue()
    assert "fl_unreachable_key" not in err.getvalue()
