"""A small stateful platform double for the CLI tests (until/besides flow-sdk-local).

It answers the core's routes of the platform API (docs/openapi.json) (token exchange, /auth/me,
tenants, CLI login requests) and one generic tenant resource collection per
path, with versions, If-Match and cursor pages, so the generic resource
commands run for real against it. It is offered to the SDK through the
``flow_sdk_transport`` hook, as the local platform is.
"""

from __future__ import annotations

import io
import itertools
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
from flow_sdk import ComponentTypeSpec, NamespaceSpec, ResourceNamespace, hookimpl
from flow_sdk.plugin import ModeT

API_KEY = "fl_test_" + "k" * 24
OTHER_KEY = "fl_other_" + "q" * 24
ORG = {"id": "org_dev", "name": "Dev org", "slug": "dev"}
ORG2 = {"id": "org_two", "name": "Second org", "slug": "two"}
WORKSPACES = {
    "org_dev": [{"id": "ws_dev", "org_id": "org_dev", "name": "Dev", "slug": "dev"}],
    "org_two": [
        {"id": "ws_a", "org_id": "org_two", "name": "A", "slug": "a"},
        {"id": "ws_b", "org_id": "org_two", "name": "B", "slug": "b"},
    ],
}
USER = {"id": "usr_dev", "email": "dev@example.com", "name": "Dev User"}
URL = "https://fake.flow.test"


class TTYStringIO(io.StringIO):
    """A StringIO that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _json(status: int, body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=msgspec.json.encode(body),
        headers={"Content-Type": "application/json", "X-Request-ID": "req_test", **headers},
    )


def _error(status: int, detail: str, code: str) -> httpx.Response:
    return _json(status, {"detail": detail, "code": code})


@dataclass
class FakePlatform:
    """State and routes; ``transport`` is the httpx transport serving them."""

    keys: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {API_KEY: [ORG], OTHER_KEY: [ORG, ORG2]}
    )
    tokens: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    login_requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    resources: dict[tuple[str, ...], dict[str, dict[str, Any]]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    exchanges: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def mint_token(self, orgs: list[dict[str, Any]]) -> str:
        token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfZGV2In0." + secrets.token_urlsafe(16)
        self.tokens[token] = orgs
        return token

    # routes

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        path = request.url.path
        method = request.method
        if path == "/api/v1/auth/token" and method == "POST":
            return self._token(request)
        if path == "/api/v1/auth/cli-login-requests" and method == "POST":
            return self._new_login_request()
        match = re.fullmatch(r"/api/v1/auth/cli-login-requests/([^/]+)", path)
        if match and method == "GET":
            return self._poll_login_request(match.group(1))
        if path == "/_local/health":
            return _json(200, {"status": "ok"})
        orgs = self._caller(request)
        if orgs is None:
            return _error(401, "missing or invalid bearer token", "unauthorized")
        if path == "/api/v1/auth/me":
            return _json(200, {**USER, "orgs": orgs})
        if path == "/api/v1/tenants/orgs":
            return _json(200, orgs)
        match = re.fullmatch(r"/api/v1/tenants/orgs/([^/]+)/workspaces", path)
        if match:
            org = match.group(1)
            if org not in {o["id"] for o in orgs}:
                return _error(404, f"no org {org}", "not_found")
            return _json(200, WORKSPACES[org])
        match = re.fullmatch(r"/api/v1/orgs/([^/]+)/workspaces/([^/]+)/(.+)", path)
        if match:
            org, ws, rest = match.groups()
            if org not in {o["id"] for o in orgs} or ws not in {
                w["id"] for w in WORKSPACES.get(org, [])
            }:
                return _error(404, "no such workspace", "not_found")
            return self._resource(request, (org, ws), rest)
        return _error(404, f"no route {method} {path}", "not_found")

    def _caller(self, request: httpx.Request) -> list[dict[str, Any]] | None:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return None
        return self.tokens.get(auth.removeprefix("Bearer "))

    def _token(self, request: httpx.Request) -> httpx.Response:
        body = msgspec.json.decode(request.content)
        orgs = self.keys.get(body.get("api_key"))
        if orgs is None:
            return _error(401, "invalid API key", "invalid_api_key")
        self.exchanges += 1
        return _json(
            200,
            {
                "access_token": self.mint_token(orgs),
                "token_type": "bearer",
                "expires_at": "2999-01-01T00:00:00Z",
            },
        )

    def _new_login_request(self) -> httpx.Response:
        rid = f"clr_{next(self._ids)}"
        req = {
            "id": rid,
            "user_code": "ABCD-1234",
            "verification_url": f"{URL}/device?code=ABCD-1234",
            "poll_interval": 2,
            "expires_at": "2999-01-01T00:00:00Z",
            "status": "pending",
            "approve_after": None,
        }
        self.login_requests[rid] = req
        return _json(201, {k: v for k, v in req.items() if k != "approve_after"})

    def settle_login(self, rid: str, status: str, *, after_polls: int = 0) -> None:
        """Make login request ``rid`` turn ``status`` after that many more polls."""
        self.login_requests[rid]["settle"] = (status, after_polls)

    def _poll_login_request(self, rid: str) -> httpx.Response:
        req = self.login_requests.get(rid)
        if req is None:
            return _error(404, f"no login request {rid}", "not_found")
        status, after = req.get("settle", (None, 0))
        if status is not None:
            if after <= 0:
                req["status"] = status
                req.pop("settle")
            else:
                req["settle"] = (status, after - 1)
        body = {k: v for k, v in req.items() if k in ("id", "status", "expires_at")}
        if req["status"] == "approved" and not req.get("handed_out"):
            req["handed_out"] = True
            body["access_token"] = self.mint_token([ORG])
        return _json(200, body)

    def _resource(
        self, request: httpx.Request, tenant: tuple[str, str], rest: str
    ) -> httpx.Response:
        parts = rest.split("/")
        method = request.method
        versions = parts[-1] == "versions" and len(parts) >= 2
        if versions:
            parts = parts[:-1]
        # the collection is everything up to the id: "widgets" or "components/agent"
        if method in ("GET", "POST") and not versions and self._is_collection(parts):
            key = (*tenant, *parts)
            items = self.resources.setdefault(key, {})
            if method == "POST":
                body = msgspec.json.decode(request.content) if request.content else {}
                if not isinstance(body, dict) or not isinstance(body.get("name"), str):
                    return _json(
                        422, {"detail": [{"loc": ["body", "name"], "msg": "field required"}]}
                    )
                rid = f"res_{next(self._ids)}"
                if parts[0] == "components":
                    body = {**body, "type": parts[1]}
                item = {"id": rid, **body, "version": 1, "history": [dict(body, version=1)]}
                items[rid] = item
                return _json(201, _public(item))
            listed = [_public(i) for i in items.values()]
            name = request.url.params.get("name")
            if name is not None:
                listed = [i for i in listed if i.get("name") == name]
            limit = int(request.url.params.get("limit", 50))
            start = int(request.url.params.get("cursor") or 0)
            page = listed[start : start + limit]
            more = start + limit < len(listed)
            return _json(200, {"items": page, "next_cursor": str(start + limit) if more else None})
        key = (*tenant, *parts[:-1])
        item = self.resources.get(key, {}).get(parts[-1])
        if item is None:
            return _error(404, f"no resource {parts[-1]}", "not_found")
        if versions:
            return _json(200, {"items": item["history"], "next_cursor": None})
        if_match = request.headers.get("if-match")
        if method in ("PATCH", "DELETE") and if_match and if_match != str(item["version"]):
            return _error(
                409,
                f"version {if_match} is stale; current is {item['version']}",
                "version_conflict",
            )
        if method == "GET":
            return _json(200, _public(item))
        if method == "PATCH":
            item.update(msgspec.json.decode(request.content))
            item["version"] += 1
            item["history"].append({**_public(item)})
            return _json(200, _public(item))
        if method == "DELETE":
            del self.resources[key][parts[-1]]
            return httpx.Response(204, headers={"X-Request-ID": "req_test"})
        return _error(405, "method not allowed", "method_not_allowed")

    @staticmethod
    def _is_collection(parts: list[str]) -> bool:
        return parts in (["widgets"],) or (len(parts) == 2 and parts[0] == "components")


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "history"}


class WidgetsNamespace(ResourceNamespace[ModeT, dict[str, Any]]):
    """A generic tenant resource, as a plugin would define it."""

    path = "widgets"


class FakePlatformPlugin:
    """Serves the fake platform for every URL and adds ``client.widgets`` and ``flow widgets``,
    plus the component type ``gadget`` (``flow gadgets``)."""

    __name__ = "fake_platform"

    def __init__(self, platform: FakePlatform) -> None:
        self.platform = platform

    @hookimpl
    def flow_sdk_transport(self, platform_url: str) -> httpx.BaseTransport:
        return self.platform.transport

    @hookimpl
    def flow_sdk_namespaces(self) -> list[NamespaceSpec]:
        return [NamespaceSpec("widgets", WidgetsNamespace)]

    @hookimpl
    def flow_sdk_component_types(self) -> list[ComponentTypeSpec]:
        return [ComponentTypeSpec("gadget", "gadget_kits", summary="gadget kits")]

    @hookimpl
    def flow_sdk_cli_commands(self, commands: Any) -> None:
        commands.add_group("widgets", "widgets of the fake platform", register_widgets)


def register_widgets(parser: Any) -> None:
    """The widgets group: the generic resource verbs plus one special verb."""
    from flow_sdk.cli import add_command, add_resource_commands

    add_resource_commands(parser, namespace="widgets", columns=("id", "name", "version"))
    count = add_command(parser, "count", _count_widgets, help="count the widgets")
    count.add_argument("--name", help="only those with this name")


def _count_widgets(args: Any, ctx: Any) -> int:
    ctx.progress("counting")
    total = sum(1 for _ in ctx.namespace("widgets").list(name=args.name))
    ctx.progress.done()
    ctx.output.emit({"count": total})
    return 0
