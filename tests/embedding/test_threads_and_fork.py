"""One CLIClient shared by many threads, a client used after fork(), and closing.

Against the local platform: the thread test runs in-process and over the
loopback socket; the fork and close tests need real sockets, so they run over
the socket only and compare the client-side address of the connection each
response came over.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from flow_sdk import CLIClient, CLIClientError, Namespace, NamespaceSpec, hookimpl
from flow_sdk.testing import RecordingTransport, client_with_plugins

THREADS = 16
CALLS = 50


def _one_thread(client: CLIClient, index: int, mismatches: list[str]) -> int:
    """CALLS calls of five kinds, each checked against what it asked for; returns creations."""
    created = 0
    last: dict[str, Any] = {}
    org = client.config.org_id
    for call in range(CALLS):
        kind = call % 5
        name = f"t{index:02d}-c{call:02d}"
        if kind == 0:
            agent = client.agents.create(name=name)
            created += 1
            last = {"id": agent.id, "name": name}
            if agent.name != name:
                mismatches.append(f"create {name} -> {agent.name}")
        elif kind == 1:
            agent = client.agents.get(last["id"])
            if (agent.id, agent.name) != (last["id"], last["name"]):
                mismatches.append(f"get {last} -> {agent.id} {agent.name}")
        elif kind == 2:
            model = client.create_component("model", {"name": name})
            if (model["name"], model.get("type", "model")) != (name, "model"):
                mismatches.append(f"create model {name} -> {model}")
        elif kind == 3:
            found = [a.name for a in client.agents.list(name=last["name"])]
            if found != [last["name"]]:
                mismatches.append(f"list name={last['name']} -> {found}")
        else:
            workspaces = client.list_workspaces(str(org))
            if [w["id"] for w in workspaces] != [client.config.workspace_id]:
                mismatches.append(f"workspaces -> {workspaces}")
    return created


def test_one_client_shared_by_many_threads_loses_and_crosses_nothing(
    flow_client: CLIClient,
) -> None:
    mismatches: list[str] = []
    errors: list[BaseException] = []
    created = [0] * THREADS
    start = threading.Barrier(THREADS)

    def work(index: int) -> None:
        try:
            start.wait()
            created[index] = _one_thread(flow_client, index, mismatches)
        except BaseException as exc:  # reported below, with the thread's index
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert mismatches == []
    assert sum(created) == THREADS * CALLS // 5
    names = {a.name for a in flow_client.agents.list(page_size=500)}
    assert len(names) == sum(created)  # every write arrived, once


# fork and close: over the loopback socket

socket_only = pytest.mark.parametrize("flow_transport_mode", ["socket"])


def _port(response: httpx.Response) -> int:
    """The client-side port of the connection ``response`` came over."""
    stream = response.extensions["network_stream"]
    return int(stream.get_extra_info("client_addr")[1])


def _me(client: CLIClient) -> httpx.Response:
    return client._client.request("GET", "/api/v1/auth/me")


def _in_child(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` in a forked child; return what it reported (or raise what it raised)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running the parent's cleanup
        code = 0
        try:
            os.close(read_end)
            try:
                report = work()
            except BaseException as exc:
                report, code = {"error": repr(exc)}, 1
            os.write(write_end, json.dumps(report).encode())
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        data = reader.read()
    _, status = os.waitpid(pid, 0)
    report: dict[str, Any] = json.loads(data or b"{}")
    assert os.waitstatus_to_exitcode(status) == 0, report
    return report


@socket_only
def test_after_fork_the_child_opens_its_own_connections(flow_client: CLIClient) -> None:
    parent_port = _port(_me(flow_client))
    assert _port(_me(flow_client)) == parent_port  # the pool keeps the connection
    parent_pool = id(flow_client._client.http)

    def child() -> dict[str, Any]:
        rebuilt = id(flow_client._client.http) != parent_pool
        ports = [_port(_me(flow_client)) for _ in range(3)]
        agent = flow_client.agents.create(name="made by the child")
        return {"rebuilt": rebuilt, "ports": ports, "agent": agent.id}

    report = _in_child(child)
    assert report["rebuilt"] is True  # the child's client made a new httpx client
    assert parent_port not in report["ports"]  # a fresh pool: never the parent's socket
    assert len(set(report["ports"])) == 1  # which it then reuses
    assert _port(_me(flow_client)) == parent_port  # the parent's connection is intact
    assert flow_client.agents.get(report["agent"]).name == "made by the child"


@socket_only
def test_a_context_manager_closes_its_connections(
    flow_transport_mode: str, local_platform: Any
) -> None:
    assert local_platform.mode == "socket"
    with local_platform.client() as client:
        response = _me(client)
        sock = response.extensions["network_stream"].get_extra_info("socket")
        assert sock.fileno() != -1
    assert sock.fileno() == -1  # the socket is closed, not left to the garbage collector
    with pytest.raises(CLIClientError, match="the client is closed") as caught:
        client.list_orgs()
    assert caught.value.hint == "make a new CLIClient, or make the calls inside its `with` block"


class _SlowNamespacePlugin:
    """A namespace whose construction takes a while, so threads race to build it."""

    __name__ = "slow_namespace_plugin"

    @hookimpl
    def flow_sdk_namespaces(self) -> list[NamespaceSpec]:
        def build(client: CLIClient) -> Namespace:
            time.sleep(0.02)
            return Namespace(client)

        return [NamespaceSpec("slow", build)]


def test_threads_racing_to_a_namespace_all_get_the_same_one() -> None:
    client = client_with_plugins(_SlowNamespacePlugin(), transport=RecordingTransport())
    seen: list[object] = []
    start = threading.Barrier(8)

    def grab() -> None:
        start.wait()
        seen.append(client.slow)

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert all(namespace is seen[0] for namespace in seen)
    assert client.slow is seen[0]
