"""The namespaces load on first use (the shared wiring tests are tests/plugins/test_wiring.py)."""

from __future__ import annotations

from typing import Any


def test_the_namespaces_load_on_first_use(flow_client_inprocess: Any) -> None:
    from flow_sdk_connectors.namespaces import ConnectorInstancesNamespace, ConnectorsNamespace

    assert isinstance(flow_client_inprocess.connectors, ConnectorsNamespace)
    assert isinstance(flow_client_inprocess.connector_instances, ConnectorInstancesNamespace)
    assert "connector_instances" in dir(flow_client_inprocess)
