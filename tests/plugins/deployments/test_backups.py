"""``client.component_backups`` end to end through the local platform."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLIValidationError,
    Component,
)
from flow_sdk.plugin import ResourceNamespace
from flow_sdk_deployments.models import Backup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


class _RawBackups(ResourceNamespace[Any, Any]):
    """The backups collection with the generic create: any body, sent as it is."""

    path = "component-backups"


def test_create_snapshots_every_version(flow_client: Any, agent: Any) -> None:
    backup = flow_client.component_backups.create("agent", agent.id)
    assert isinstance(backup, Backup)
    assert (backup.component_type, backup.component_id, backup.component_name) == (
        "agent",
        agent.id,
        "support",
    )
    assert [(v.version, v.spec) for v in backup.versions] == [
        (1, {"temperature": 0.1}),
        (2, {"temperature": 0.2}),
    ]
    assert backup.latest.version == 2
    assert backup.summary()["versions"] == 2
    assert flow_client.component_backups.get(backup.id) == backup


def test_restore_adds_a_version_and_keeps_those_written_since(flow_client: Any, agent: Any) -> None:
    backup = flow_client.component_backups.create("agent", agent.id)
    flow_client.agents.update(agent.id, name="renamed", spec={"temperature": 0.9})
    restored = flow_client.component_backups.restore(backup.id)
    assert isinstance(restored, Component)
    assert (restored.id, restored.version) == (agent.id, 4)
    assert (restored.name, restored.spec) == ("support", {"temperature": 0.2})
    history = flow_client.agents.versions(agent.id)
    assert [(v.version, v.spec["temperature"]) for v in history] == [
        (1, 0.1),
        (2, 0.2),
        (3, 0.9),
        (4, 0.2),
    ]
    assert flow_client.agents.get(agent.id).spec == {"temperature": 0.2}


def test_restore_after_delete_brings_the_component_back(flow_client: Any, agent: Any) -> None:
    backup = flow_client.component_backups.create("agent", agent.id)
    flow_client.agents.delete(agent.id)
    with pytest.raises(CLINotFoundError):
        flow_client.agents.get(agent.id)
    restored = flow_client.component_backups.restore(backup.id)
    assert (restored.id, restored.type, restored.name) == (agent.id, "agent", "support")
    assert restored.version == 3
    assert [v.spec for v in flow_client.agents.versions(agent.id)] == [
        {"temperature": 0.1},
        {"temperature": 0.2},
        {"temperature": 0.2},
    ]
    # Restoring twice just adds another version.
    assert flow_client.component_backups.restore(backup.id).version == 4


def test_list_filters_get_and_delete(flow_client: Any, agent: Any) -> None:
    tool = flow_client.tools.create(name="lookup", spec={"code": "outputs = {}"})
    first = flow_client.component_backups.create("agent", agent.id)
    second = flow_client.component_backups.create("tool", tool.id)
    backups = flow_client.component_backups
    assert [b.id for b in backups.list()] == [first.id, second.id]
    assert [b.id for b in backups.list(component_type="tool")] == [second.id]
    assert [b.id for b in backups.list(component_id=agent.id)] == [first.id]
    assert [len(p.items) for p in backups.list(page_size=1).pages()] == [1, 1]
    backups.delete(first.id)
    with pytest.raises(CLINotFoundError):
        backups.get(first.id)
    with pytest.raises(CLINotFoundError):
        backups.restore(first.id)
    # The component itself is untouched by deleting its backup.
    assert flow_client.agents.get(agent.id).version == 2


def test_delete_with_a_stale_version_is_a_conflict(flow_client: Any, agent: Any) -> None:
    backup = flow_client.component_backups.create("agent", agent.id)
    with pytest.raises(CLIConflictError):
        flow_client.component_backups.delete(backup.id, if_match=7)
    flow_client.component_backups.delete(backup.id, if_match=1)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"component_type": "agent", "component_id": "cmp_missing"}, "no agent 'cmp_missing'"),
        ({"component_type": "gadget", "component_id": "cmp_1"}, "unknown component type"),
        ({"component_type": "agent"}, "component_id"),
        ({"component_type": "", "component_id": "x"}, "component_type"),
    ],
)
def test_a_bad_backup_is_refused(
    flow_client_inprocess: Any, body: dict[str, Any], words: str
) -> None:
    namespace = flow_client_inprocess.namespace(_RawBackups)
    with pytest.raises(CLIValidationError) as caught:
        # The raw request, as any HTTP client would send it.
        namespace.create(body)
    assert caught.value.status_code == 422
    assert words in str(caught.value)


def test_another_tenants_backup_is_not_found(
    flow_client: Any, local_platform: Any, agent: Any
) -> None:
    backup = flow_client.component_backups.create("agent", agent.id)
    other = local_platform.create_tenant()
    outsider = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    for call in ("get", "restore", "delete"):
        with pytest.raises(CLINotFoundError):
            getattr(outsider.component_backups, call)(backup.id)
    assert outsider.component_backups.list().to_list() == []
    with pytest.raises(CLIValidationError, match="no agent"):
        outsider.component_backups.create("agent", agent.id)


def test_backups_cannot_be_updated(flow_client: Any) -> None:
    with pytest.raises(CLIClientError, match="cannot be updated"):
        flow_client.component_backups.update("bak_1", component_name="x")


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    specs=st.lists(
        st.dictionaries(
            st.text(max_size=8), st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8), max_size=3
        ),
        min_size=1,
        max_size=4,
    ),
    edits_after=st.integers(0, 2),
)
def test_restore_never_loses_a_version(
    flow_client_inprocess: Any, specs: list[dict[str, Any]], edits_after: int
) -> None:
    client = flow_client_inprocess
    component = client.models.create(name="m", spec=specs[0])
    for spec in specs[1:]:
        client.models.update(component.id, spec=spec)
    backup = client.component_backups.create("model", component.id)
    for index in range(edits_after):
        client.models.update(component.id, spec={"edit": index})
    before = [v.spec for v in client.models.versions(component.id)]
    restored = client.component_backups.restore(backup.id)
    after = [v.spec for v in client.models.versions(component.id)]
    assert after == [*before, specs[-1]]
    assert restored.version == len(specs) + edits_after + 1
