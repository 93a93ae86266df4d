"""The OpenAPI document: generated from the routes, complete, and committed up to date."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from flow_sdk_local import LocalPlatform
from flow_sdk_local.openapi import build_document, render
from flow_sdk_local.openapi import main as openapi_main

from .conftest import widget_plugin

COMMITTED = Path(__file__).parents[3] / "docs" / "openapi.json"


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_document_covers_exactly_the_installed_routes():
    platform = LocalPlatform("local://memory-openapi-test", plugins=[widget_plugin])
    try:
        doc = build_document(platform.app)
        documented = {
            (path, method.upper()) for path, ops in doc["paths"].items() for method in ops
        }
        routes = {(r.path, r.method) for r in platform.app.routes}
        console = {(r.path, r.method) for r in platform.app.routes if "console" in r.tags}
        assert ("/console/{panel}", "POST") in console  # HTML pages: not part of the API
        assert ("/", "GET") in console  # a browser sent to them: neither
        assert documented == routes - console
        assert doc["openapi"] == "3.1.0"
        schemas = doc["components"]["schemas"]
        for ref in _refs(doc):
            assert ref.removeprefix("#/components/schemas/") in schemas, ref
        create = doc["paths"][
            "/api/v1/orgs/{org_id}/workspaces/{workspace_id}/components/{component_type}"
        ]["post"]
        type_param = next(p for p in create["parameters"] if p["name"] == "component_type")
        assert "widget" in type_param["schema"]["enum"]
        assert "201" in create["responses"]
        assert create["security"] == [{"bearerAuth": []}]
        token = doc["paths"]["/api/v1/auth/token"]["post"]
        assert token["security"] == []
        assert set(schemas["TokenRequest"]["required"]) == {"api_key"}
    finally:
        platform.close()


def test_served_document_matches_the_generated_one(flow_client_inprocess, local_platform):
    served = flow_client_inprocess._call("GET", "/openapi.json")
    assert served == json.loads(render(build_document(local_platform.platform.app)))


def test_committed_document_is_current():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert openapi_main() == 0  # what `python -m flow_sdk_local.openapi` prints
    assert COMMITTED.exists(), "docs/openapi.json is missing"
    if out.getvalue() == COMMITTED.read_text():
        return
    fresh, committed = json.loads(out.getvalue()), json.loads(COMMITTED.read_text())
    changed_paths = sorted(
        set(fresh["paths"]) ^ set(committed["paths"])
        | {
            p
            for p in set(fresh["paths"]) & set(committed["paths"])
            if fresh["paths"][p] != committed["paths"][p]
        }
    )
    new_schemas, old_schemas = fresh["components"]["schemas"], committed["components"]["schemas"]
    changed_schemas = sorted(
        n for n in set(new_schemas) | set(old_schemas) if new_schemas.get(n) != old_schemas.get(n)
    )
    pytest.fail(
        "docs/openapi.json is stale: run `uv run python -m flow_sdk_local.openapi > "
        f"docs/openapi.json` and commit it.\n  paths changed: {changed_paths[:20]}\n"
        f"  schemas changed: {changed_schemas[:20]}"
    )


def test_a_body_is_required_exactly_where_a_request_needs_one(local_platform) -> None:
    """An operation whose body may be left out takes no body at all (read as ``{}``); one
    that needs a body refuses a request without one, naming it."""
    document = json.loads(COMMITTED.read_text())
    http = local_platform.http()
    values = {"org_id": "org_dev", "workspace_id": "ws_dev", "component_type": "agent"}
    optional = required = 0
    for path, operations in document["paths"].items():
        url = path
        for name in [p.strip("{}") for p in path.split("/") if p.startswith("{")]:
            url = url.replace(f"{{{name}}}", values.get(name, "nothing_here"))
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None or "application/json" not in body["content"]:
                continue
            answer = http.request(method.upper(), url)
            said = answer.text
            if body["required"]:
                required += 1
                assert answer.status_code in (404, 422), (method, path, said)
            else:
                optional += 1
                assert answer.status_code not in (415, 422), (method, path, said)
    assert optional >= 20
    assert required >= 20
