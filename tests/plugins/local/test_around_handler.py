"""``app.around_handler``: code a plugin runs around every matched route's handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flow_sdk import hookimpl
from flow_sdk_local import TENANT, HTTPError, Request, Response, Route

pytestmark = pytest.mark.usefixtures("flow_transport_mode")

NOTES = "/api/v1/orgs/org_dev/workspaces/ws_dev/jottings"


class AroundPlugin:
    """A plugin with a jottings route and around handlers that record what they see."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str, str | None]] = []

    @hookimpl
    def flow_sdk_local_routes(self, app: Any) -> None:
        def record(tag: str) -> Callable[[Route, Request, Callable[[Request], Any]], Any]:
            def around(route: Route, request: Request, call_next: Callable[[Request], Any]) -> Any:
                user = request.principal.user_id if request.principal else None
                self.seen.append((tag, request.method, route.path, user))
                return call_next(request)

            return around

        app.around_handler(record("outer"))
        app.around_handler(record("inner"))
        app.around_handler(record("tenant-only"), prefix=TENANT + "/jottings")

        @app.around_handler
        def guard(route: Route, request: Request, call_next: Callable[[Request], Any]) -> Any:
            """Writes the audit row before the handler, refuses a title after it."""
            if route.path != TENANT + "/jottings" or request.method != "POST":
                return call_next(request)
            with request.store.transaction() as tx:
                tx.insert("audit", "", request.request_id, {"path": request.path})
            result = call_next(request)
            if request.json().get("title") == "forbidden":
                raise HTTPError(403, "that title is not allowed", "title_denied")
            if request.json().get("title") == "replaced":
                return Response(202, {"replaced": True})
            return result

        def create(request: Request) -> dict[str, Any]:
            with request.store.transaction() as tx:
                tx.insert("jotting", "", request.request_id, request.json())
            return {"title": request.json()["title"]}

        app.add_route("POST", TENANT + "/jottings", create, status=201)
        app.add_route("GET", TENANT + "/jottings", lambda request: {"items": []})


def _plugin(request: pytest.FixtureRequest) -> AroundPlugin:
    plugin: AroundPlugin = request.node.get_closest_marker("flow_plugins").args[0]
    plugin.seen.clear()
    return plugin


def _count(local_platform: Any, kind: str) -> int:
    with local_platform.store.transaction(write=False) as tx:
        return len(tx.list(kind, ""))


@pytest.mark.flow_plugins(AroundPlugin())
def test_runs_after_authentication_in_registration_order(local_platform, request):
    http = local_platform.http()  # minting its token is a request too
    plugin = _plugin(request)
    assert http.get(NOTES).json() == {"items": []}
    assert plugin.seen == [
        ("outer", "GET", TENANT + "/jottings", "usr_dev"),
        ("inner", "GET", TENANT + "/jottings", "usr_dev"),
        ("tenant-only", "GET", TENANT + "/jottings", "usr_dev"),
    ]


@pytest.mark.flow_plugins(AroundPlugin())
def test_not_run_for_unauthenticated_unmatched_or_other_prefix_requests(local_platform, request):
    http, anonymous = local_platform.http(), local_platform.http(authenticated=False)
    plugin = _plugin(request)
    assert anonymous.get(NOTES).status_code == 401
    assert http.get(NOTES + "/x/y/z").status_code == 404
    assert http.put(NOTES).status_code == 405
    assert plugin.seen == []
    assert http.get("/api/v1/auth/me").status_code == 200
    assert [s[0] for s in plugin.seen] == ["outer", "inner"]  # not "tenant-only"


@pytest.mark.flow_plugins(AroundPlugin())
def test_runs_inside_the_routes_transaction(local_platform, request):
    http = local_platform.http()
    created = http.post(NOTES, json={"title": "fine"})
    assert (created.status_code, created.json()) == (201, {"title": "fine"})
    assert (_count(local_platform, "audit"), _count(local_platform, "jotting")) == (1, 1)
    denied = http.post(NOTES, json={"title": "forbidden"})
    assert (denied.status_code, denied.json()["code"]) == (403, "title_denied")
    # the handler's write and the around handler's own are both rolled back
    assert (_count(local_platform, "audit"), _count(local_platform, "jotting")) == (1, 1)


@pytest.mark.flow_plugins(AroundPlugin())
def test_can_replace_the_answer_and_an_idempotent_replay_skips_it(local_platform, request):
    http = local_platform.http()
    plugin = _plugin(request)
    headers = {"Idempotency-Key": "k-1"}
    first = http.post(NOTES, json={"title": "replaced"}, headers=headers)
    assert (first.status_code, first.json()) == (202, {"replaced": True})
    calls = len(plugin.seen)
    again = http.post(NOTES, json={"title": "replaced"}, headers=headers)
    assert (again.status_code, again.headers["idempotent-replayed"]) == (202, "true")
    assert len(plugin.seen) == calls
    assert _count(local_platform, "jotting") == 1
