"""``flow services …`` against the local platform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hosted_services_support import GREET, GREET_V2


def test_create_publish_invoke_versions(flow: Any, tmp_path: Path) -> None:
    handler = tmp_path / "greet.py"
    handler.write_text(GREET)
    created = flow(
        "services", "create", "--set", "name=greeter",
        "--endpoint", "GET", "/greet/{name}", str(handler),
    )  # fmt: skip
    assert created.code == 0, created.err
    service = created.json()
    assert service["endpoints"][0]["handler"] == GREET

    unpublished = flow("services", "invoke", service["id"], "GET", "/greet/ada")
    assert unpublished.code == 1
    assert "publish it first" in unpublished.err

    published = flow("services", "publish", service["id"])
    assert published.code == 0, published.err
    assert published.json()["version"] == 1
    assert f"published {service['id']} as v1" in published.err

    updated = flow(
        "services", "update", service["id"], "--endpoint", "GET", "/greet/{name}", "-",
        stdin=GREET_V2,
    )  # fmt: skip
    assert updated.code == 0, updated.err
    assert flow("services", "publish", service["id"], "--if-match", "1").code == 1
    assert flow("services", "publish", service["id"], "--if-match", "3").code == 0

    latest = flow("services", "invoke", service["id"], "GET", "/greet/ada")
    assert latest.json() == {"message": "hi ada", "version": 2}
    first = flow(
        "services", "invoke", service["id"], "GET", "greet/ada",
        "--version", "1", "--query", "greeting=hey",
    )  # fmt: skip
    assert first.json() == {"message": "hey ada", "version": 1}

    versions = flow("services", "versions", service["id"])
    assert [v["version"] for v in versions.json()] == [1, 2]
    lines = flow("services", "versions", service["id"], "--jsonl")
    assert [json.loads(line)["version"] for line in lines.out.splitlines()] == [1, 2]
    assert [s["id"] for s in flow("services", "list").json()] == [service["id"]]
    assert flow("services", "get", service["id"]).json()["latest_version"] == 2
    assert flow("services", "delete", service["id"], "--yes").code == 0
    assert flow("services", "get", service["id"]).code == 1


def test_invoke_sends_data_and_repeated_queries(
    flow: Any, flow_client_inprocess: Any, tmp_path: Path
) -> None:
    echo = "def main(body, query):\n    return {'body': body, 'query': query}\n"
    service = flow_client_inprocess.hosted_services.create(
        name="echo", endpoints=[{"method": "POST", "path": "/echo", "handler": echo}]
    )
    flow_client_inprocess.hosted_services.publish(service.id)
    inline = flow(
        "services", "invoke", service.id, "POST", "/echo",
        "--data", '{"a": [1, 2]}', "-q", "tag=x", "-q", "tag=y",
    )  # fmt: skip
    assert inline.code == 0, inline.err
    assert inline.json() == {"body": {"a": [1, 2]}, "query": {"tag": ["x", "y"]}}
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps({"from": "file"}))
    from_file = flow("services", "invoke", service.id, "POST", "/echo", "--data", f"@{body_file}")
    assert from_file.json()["body"] == {"from": "file"}
    from_stdin = flow(
        "services", "invoke", service.id, "POST", "/echo", "--data", "-", stdin="[true]"
    )
    assert from_stdin.json()["body"] == [True]


def test_invoke_explains_bad_arguments(flow: Any) -> None:
    bad_json = flow("services", "invoke", "svc_1", "POST", "/echo", "--data", "{oops")
    assert bad_json.code == 1
    assert "--data is not valid JSON" in bad_json.err
    bad_query = flow("services", "invoke", "svc_1", "GET", "/a", "--query", "novalue")
    assert bad_query.code == 1
    assert "--query takes KEY=VALUE" in bad_query.err
    assert flow("services", "invoke", "svc_1", "GET", "/a", "--version", "0").code == 2
    missing = flow("services", "create")
    assert missing.code == 2  # a usage error
    assert "no body given" in missing.err


def test_failures_and_wrong_methods_exit_1_with_the_detail(
    flow: Any, flow_client_inprocess: Any
) -> None:
    service = flow_client_inprocess.hosted_services.create(
        name="failing",
        endpoints=[{"method": "GET", "path": "/fail", "handler": "def main():\n    1 / 0\n"}],
    )
    flow_client_inprocess.hosted_services.publish(service.id)
    failed = flow("services", "invoke", service.id, "GET", "/fail")
    assert failed.code == 1
    assert "ZeroDivisionError: division by zero" in failed.err
    wrong = flow("services", "invoke", service.id, "POST", "/fail")
    assert wrong.code == 1
    assert "405" in wrong.err
