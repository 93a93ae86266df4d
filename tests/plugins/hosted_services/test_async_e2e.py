"""Hosted services through ``AsyncCLIClient``, in-process and over the socket.

The same namespace code as the sync tests run: define, publish and invoke a
service, every method awaited, errors arriving as the same exceptions.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    CLIServerError,
    CLIValidationError,
)
from flow_sdk_hosted_services.models import Endpoint, HostedService, ServiceVersion
from hosted_services_support import ECHO, FAIL, GREET, GREET_V2

pytestmark = pytest.mark.anyio


async def _greeter(client: Any) -> HostedService:
    """A published service (v1) with ``GET /greet/{name}`` and ``POST /echo``."""
    services = client.hosted_services
    service = await services.create(
        name="greeter",
        endpoints=[
            {"method": "GET", "path": "/greet/{name}", "handler": GREET},
            {"method": "POST", "path": "/echo", "handler": ECHO},
        ],
    )
    await services.publish(service.id)
    fetched: HostedService = await services.get(service.id)
    return fetched


async def test_create_get_list_update_delete(async_flow_client: Any) -> None:
    services = async_flow_client.hosted_services
    created = await services.create(
        name="greeter",
        description="says hello",
        endpoints=[Endpoint(method="get", path="greet/{name}/", handler=GREET)],
    )
    assert isinstance(created, HostedService)
    assert created.id.startswith("svc_")
    assert (created.versions, created.latest_version, created.version) == ([], None, 1)
    assert [(e.method, e.path) for e in created.endpoints] == [("GET", "/greet/{name}")]
    assert await services.get(created.id) == created
    other = await services.create({"name": "other"}, idempotency_key="make-other")
    assert (await services.create({"name": "other"}, idempotency_key="make-other")).id == other.id
    assert [s.id async for s in services.list()] == [created.id, other.id]
    assert [s.id async for s in services.list(name="other")] == [other.id]
    assert [s.id async for s in services.list(page_size=1, limit=1)] == [created.id]
    updated = await services.update(created.id, description="says hi", if_match=1)
    assert (updated.description, updated.name, updated.version) == ("says hi", "greeter", 2)
    renamed = await services.update(created.id, {"name": "hello"})
    assert (renamed.name, renamed.version) == ("hello", 3)
    await services.delete(created.id, if_match=3)
    with pytest.raises(CLINotFoundError) as missing:
        await services.get(created.id)
    assert missing.value.status_code == 404


async def test_publish_versions_and_invoke(async_flow_client: Any) -> None:
    client = async_flow_client
    services = client.hosted_services
    greeter = await _greeter(client)
    assert (greeter.latest_version, [v.version for v in greeter.versions]) == (1, [1])

    await services.update(
        greeter.id, endpoints=[{"method": "GET", "path": "/greet/{name}", "handler": GREET_V2}]
    )
    v2 = await services.publish(greeter.id, idempotency_key="publish-v2")
    assert isinstance(v2, ServiceVersion)
    assert v2.version == 2
    versions = await services.versions(greeter.id)
    assert [(v.version, [e.path for e in v.endpoints]) for v in versions] == [
        (1, ["/greet/{name}", "/echo"]),
        (2, ["/greet/{name}"]),
    ]

    v1 = await services.invoke(greeter.id, "GET", "/greet/ada", version=1)
    assert v1 == {"message": "hello ada", "version": 1}
    assert await services.invoke(greeter.id, "get", "greet/ada") == {
        "message": "hi ada",
        "version": 2,
    }
    assert await services.invoke(greeter.id, "GET", "/greet/ada", version="2") == {
        "message": "hi ada",
        "version": 2,
    }
    echoed = await services.invoke(
        greeter.id,
        "POST",
        "/echo",
        body={"items": [1, 2], "note": "ünïcode"},
        query={"page": 2, "tag": ["a", "b"]},
        version=1,
    )
    assert echoed == {
        "body": {"items": [1, 2], "note": "ünïcode"},
        "query": {"page": "2", "tag": ["a", "b"]},
        "params": {},
        "method": "POST",
        "path": "/echo",
        "version": 1,
    }


async def test_invoke_sends_the_same_request_as_invoke_service(async_flow_client: Any) -> None:
    client = async_flow_client
    greeter = await _greeter(client)
    arguments: dict[str, Any] = {"body": {"n": 1}, "query": {"q": "x"}, "version": 1}
    mine = await client.hosted_services.invoke.with_raw_response(
        greeter.id, "post", "/echo", **arguments
    )
    core = await client.invoke_service.with_raw_response(greeter.id, "post", "/echo", **arguments)
    for raw in (mine, core):
        assert raw.status_code == 200
        assert raw.http_response.request.method == "POST"
    assert mine.http_response.request.url == core.http_response.request.url
    assert mine.http_response.request.content == core.http_response.request.content
    assert mine.parse() == core.parse()
    assert mine.parse()["query"] == {"q": "x"}


async def test_invokes_run_concurrently(async_flow_client: Any) -> None:
    client = async_flow_client
    greeter = await _greeter(client)
    names = ["ada", "grace", "alan", "barbara"]
    answers = await asyncio.gather(
        *(client.hosted_services.invoke(greeter.id, "GET", f"/greet/{n}") for n in names)
    )
    assert [a["message"] for a in answers] == [f"hello {n}" for n in names]


async def test_a_code_block_handler_defaults_to_the_clients_workspace(
    async_flow_client: Any,
) -> None:
    client = async_flow_client
    block = await client.code_blocks.create(
        name="double", spec={"code": "def main(body):\n    return {'double': body['n'] * 2}"}
    )
    services = client.hosted_services
    service = await services.create(
        name="math", endpoints=[{"method": "POST", "path": "/double", "code_block_id": block.id}]
    )
    (draft,) = service.endpoints
    assert (draft.code_block_id, draft.workspace_id) == (block.id, client.config.workspace_id)
    updated = await services.update(
        service.id, endpoints=[Endpoint(method="POST", path="/twice", code_block_id=block.id)]
    )
    assert updated.endpoints[0].workspace_id == client.config.workspace_id
    await services.publish(service.id)
    assert await services.invoke(service.id, "POST", "/twice", body={"n": 4}) == {"double": 8}


async def test_errors(async_flow_client: Any, local_platform: Any) -> None:
    client = async_flow_client
    services = client.hosted_services
    greeter = await _greeter(client)

    # 404: an unknown path, version or service
    with pytest.raises(CLINotFoundError) as nowhere:
        await services.invoke(greeter.id, "GET", "/nowhere")
    assert nowhere.value.status_code == 404
    assert "has no endpoint at /nowhere" in str(nowhere.value)
    with pytest.raises(CLINotFoundError, match="no version v9; published: v1"):
        await services.invoke(greeter.id, "GET", "/greet/ada", version=9)
    for call in (services.get, services.publish, services.delete, services.versions):
        with pytest.raises(CLINotFoundError):
            await call("svc_missing")
    with pytest.raises(CLINotFoundError):
        await services.update("svc_missing", name="x")

    # 405, and refused before sending
    with pytest.raises(CLIClientError) as wrong_method:
        await services.invoke(greeter.id, "DELETE", "/greet/ada")
    assert wrong_method.value.status_code == 405
    with pytest.raises(CLIClientError, match="the endpoint path is empty") as empty:
        await services.invoke(greeter.id, "GET", "/")
    assert empty.value.status_code is None
    with pytest.raises(CLIClientError, match=r"'\.' or '\.\.' segment"):
        await services.invoke(greeter.id, "GET", "/../x")

    # 409: a stale if_match, and an unpublished service
    current = (await services.get(greeter.id)).version
    await services.update(greeter.id, description="edited", if_match=current)
    with pytest.raises(CLIConflictError) as stale:
        await services.update(greeter.id, description="again", if_match=current)
    assert stale.value.status_code == 409
    with pytest.raises(CLIConflictError, match="review it again"):
        await services.publish(greeter.id, if_match=current)
    assert (await services.publish(greeter.id, if_match=current + 1)).version == 2
    with pytest.raises(CLIConflictError):
        await services.delete(greeter.id, if_match=current)
    draft = await services.create(
        name="draft", endpoints=[{"method": "GET", "path": "/a", "handler": "x = 1"}]
    )
    with pytest.raises(CLIConflictError, match="no published version yet"):
        await services.invoke(draft.id, "GET", "/a")

    # 422: a bad definition
    with pytest.raises(CLIValidationError) as invalid:
        await services.create(name="bad", endpoints=[{"method": "FETCH", "path": "/a"}])
    assert invalid.value.status_code == 422
    assert "method" in str(invalid.value)
    with pytest.raises(CLIValidationError, match="name"):
        await services.create({})

    # 502: a failing handler (this client does not retry it)
    async with local_platform.async_client(max_retries=0) as once:
        await once.hosted_services.update(
            greeter.id, endpoints=[{"method": "POST", "path": "/fail", "handler": FAIL}]
        )
        await once.hosted_services.publish(greeter.id)
        with pytest.raises(CLIServerError) as failed:
            await once.hosted_services.invoke(greeter.id, "POST", "/fail", body={"n": 1})
    assert (failed.value.status_code, failed.value.code) == (502, "handler_failed")
    assert "ValueError: cannot handle {'n': 1}" in str(failed.value)


async def test_invoke_without_an_org_says_so_as_invoke_service_does(
    flow_transport_mode: str, local_platform: Any
) -> None:
    async with local_platform.async_client(org_id=None) as client:
        with pytest.raises(CLIClientError) as mine:
            await client.hosted_services.invoke("svc_1", "GET", "/a")
        with pytest.raises(CLIClientError) as core:
            await client.invoke_service("svc_1", "GET", "/a")
    assert "no org_id is configured" in str(mine.value)
    assert (str(mine.value), mine.value.hint) == (str(core.value), core.value.hint)
