"""ROUTES.md's complete example, run as written, through both transports."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError, CLIValidationError

ROUTES_MD = Path(__file__).parents[3] / "plugins" / "local" / "ROUTES.md"


def _example_module() -> types.ModuleType:
    text = ROUTES_MD.read_text()
    section = text.split("## 8. A complete example", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "ROUTES.md lost its complete example"
    module = types.ModuleType("routes_md_example")
    exec(compile(code.group(1), str(ROUTES_MD), "exec"), module.__dict__)
    return module


bookmarks_plugin = _example_module()


@pytest.mark.flow_plugins(bookmarks_plugin)
def test_example_plugin_serves_notes(flow_client, local_platform):
    url = flow_client._tenant_url("bookmarks")
    note = flow_client._call("POST", url, json={"title": "hello"})
    assert note["version"] == 1
    assert note["title"] == "hello"
    assert note["id"].startswith("bookmark_")
    fetched = flow_client._call("GET", f"{url}/{note['id']}")
    assert fetched == note
    updated = flow_client._call(
        "PATCH", f"{url}/{note['id']}", json={"body": "text"}, headers={"If-Match": "1"}
    )
    assert (updated["version"], updated["body"], updated["title"]) == (2, "text", "hello")
    with pytest.raises(CLIConflictError) as stale:
        flow_client._call(
            "PATCH", f"{url}/{note['id']}", json={"body": "x"}, headers={"If-Match": "1"}
        )
    assert stale.value.code == "version_conflict"
    assert flow_client._call("POST", f"{url}/{note['id']}/pin") == {
        "id": note["id"],
        "pinned": True,
    }
    with pytest.raises(CLIConflictError, match="unpin"):
        flow_client._call("DELETE", f"{url}/{note['id']}")
    with pytest.raises(CLIValidationError, match="title must not be blank"):
        flow_client._call("POST", url, json={"title": "  "})
    with pytest.raises(CLIValidationError) as bad:
        flow_client._call("POST", url, json={"title": 5})
    assert bad.value.detail == [{"loc": ["body", "title"], "msg": "Expected `str`, got `int`"}]
    page = flow_client._call("GET", url, params={"title": "hello"})
    assert [n["id"] for n in page["items"]] == [note["id"]]
    assert page["next_cursor"] is None


@pytest.mark.flow_plugins(bookmarks_plugin)
def test_example_routes_are_in_the_openapi_document(local_platform):
    doc = local_platform.client()._call("GET", "/openapi.json")
    assert {"get", "post"} <= set(
        doc["paths"]["/api/v1/orgs/{org_id}/workspaces/{workspace_id}/bookmarks"]
    )
    pin = doc["paths"]["/api/v1/orgs/{org_id}/workspaces/{workspace_id}/bookmarks/{id}/pin"]["post"]
    assert pin["summary"] == "Pin a bookmark (a pinned bookmark cannot be deleted)."
    assert "Bookmark" in doc["components"]["schemas"]


def test_without_the_plugin_bookmarks_do_not_exist(flow_client_inprocess):
    with pytest.raises(CLINotFoundError) as missing:
        flow_client_inprocess._call("GET", flow_client_inprocess._tenant_url("bookmarks"))
    assert missing.value.code == "route_not_found"


@pytest.mark.flow_plugins(bookmarks_plugin)
def test_patch_that_breaks_the_model_is_422_and_changes_nothing(flow_client_inprocess):
    client = flow_client_inprocess
    url = client._tenant_url("bookmarks")
    bookmark = client._call("POST", url, json={"title": "keep"})
    with pytest.raises(CLIValidationError) as err:
        client._call("PATCH", f"{url}/{bookmark['id']}", json={"title": None})
    assert err.value.detail[0]["loc"] == ["body", "title"]
    assert client._call("GET", f"{url}/{bookmark['id']}") == bookmark


@pytest.mark.flow_plugins(bookmarks_plugin)
def test_the_testing_section_examples_pass(flow_client, local_platform, flow_cli):
    section = ROUTES_MD.read_text().split("## 9. Testing with the fixtures", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "ROUTES.md lost its testing example"
    namespace: dict = {}
    exec(compile(code.group(1), str(ROUTES_MD), "exec"), namespace)
    namespace["test_bookmarks"](flow_client, local_platform)
    namespace["test_bookmarks_from_the_command_line"](flow_cli)
