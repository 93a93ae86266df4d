"""ResourceNamespace, ComponentTypeNamespace and the lazy Paginator."""

from __future__ import annotations

import json
from typing import Any

import httpx
import msgspec
import pytest
from flow_sdk import (
    CLIClientError,
    CLIConflictError,
    CLINotFoundError,
    Component,
    ComponentTypeNamespace,
    ComponentVersion,
    Model,
    Page,
    Paginator,
    ResourceNamespace,
)
from flow_sdk.plugin import ModeT, body_of

from .conftest import TENANT, MakeClient


class Thing(Model):
    id: str
    name: str
    version: int = 1


class Things(ResourceNamespace[ModeT, Thing]):
    path = "things"
    model = Thing


class OrgThings(Things):
    scope = "org"


class GlobalThings(Things):
    path = "catalog/things"
    scope = "global"


def pages_of(*pages: list[dict[str, Any]]) -> Any:
    """A handler that serves ``pages`` in order, each pointing at the next by cursor."""

    def answer(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        index = int(cursor) if cursor else 0
        next_cursor = str(index + 1) if index + 1 < len(pages) else None
        return httpx.Response(200, json={"items": pages[index], "next_cursor": next_cursor})

    return answer


def things(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"thing {i}"} for i in ids]


# list and pagination


def test_list_is_lazy_and_typed(make_client: MakeClient) -> None:
    client, transport = make_client(pages_of(things("a", "b"), things("c")))
    paginator = Things(client).list(page_size=2)
    assert isinstance(paginator, Paginator)
    assert transport.requests == []
    items = list(paginator)
    assert items == [
        Thing(id="a", name="thing a"),
        Thing(id="b", name="thing b"),
        Thing(id="c", name="thing c"),
    ]
    assert [dict(r.url.params) for r in transport.requests] == [
        {"limit": "2"},
        {"limit": "2", "cursor": "1"},
    ]
    assert all(r.url.path == f"{TENANT}/things" for r in transport.requests)
    assert all(r.method == "GET" for r in transport.requests)


def test_limit_stops_fetching(make_client: MakeClient) -> None:
    client, transport = make_client(pages_of(things("a", "b"), things("c", "d"), things("e")))
    ns = Things(client)
    assert [t.id for t in ns.list(page_size=2, limit=3)] == ["a", "b", "c"]
    assert len(transport.requests) == 2
    transport.requests.clear()
    assert [t.id for t in ns.list(page_size=2, limit=2)] == ["a", "b"]
    assert len(transport.requests) == 1
    transport.requests.clear()
    assert list(ns.list(limit=0)) == []
    assert transport.requests == []


def test_first_fetches_one_page(make_client: MakeClient) -> None:
    client, transport = make_client(pages_of(things("a", "b"), things("c")))
    assert Things(client).list().first() == Thing(id="a", name="thing a")
    assert len(transport.requests) == 1


def test_to_list_and_pages(make_client: MakeClient) -> None:
    client, _ = make_client(pages_of(things("a"), things("b"), things()))
    ns = Things(client)
    assert [t.id for t in ns.list().to_list()] == ["a", "b"]
    pages = list(ns.list().pages())
    assert [len(p.items) for p in pages] == [1, 1, 0]
    assert isinstance(pages[0], Page)


def test_empty_page_with_a_cursor_stops(make_client: MakeClient) -> None:
    client, transport = make_client({"items": [], "next_cursor": "again"})
    assert Things(client).list().to_list() == []
    assert len(transport.requests) == 1


def test_filters_become_query_parameters(make_client: MakeClient) -> None:
    client, transport = make_client({"items": []})
    Things(client).list(name="x", active=True, missing=None).to_list()
    assert dict(transport.last.url.params) == {"name": "x", "active": "true", "limit": "50"}


@pytest.mark.parametrize("size", [0, 501, -1])
def test_page_size_bounds(make_client: MakeClient, size: int) -> None:
    client, _ = make_client()
    with pytest.raises(ValueError, match="page_size"):
        Things(client).list(page_size=size)


def test_negative_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        Paginator(lambda cursor: Page(items=[]), limit=-1)


def test_list_errors_surface_on_iteration(make_client: MakeClient) -> None:
    client, _ = make_client(httpx.Response(404, json={"detail": "no workspace"}))
    paginator = Things(client).list()
    with pytest.raises(CLINotFoundError):
        paginator.to_list()


def test_wrong_shape_is_a_client_error(make_client: MakeClient) -> None:
    client, _ = make_client({"items": [{"id": 5}]})
    with pytest.raises(CLIClientError, match="cannot read"):
        Things(client).list().to_list()


# get, create, update, delete


def test_get(make_client: MakeClient) -> None:
    client, transport = make_client({"id": "a/b", "name": "n", "extra": "ignored"})
    assert Things(client).get("a/b") == Thing(id="a/b", name="n")
    assert transport.last.method == "GET"
    assert transport.last.url.raw_path == f"{TENANT}/things/a%2Fb".encode()


def test_get_refuses_an_empty_id(make_client: MakeClient) -> None:
    client, transport = make_client()
    with pytest.raises(CLIClientError, match="id is empty"):
        Things(client).get("")
    assert transport.requests == []


def test_create_from_mapping_struct_and_fields(make_client: MakeClient) -> None:
    client, transport = make_client(httpx.Response(201, json={"id": "n", "name": "x"}))
    ns = Things(client)
    assert ns.create({"name": "x", "tags": ["a"]}, name="y") == Thing(id="n", name="x")
    assert transport.last.method == "POST"
    assert transport.last.url.path == f"{TENANT}/things"
    assert json.loads(transport.last.content) == {"name": "y", "tags": ["a"]}
    assert transport.last.headers["Idempotency-Key"]

    class NewThing(msgspec.Struct):
        name: str

    ns.create(NewThing(name="s"), idempotency_key="k-1")
    assert json.loads(transport.last.content) == {"name": "s"}
    assert transport.last.headers["Idempotency-Key"] == "k-1"
    ns.create(name="only-fields")
    assert json.loads(transport.last.content) == {"name": "only-fields"}


def test_create_retry_keeps_the_key(make_client: MakeClient) -> None:
    client, transport = make_client(httpx.Response(502), {"id": "n", "name": "x"})
    Things(client).create(name="x")
    assert len({r.headers["Idempotency-Key"] for r in transport.requests}) == 1
    assert len(transport.requests) == 2


def test_update_with_and_without_if_match(make_client: MakeClient) -> None:
    client, transport = make_client({"id": "a", "name": "new", "version": 3})
    ns = Things(client)
    assert ns.update("a", {"name": "new"}, if_match=2).version == 3
    assert transport.last.method == "PATCH"
    assert transport.last.url.path == f"{TENANT}/things/a"
    assert transport.last.headers["If-Match"] == "2"
    assert json.loads(transport.last.content) == {"name": "new"}
    ns.update("a", name="newer")
    assert "If-Match" not in transport.last.headers
    assert json.loads(transport.last.content) == {"name": "newer"}


def test_stale_if_match_is_a_conflict(make_client: MakeClient) -> None:
    client, _ = make_client(httpx.Response(409, json={"detail": "version is 4, not 2"}))
    with pytest.raises(CLIConflictError) as info:
        Things(client).update("a", name="x", if_match=2)
    assert "if_match" in (info.value.hint or "")


def test_delete(make_client: MakeClient) -> None:
    client, transport = make_client(httpx.Response(204))
    ns = Things(client)
    assert ns.delete("a", if_match=7) is None
    assert transport.last.method == "DELETE"
    assert transport.last.url.path == f"{TENANT}/things/a"
    assert transport.last.headers["If-Match"] == "7"
    ns.delete("b")
    assert "If-Match" not in transport.last.headers


def test_org_and_global_scopes(make_client: MakeClient) -> None:
    client, transport = make_client({"id": "a", "name": "n"})
    OrgThings(client).get("a")
    assert transport.last.url.path == "/api/v1/orgs/org_1/things/a"
    GlobalThings(client).get("a")
    assert transport.last.url.path == "/api/v1/catalog/things/a"


def test_org_scope_needs_an_org(make_client: MakeClient) -> None:
    client, _ = make_client(org_id=None)
    with pytest.raises(CLIClientError, match="no org_id is configured"):
        OrgThings(client).get("a")


def test_default_model_is_a_dict(make_client: MakeClient) -> None:
    class Raw(ResourceNamespace[ModeT, dict[str, Any]]):
        path = "raw"

    client, _ = make_client({"anything": [1]})
    assert Raw(client).get("x") == {"anything": [1]}
    assert repr(Raw(client)) == "<Raw>"


def test_body_of() -> None:
    assert body_of(None, {}) == {}
    assert body_of({"a": 1}, {"a": 2, "b": 3}) == {"a": 2, "b": 3}
    original = {"a": 1}
    body_of(original, {"b": 2})
    assert original == {"a": 1}


# ComponentTypeNamespace


COMPONENT = {
    "id": "cmp_1",
    "type": "evaluator",
    "name": "judge",
    "description": "",
    "spec": {"metric": "f1"},
    "version": 2,
    "created_at": "2026-01-02T03:04:05Z",
    "updated_at": "2026-01-02T03:04:06Z",
}


def test_component_namespace_paths_and_models(make_client: MakeClient) -> None:
    client, transport = make_client({"items": [COMPONENT], "next_cursor": None})
    ns = ComponentTypeNamespace(client, "evaluator")
    assert repr(ns) == "<ComponentTypeNamespace type='evaluator'>"
    items = ns.list(name="judge").to_list()
    assert isinstance(items[0], Component)
    assert items[0].spec == {"metric": "f1"}
    assert items[0].created_at is not None
    assert items[0].created_at.year == 2026
    assert transport.last.url.path == f"{TENANT}/components/evaluator"
    assert dict(transport.last.url.params) == {"name": "judge", "limit": "50"}


def test_component_crud(make_client: MakeClient) -> None:
    client, transport = make_client(COMPONENT)
    ns = ComponentTypeNamespace(client, "evaluator")
    assert ns.get("cmp_1").name == "judge"
    assert transport.last.url.path == f"{TENANT}/components/evaluator/cmp_1"
    ns.create(name="judge", spec={"metric": "f1"})
    assert transport.last.method == "POST"
    assert transport.last.url.path == f"{TENANT}/components/evaluator"
    ns.update("cmp_1", description="d", if_match=2)
    assert transport.last.headers["If-Match"] == "2"


def test_component_versions(make_client: MakeClient) -> None:
    history = {"items": [{"version": 1, "name": "a"}, {"version": 2, "name": "b"}]}
    client, transport = make_client(history)
    versions = ComponentTypeNamespace(client, "agent").versions("cmp 1")
    assert versions == [
        ComponentVersion(version=1, name="a"),
        ComponentVersion(version=2, name="b"),
    ]
    assert transport.last.url.raw_path == f"{TENANT}/components/agent/cmp%201/versions".encode()


def test_component_type_is_encoded(make_client: MakeClient) -> None:
    client, transport = make_client(COMPONENT)
    ComponentTypeNamespace(client, "../x").get("a")
    assert transport.last.url.raw_path == f"{TENANT}/components/..%2Fx/a".encode()


def test_component_namespace_needs_a_type(make_client: MakeClient) -> None:
    client, _ = make_client()
    with pytest.raises(TypeError, match="needs a component type"):
        ComponentTypeNamespace(client)

    class Agents(ComponentTypeNamespace):
        component_type = "agent"

    assert Agents(client).type == "agent"


def test_model_to_dict() -> None:
    thing = Thing(id="a", name="n")
    assert thing.to_dict() == {"id": "a", "name": "n", "version": 1}


def test_a_repeated_cursor_stops_iteration_with_an_error(make_client: MakeClient) -> None:
    client, transport = make_client({"items": [{"id": "a", "name": "n"}], "next_cursor": "same"})
    paginator = Things(client).list()
    with pytest.raises(CLIClientError, match="cursor 'same' twice"):
        paginator.to_list()
    assert len(transport.requests) == 2
