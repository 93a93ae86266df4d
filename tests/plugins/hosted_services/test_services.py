"""``client.hosted_services`` and ``client.invoke_service`` end to end, on the local platform."""

from __future__ import annotations

from pathlib import Path
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
from hosted_services_support import FAIL, GREET, GREET_V2


def test_create_get_list_update_delete(flow_client: Any) -> None:
    services = flow_client.hosted_services
    created = services.create(
        name="greeter",
        description="says hello",
        endpoints=[Endpoint(method="get", path="greet/{name}/", handler=GREET)],
    )
    assert isinstance(created, HostedService)
    assert created.id.startswith("svc_")
    assert (created.versions, created.latest_version, created.version) == ([], None, 1)
    # Methods and paths are stored normalised.
    assert [(e.method, e.path) for e in created.endpoints] == [("GET", "/greet/{name}")]
    assert services.get(created.id) == created
    assert [s.id for s in services.list()] == [created.id]
    assert [s.id for s in services.list(name="other")] == []
    updated = services.update(created.id, description="says hi", if_match=1)
    assert (updated.description, updated.name, updated.version) == ("says hi", "greeter", 2)
    services.delete(created.id, if_match=2)
    with pytest.raises(CLINotFoundError):
        services.get(created.id)


def test_publish_freezes_versions(flow_client: Any, greeter: Any) -> None:
    services = flow_client.hosted_services
    assert greeter.latest_version == 1
    assert [v.version for v in greeter.versions] == [1]
    services.update(greeter.id, endpoints=[{"method": "GET", "path": "/x", "handler": "x = 1"}])
    v2 = services.publish(greeter.id)
    assert isinstance(v2, ServiceVersion)
    assert v2.version == 2
    assert [e.path for e in v2.endpoints] == ["/x"]
    versions = services.versions(greeter.id)
    assert [(v.version, [e.path for e in v.endpoints]) for v in versions] == [
        (1, ["/greet/{name}", "/echo"]),
        (2, ["/x"]),
    ]
    assert services.get(greeter.id).latest_version == 2


def test_invoke_two_versions_side_by_side(flow_client: Any, greeter: Any) -> None:
    services = flow_client.hosted_services
    services.update(
        greeter.id, endpoints=[{"method": "GET", "path": "/greet/{name}", "handler": GREET_V2}]
    )
    services.publish(greeter.id)
    v1 = flow_client.invoke_service(greeter.id, "GET", "/greet/ada", version=1)
    v2 = flow_client.invoke_service(greeter.id, "GET", "/greet/ada", version=2)
    latest = flow_client.invoke_service(greeter.id, "get", "greet/ada")
    assert v1 == {"message": "hello ada", "version": 1}
    assert v2 == {"message": "hi ada", "version": 2}
    assert latest == v2
    # The namespace makes the same request.
    assert services.invoke(greeter.id, "GET", "/greet/ada", version="1") == v1
    # v1 still answers /echo; v2 has no such endpoint.
    assert services.invoke(greeter.id, "POST", "/echo", body=[1], version=1)["body"] == [1]
    with pytest.raises(CLINotFoundError, match="no endpoint at /echo"):
        services.invoke(greeter.id, "POST", "/echo", body=[1])


def test_the_handler_gets_the_request(flow_client: Any, greeter: Any) -> None:
    echoed = flow_client.hosted_services.invoke(
        greeter.id,
        "POST",
        "/echo",
        body={"items": [1, 2], "note": "ünïcode"},
        query={"page": 2, "tag": ["a", "b"]},
    )
    assert echoed == {
        "body": {"items": [1, 2], "note": "ünïcode"},
        "query": {"page": "2", "tag": ["a", "b"]},
        "params": {},
        "method": "POST",
        "path": "/echo",
        "version": 1,
    }
    greeting = flow_client.invoke_service(
        greeter.id, "GET", "/greet/grace", query={"greeting": "howdy"}
    )
    assert greeting["message"] == "howdy grace"


def test_handlers_without_main_and_returning_any_json(flow_client: Any) -> None:
    services = flow_client.hosted_services
    service = services.create(
        name="shapes",
        endpoints=[
            {"method": "GET", "path": "/outputs", "handler": "outputs = [inputs['version'], 'x']"},
            {"method": "GET", "path": "/nothing", "handler": "def main():\n    return None"},
            {"method": "GET", "path": "/number", "handler": "def main():\n    return 42"},
            {"method": "PUT", "path": "/items/{id}", "handler": "def main(params, body):\n"
             "    return {'id': params['id'], 'body': body}"},
        ],
    )  # fmt: skip
    services.publish(service.id)
    assert services.invoke(service.id, "GET", "/outputs") == [1, "x"]
    assert services.invoke(service.id, "GET", "/nothing") is None
    assert services.invoke(service.id, "GET", "/number") == 42
    assert services.invoke(service.id, "PUT", "/items/a%2Fb", body=True) == {
        "id": "a/b",
        "body": True,
    }


def test_an_unpublished_service_says_to_publish_it(flow_client: Any) -> None:
    service = flow_client.hosted_services.create(
        name="draft", endpoints=[{"method": "GET", "path": "/a", "handler": "x = 1"}]
    )
    with pytest.raises(CLIConflictError) as caught:
        flow_client.invoke_service(service.id, "GET", "/a")
    assert "no published version yet" in str(caught.value)
    assert f"flow services publish {service.id}" in str(caught.value)


def test_unknown_paths_versions_and_services_are_not_found(flow_client: Any, greeter: Any) -> None:
    with pytest.raises(CLINotFoundError) as caught:
        flow_client.invoke_service(greeter.id, "GET", "/nowhere")
    assert "has no endpoint at /nowhere; its endpoints: GET /greet/{name}, POST /echo" in str(
        caught.value
    )
    with pytest.raises(CLINotFoundError, match="no version v9; published: v1"):
        flow_client.invoke_service(greeter.id, "GET", "/greet/ada", version=9)
    with pytest.raises(CLINotFoundError):
        flow_client.invoke_service("svc_missing", "GET", "/greet/ada")
    for call in ("get", "publish", "delete", "versions"):
        with pytest.raises(CLINotFoundError):
            getattr(flow_client.hosted_services, call)("svc_missing")


def test_a_wrong_method_is_405_with_allow(
    local_platform: Any, flow_client: Any, greeter: Any
) -> None:
    with pytest.raises(CLIClientError) as caught:
        flow_client.invoke_service(greeter.id, "DELETE", "/greet/ada")
    assert caught.value.status_code == 405
    assert "answers /greet/ada only to GET, not DELETE" in str(caught.value)
    http = local_platform.http()
    response = http.patch(f"/api/v1/orgs/org_dev/services/{greeter.id}/echo", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["code"] == "method_not_allowed"


def test_a_failing_handler_is_502_with_its_error(no_retry_client: Any, greeter: Any) -> None:
    services = no_retry_client.hosted_services
    services.update(greeter.id, endpoints=[{"method": "POST", "path": "/fail", "handler": FAIL}])
    services.publish(greeter.id)
    with pytest.raises(CLIServerError) as caught:
        services.invoke(greeter.id, "POST", "/fail", body={"n": 1})
    error = caught.value
    assert error.status_code == 502
    assert error.code == "handler_failed"
    assert "the handler of POST /fail" in str(error)
    assert "ValueError: cannot handle {'n': 1}" in str(error)


def test_a_slow_handler_is_504(no_retry_client: Any, greeter: Any) -> None:
    services = no_retry_client.hosted_services
    slow = "import time\ndef main():\n    time.sleep(10)\n"
    services.update(
        greeter.id,
        endpoints=[{"method": "GET", "path": "/slow", "handler": slow, "timeout_s": 0.3}],
    )
    services.publish(greeter.id)
    with pytest.raises(CLIServerError) as caught:
        services.invoke(greeter.id, "GET", "/slow")
    assert caught.value.status_code == 504
    assert "ran longer than its limit of 0.3s" in str(caught.value)


def test_a_retried_failure_does_not_run_the_handler_again(
    flow_client: Any, greeter: Any, tmp_path: Path
) -> None:
    # flow_client retries 502 answers; the retry carries the same Idempotency-Key.
    marker = tmp_path / "runs.txt"
    counting = (
        "def main(body):\n"
        "    with open(body['marker'], 'a') as f:\n"
        "        f.write('run\\n')\n"
        "    raise RuntimeError('always')\n"
    )
    services = flow_client.hosted_services
    services.update(
        greeter.id, endpoints=[{"method": "POST", "path": "/count", "handler": counting}]
    )
    services.publish(greeter.id)
    with pytest.raises(CLIServerError, match="RuntimeError: always"):
        services.invoke(greeter.id, "POST", "/count", body={"marker": str(marker)})
    assert marker.read_text() == "run\n"


def test_a_body_that_is_not_json_is_422(
    local_platform: Any, flow_client: Any, greeter: Any
) -> None:
    http = local_platform.http()
    response = http.post(
        f"/api/v1/orgs/org_dev/services/{greeter.id}/echo",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "invalid JSON" in response.text


def test_published_versions_do_not_change_with_edits(flow_client: Any, greeter: Any) -> None:
    flow_client.hosted_services.update(
        greeter.id, endpoints=[{"method": "GET", "path": "/greet/{name}", "handler": GREET_V2}]
    )
    # Edited but not published: the latest published version still answers.
    assert flow_client.invoke_service(greeter.id, "GET", "/greet/ada")["version"] == 1
    assert flow_client.hosted_services.get(greeter.id).versions[0].endpoints[0].handler == GREET


@pytest.mark.parametrize(
    ("endpoints", "words"),
    [
        ([{"method": "GET", "path": "/versions", "handler": "x = 1"}], "endpoints.0.path"),
        ([{"method": "TRACE", "path": "/a", "handler": "x = 1"}], "endpoints.0.method"),
        ([{"method": "GET", "path": "/a", "handler": "def ("}], "is not valid Python"),
        ([{"method": "GET", "path": "/a"}], "handler"),
        ([{"method": "GET", "path": "/a", "handler": "x=1", "timeout_s": 600}], "at most 60"),
        ("not a list", "endpoints"),
    ],
)
def test_bad_endpoints_are_422(flow_client_inprocess: Any, endpoints: Any, words: str) -> None:
    # Validation is the platform's: one transport is enough.
    services = flow_client_inprocess.hosted_services
    with pytest.raises(CLIValidationError) as caught:
        services.create(name="bad", endpoints=endpoints)
    assert caught.value.status_code == 422
    assert words in str(caught.value)
    service = services.create(name="good")
    with pytest.raises(CLIValidationError):
        services.update(service.id, endpoints=endpoints)


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": None}])
def test_a_service_needs_a_name(flow_client_inprocess: Any, body: dict[str, Any]) -> None:
    with pytest.raises(CLIValidationError, match="name"):
        flow_client_inprocess.hosted_services.create(body)


def test_stale_versions_are_conflicts(flow_client: Any, greeter: Any) -> None:
    services = flow_client.hosted_services
    current = services.get(greeter.id).version
    services.update(greeter.id, description="edited", if_match=current)
    with pytest.raises(CLIConflictError):
        services.update(greeter.id, description="again", if_match=current)
    with pytest.raises(CLIConflictError, match="review it again"):
        services.publish(greeter.id, if_match=current)
    assert services.publish(greeter.id, if_match=current + 1).version == 2
    with pytest.raises(CLIConflictError):
        services.delete(greeter.id, if_match=current)


def test_nothing_to_publish_without_endpoints(flow_client: Any) -> None:
    service = flow_client.hosted_services.create(name="empty")
    with pytest.raises(CLIConflictError, match="no endpoints to publish"):
        flow_client.hosted_services.publish(service.id)


def test_deleting_a_service_stops_its_endpoints(flow_client: Any, greeter: Any) -> None:
    flow_client.hosted_services.delete(greeter.id)
    with pytest.raises(CLINotFoundError):
        flow_client.invoke_service(greeter.id, "GET", "/greet/ada", version=1)


def test_another_orgs_service_is_not_found(
    flow_client: Any, local_platform: Any, greeter: Any
) -> None:
    other = local_platform.create_tenant()
    outsider = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    for call in ("get", "publish", "delete", "versions"):
        with pytest.raises(CLINotFoundError):
            getattr(outsider.hosted_services, call)(greeter.id)
    with pytest.raises(CLINotFoundError):
        outsider.invoke_service(greeter.id, "GET", "/greet/ada")
    assert outsider.hosted_services.list().to_list() == []
    # Naming our org in the URL does not help either.
    intruder = local_platform.client(
        api_key=other["api_key"], org_id=local_platform.org_id, workspace_id="ws_dev"
    )
    with pytest.raises(CLINotFoundError):
        intruder.invoke_service(greeter.id, "GET", "/greet/ada")


def test_a_code_block_handler_is_frozen_when_published(flow_client: Any) -> None:
    block = flow_client.code_blocks.create(
        name="double", spec={"code": "def main(body):\n    return {'double': body['n'] * 2}"}
    )
    services = flow_client.hosted_services
    service = services.create(
        name="math", endpoints=[{"method": "POST", "path": "/double", "code_block_id": block.id}]
    )
    (draft,) = service.endpoints
    assert (draft.code_block_id, draft.workspace_id, draft.handler) == (block.id, "ws_dev", None)
    v1 = services.publish(service.id)
    assert v1.endpoints[0].code_block_version == 1
    assert "body['n'] * 2" in (v1.endpoints[0].handler or "")
    # Editing the block changes the next version, never the published one.
    flow_client.code_blocks.update(
        block.id, spec={"code": "def main(body):\n    return {'triple': body['n'] * 3}"}
    )
    services.publish(service.id)
    assert services.invoke(service.id, "POST", "/double", body={"n": 4}, version=1) == {"double": 8}
    assert services.invoke(service.id, "POST", "/double", body={"n": 4}) == {"triple": 12}
    assert services.versions(service.id)[1].endpoints[0].code_block_version == 2


def test_a_missing_code_block_is_refused(flow_client_inprocess: Any, local_platform: Any) -> None:
    services = flow_client_inprocess.hosted_services
    block = flow_client_inprocess.code_blocks.create(name="b", spec={"code": "outputs = 1"})
    with pytest.raises(CLIValidationError, match="no code block 'cmp_missing'"):
        services.create(
            name="x", endpoints=[{"method": "GET", "path": "/a", "code_block_id": "cmp_missing"}]
        )
    with pytest.raises(CLIValidationError, match="no code block"):
        services.create(
            name="x",
            endpoints=[
                {"method": "GET", "path": "/a", "code_block_id": block.id, "workspace_id": "ws_x"}
            ],
        )
    with pytest.raises(CLIValidationError, match="not both"):
        services.create(
            name="x",
            endpoints=[
                {"method": "GET", "path": "/a", "code_block_id": block.id, "handler": "x = 1"}
            ],
        )
    # Another org's workspace and block are out of reach too.
    other = local_platform.create_tenant()
    outsider = local_platform.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    with pytest.raises(CLIValidationError, match="no code block"):
        outsider.hosted_services.create(
            name="x",
            endpoints=[
                {"method": "GET", "path": "/a", "code_block_id": block.id, "workspace_id": "ws_dev"}
            ],
        )
    # A block deleted after the service was saved stops the next publish.
    service = services.create(
        name="x", endpoints=[{"method": "GET", "path": "/a", "code_block_id": block.id}]
    )
    flow_client_inprocess.code_blocks.delete(block.id)
    with pytest.raises(CLIConflictError, match="no longer exists"):
        services.publish(service.id)
