"""A user's script over every namespace of both clients, for ``mypy --strict``.

Not run, only type-checked (``tests/typing/test_types.py``): ``assert_type``
fails the check when a namespace or a result is not exactly its real class.
"""

from __future__ import annotations

from typing import Any, assert_type

from flow_sdk import (
    Async,
    AsyncCLIClient,
    AsyncPaginator,
    CLIClient,
    Component,
    ComponentTypeNamespace,
    ComponentVersion,
    Paginator,
    RawResponse,
    Sync,
)
from flow_sdk_components.code_blocks import CodeBlocksNamespace
from flow_sdk_components.models import ExecutionResult, ToolTestResult, WorkflowRun
from flow_sdk_components.tools import ToolsNamespace
from flow_sdk_components.workflows import WorkflowsNamespace
from flow_sdk_connectors.models import Connector, ConnectorInstance, QueryResult
from flow_sdk_connectors.namespaces import ConnectorInstancesNamespace, ConnectorsNamespace
from flow_sdk_datasets import Dataset
from flow_sdk_datasets.namespace import DatasetsNamespace
from flow_sdk_deployments.backups import ComponentBackupsNamespace
from flow_sdk_deployments.deployments import (
    ComponentDeploymentsNamespace,
    WorkflowDeploymentsNamespace,
)
from flow_sdk_deployments.models import Backup, Deployment, Ring
from flow_sdk_deployments.rings import RingsNamespace
from flow_sdk_example.notes import Note, NotesNamespace
from flow_sdk_experiments import ExperimentsNamespace
from flow_sdk_hosted_services.models import HostedService
from flow_sdk_hosted_services.services import HostedServicesNamespace
from flow_sdk_mcp_servers import McpServer, McpServersNamespace
from flow_sdk_policies import PoliciesNamespace
from flow_sdk_solutions.namespace import SolutionsNamespace
from flow_sdk_webhooks import WebhooksNamespace

PLAIN = ("agents", "models", "prompts", "transforms", "validations", "schemas", "states")


def use_sync(client: CLIClient) -> None:
    assert_type(client.agents, ComponentTypeNamespace[Sync])
    assert_type(client.models, ComponentTypeNamespace[Sync])
    assert_type(client.prompts, ComponentTypeNamespace[Sync])
    assert_type(client.transforms, ComponentTypeNamespace[Sync])
    assert_type(client.validations, ComponentTypeNamespace[Sync])
    assert_type(client.schemas, ComponentTypeNamespace[Sync])
    assert_type(client.states, ComponentTypeNamespace[Sync])
    assert_type(client.observability, ComponentTypeNamespace[Sync])
    assert_type(client.tools, ToolsNamespace[Sync])
    assert_type(client.code_blocks, CodeBlocksNamespace[Sync])
    assert_type(client.workflows, WorkflowsNamespace[Sync])
    assert_type(client.solutions, SolutionsNamespace[Sync])
    assert_type(client.connectors, ConnectorsNamespace[Sync])
    assert_type(client.connector_instances, ConnectorInstancesNamespace[Sync])
    assert_type(client.datasets, DatasetsNamespace[Sync])
    assert_type(client.component_deployments, ComponentDeploymentsNamespace[Sync])
    assert_type(client.workflow_deployments, WorkflowDeploymentsNamespace[Sync])
    assert_type(client.rings, RingsNamespace[Sync])
    assert_type(client.component_backups, ComponentBackupsNamespace[Sync])
    assert_type(client.hosted_services, HostedServicesNamespace[Sync])
    assert_type(client.policies, PoliciesNamespace[Sync])
    assert_type(client.webhooks, WebhooksNamespace[Sync])
    assert_type(client.mcp_servers, McpServersNamespace[Sync])
    assert_type(client.experiments, ExperimentsNamespace[Sync])

    agent = client.agents.create(name="bot", spec={"model": "m"})
    assert_type(agent, Component)
    assert_type(client.agents.get(agent.id), Component)
    assert_type(client.agents.list(name="bot"), Paginator[Component])
    assert_type(client.agents.versions(agent.id), list[ComponentVersion])
    assert_type(client.agents.get.with_raw_response(agent.id), RawResponse[Component])
    assert_type(client.tools.test("cmp_1", {"q": 1}), ToolTestResult)
    assert_type(client.code_blocks.execute("cmp_2", {"n": 1}), ExecutionResult)
    run = client.workflows.run("cmp_3", {"n": 1}, wait=True)
    assert_type(run, WorkflowRun)
    assert_type(client.workflows.wait_for_run("cmp_3", run.id), WorkflowRun)
    assert_type(client.workflows.list_runs("cmp_3"), Paginator[WorkflowRun])
    assert_type(client.connectors.get("sqlite"), Connector)
    assert_type(client.connectors.list(), Paginator[Connector])
    instance = client.connector_instances.get("ci_1")
    assert_type(instance, ConnectorInstance)
    assert_type(client.connector_instances.query("ci_1", "SELECT 1"), QueryResult)
    assert_type(client.datasets.get("ds_1"), Dataset)
    assert_type(client.datasets.iter_rows("ds_1"), Paginator[dict[str, Any]])
    assert_type(client.rings.get("ring_1"), Ring)
    assert_type(client.component_deployments.get("dep_1"), Deployment)
    assert_type(client.workflow_deployments.get("dep_2"), Deployment)
    assert_type(client.component_backups.get("bak_1"), Backup)
    assert_type(client.hosted_services.get("svc_1"), HostedService)
    assert_type(client.mcp_servers.get("mcp_1"), McpServer)
    client.solutions.get("sol_1")
    client.policies.get("pol_1")
    client.webhooks.get("wh_1")
    client.experiments.get("exp_1")
    quick = client.with_options(timeout=5, max_retries=0)
    assert_type(quick, CLIClient)
    assert_type(quick.agents.get.with_options(timeout=2.0)("cmp_1"), Component)
    notes = client.namespace(NotesNamespace)
    assert_type(notes, NotesNamespace[Sync])
    assert_type(notes.pin("note_1"), Note)
    assert_type(client.list_orgs(), list[dict[str, Any]])
    assert_type(client.verify_credentials(), bool)


async def use_async(client: AsyncCLIClient) -> None:
    assert_type(client.agents, ComponentTypeNamespace[Async])
    assert_type(client.observability, ComponentTypeNamespace[Async])
    assert_type(client.tools, ToolsNamespace[Async])
    assert_type(client.code_blocks, CodeBlocksNamespace[Async])
    assert_type(client.workflows, WorkflowsNamespace[Async])
    assert_type(client.solutions, SolutionsNamespace[Async])
    assert_type(client.connectors, ConnectorsNamespace[Async])
    assert_type(client.connector_instances, ConnectorInstancesNamespace[Async])
    assert_type(client.datasets, DatasetsNamespace[Async])
    assert_type(client.component_deployments, ComponentDeploymentsNamespace[Async])
    assert_type(client.workflow_deployments, WorkflowDeploymentsNamespace[Async])
    assert_type(client.rings, RingsNamespace[Async])
    assert_type(client.component_backups, ComponentBackupsNamespace[Async])
    assert_type(client.hosted_services, HostedServicesNamespace[Async])
    assert_type(client.policies, PoliciesNamespace[Async])
    assert_type(client.webhooks, WebhooksNamespace[Async])
    assert_type(client.mcp_servers, McpServersNamespace[Async])
    assert_type(client.experiments, ExperimentsNamespace[Async])

    agent = await client.agents.get("cmp_1")
    assert_type(agent, Component)
    assert_type(client.agents.list(), AsyncPaginator[Component])
    async for item in client.agents.list():
        assert_type(item, Component)
    assert_type(await client.agents.with_raw_response.get("cmp_1"), RawResponse[Any])
    assert_type(await client.agents.get.with_raw_response("cmp_1"), RawResponse[Component])
    assert_type(await client.workflows.wait_for_run("cmp_3", "run_1"), WorkflowRun)
    assert_type(await client.datasets.get("ds_1"), Dataset)
    assert_type(client.datasets.iter_rows("ds_1"), AsyncPaginator[dict[str, Any]])
    assert_type(await client.mcp_servers.get("mcp_1"), McpServer)
    assert_type(await client.list_orgs(), list[dict[str, Any]])
    assert_type(client.with_options(timeout=1), AsyncCLIClient)
    fast = client.agents.get.with_options(timeout=1, extra_headers={"X-Trace": "1"})
    assert_type(await fast("cmp_1"), Component)
    assert_type(await client.namespace(NotesNamespace).pin("note_1"), Note)
    assert_type(await AsyncCLIClient.exchange_api_key("https://flow", "fl_x"), str)
