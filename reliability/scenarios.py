"""What must never happen, measured against the local platform: each scenario returns figures.

Used twice: by ``make reliability`` (``reliability/run.py``), which prints one
table at full size, and by ``tests/reliability``, which runs every scenario at
a bounded size in CI and asserts the figures that must be 0.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from random import Random
from typing import Any

from flow_sdk import CLIClientError, CLINotFoundError

Figures = dict[str, Any]


def _no_wait(_seconds: float) -> None:
    """Retries back off without real waiting: the figures count attempts, not seconds."""


def faulted_calls(handle: Any, *, calls: int = 1000, seed: int = 7) -> Figures:
    """Mixed calls (create, get, update, delete, list) while ~30 % of requests fail.

    A third of the faults are 429s, a third 503s, a third dropped connections
    (half before the platform handled the request, half after: the answer is
    lost). Default client settings, no real waiting. Afterwards, with faults
    off, every write a call reported is checked: a create stored twice is a
    duplicate, a reported create, update or delete not in effect is a lost write.
    """
    from flow_sdk_local import FaultRule

    client = handle.client(sleep=_no_wait)
    client.agents.list().first()  # exchange the key before the faults start
    handle.inject_faults(
        rules=[
            FaultRule(kind="429", share=0.10, retry_after=0.0),
            FaultRule(kind="503", share=0.10 / 0.90, retry_after=0.0),
            FaultRule(kind="drop", share=0.05 / 0.80),
            FaultRule(kind="drop_after", share=0.05 / 0.75),
        ],
        seed=seed,
    )
    rng = Random(seed)
    created: dict[str, str] = {}  # name -> id, as the client reported
    updated: dict[str, str] = {}  # id -> description, as the client reported
    deleted: set[str] = set()
    unsure: set[str] = set()  # a failed update or delete may still have taken effect
    failures = 0
    for number in range(calls):
        live = [i for i in created.values() if i not in deleted]
        kind = rng.choice(("create", "create", "get", "update", "delete", "list"))
        if not live and kind not in ("create", "list"):
            kind = "create"
        target = rng.choice(live) if live else ""
        try:
            if kind == "create":
                name = f"agent-{number}"
                created[name] = client.agents.create(name=name).id
            elif kind == "get":
                client.agents.get(target)
            elif kind == "update":
                client.agents.update(target, description=f"v{number}")
                updated[target] = f"v{number}"
            elif kind == "delete":
                client.agents.delete(target)
                deleted.add(target)
            else:
                client.agents.list(page_size=20, limit=20).to_list()
        except CLIClientError:
            failures += 1
            if kind in ("update", "delete"):
                unsure.add(target)
    injected = sum(rule.injected for rule in handle.faults())
    handle.clear_faults()
    stored: dict[str, list[str]] = {}
    for agent in client.agents.list(page_size=500):
        stored.setdefault(agent.name, []).append(agent.id)
    duplicates = sum(len(ids) - 1 for ids in stored.values() if len(ids) > 1)
    lost = 0
    for name, agent_id in created.items():
        if agent_id in deleted or agent_id in unsure:
            continue
        if agent_id not in stored.get(name, []):
            lost += 1
    for agent_id, description in updated.items():
        if agent_id in deleted or agent_id in unsure:
            continue
        try:
            if client.agents.get(agent_id).description != description:
                lost += 1
        except CLINotFoundError:
            lost += 1
    lost += sum(1 for agent_id in deleted if _exists(client, agent_id))
    return {
        "calls": calls,
        "faults injected": injected,
        "failed": failures,
        "failed %": round(100 * failures / calls, 1),
        "duplicates": duplicates,
        "lost writes": lost,
    }


def _exists(client: Any, agent_id: str) -> bool:
    try:
        client.agents.get(agent_id)
    except CLINotFoundError:
        return False
    return True


def platform_down(handle: Any, *, calls: int = 1000, warm_up: int = 100) -> Figures:
    """Every request a 503: how many attempts each call makes once the budget has spoken."""
    client = handle.client(api_key=None, access_token=handle.token(), sleep=_no_wait)
    handle.inject_faults("503", share=1.0, retry_after=0.0)

    def attempts() -> int:
        return sum(rule.injected for rule in handle.faults())

    def call() -> None:
        with contextlib.suppress(CLIClientError):
            client.agents.get("cmp_missing")

    for _ in range(warm_up):
        call()
    before = attempts()
    for _ in range(calls - warm_up):
        call()
    per_call = (attempts() - before) / (calls - warm_up)
    handle.clear_faults()
    return {
        "calls": calls,
        "attempts per call": round(per_call, 3),
        "after the first": warm_up,
    }


_WRITER = textwrap.dedent(
    """
    import sys
    from flow_sdk import CLIClient, FlowConfig
    config = FlowConfig(platform_url=sys.argv[1], api_key=sys.argv[3],
                        org_id="org_dev", workspace_id="ws_dev")
    with CLIClient(config) as client:
        for i in range(int(sys.argv[2])):
            client.agents.create(name=f"{sys.argv[4]}-{i}")
    """
)


def concurrent_writers(*, processes: int = 8, writes: int = 25) -> Figures:
    """Several processes write to one file-backed platform at once: count what is stored."""
    from flow_sdk import CLIClient, FlowConfig
    from flow_sdk_local import forget_platform, platform_for

    url = f"local://reliability-{uuid.uuid4().hex[:8]}"
    key = platform_for(url).mint_dev_key()
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, url, str(writes), key, f"p{n}"])  # noqa: S603
        for n in range(processes)
    ]
    failed = sum(1 for proc in procs if proc.wait(timeout=600) != 0)
    config = FlowConfig(platform_url=url, api_key=key, org_id="org_dev", workspace_id="ws_dev")
    with CLIClient(config) as client:
        names = [agent.name for agent in client.agents.list(page_size=500)]
    forget_platform(url)
    expected = processes * writes
    return {
        "processes": processes,
        "writes": expected,
        "processes failed": failed,
        "writes lost": expected - len(set(names)),
        "duplicates": len(names) - len(set(names)),
    }


def cross_tenant_reads(handle: Any) -> Figures:
    """Another tenant's user asks for this tenant's resources by id: every answer must be 404."""
    client = handle.client()
    ids = [client.agents.create(name=f"private-{n}").id for n in range(5)]
    other = handle.create_tenant()
    # in its own tenant, and naming this tenant's org and workspace with its own key
    own = handle.client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    )
    trespassing = handle.client(api_key=other["api_key"])
    attempts = 0
    leaked = 0
    tries: list[Callable[[], object]] = []
    for intruder in (own, trespassing):
        for agent_id in ids:
            tries.append(lambda i=intruder, a=agent_id: i.agents.get(a))
            tries.append(lambda i=intruder, a=agent_id: i.agents.versions(a))
            tries.append(lambda i=intruder, a=agent_id: i.agents.update(a, description="x"))
            tries.append(lambda i=intruder, a=agent_id: i.agents.delete(a))
    for attempt in tries:
        attempts += 1
        try:
            attempt()
        except CLIClientError as error:
            if error.status_code not in (403, 404):
                leaked += 1
        else:
            leaked += 1
    return {"attempts": attempts, "cross-tenant reads": leaked}


def secrets_in_output(handle: Any, flow_cli: Any) -> Figures:
    """Run commands that fail and succeed with --debug; look for the key and tokens in output."""
    key = handle.api_key
    token = handle.token()
    runs = [
        flow_cli("--debug", "orgs", "list"),
        flow_cli("--debug", "agents", "get", "cmp_missing"),
        flow_cli("--debug", "auth", "status"),
        flow_cli("--debug", "api", "GET", "/api/v1/auth/me"),
    ]
    found = sum(
        1 for run in runs for secret in (key, token) if secret in run.out or secret in run.err
    )
    return {"commands": len(runs), "secrets found": found}


@contextmanager
def listening_server() -> Iterator[tuple[str, list[bytes]]]:
    """A server on loopback that records every request it receives (and answers ``[]``)."""
    import socket
    import threading

    received: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn, suppress(OSError):
                conn.settimeout(2)
                received.append(conn.recv(65536))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join()
        listener.close()


def credentials_to_foreign_hosts(flow: Callable[..., tuple[int, str, str]]) -> Figures:
    """After ``flow local init``, commands pointed at another host: what reaches it."""
    flow("local", "init")
    with listening_server() as (url, received):
        commands = [
            ("--platform-url", url, "orgs", "list"),
            ("--platform-url", url, "auth", "status"),
            ("--platform-url", url, "agents", "list"),
            ("--platform-url", url, "api", "GET", "/api/v1/auth/me"),
        ]
        for argv in commands:
            flow(*argv)
    secrets_sent = sum(
        1
        for request in received
        if b"authorization:" in request.lower() or b"fl_" in request or b"api_key" in request
    )
    return {"commands": len(commands), "requests with a credential": secrets_sent}


HOSTILE: list[tuple[str, bytes]] = [
    ("malformed JSON", b'{"name": '),
    ("invalid UTF-8", b'{"name": "\xff\xfe"}'),
    ("deep arrays", b"[" * 5000 + b"]" * 5000),
    ("deep objects", b'{"a":' * 5000 + b"1" + b"}" * 5000),
    ("huge number", b'{"name": "x", "version": 1' + b"0" * 5000 + b"}"),
    ("SQL-looking name", b'{"name": "x\'; DROP TABLE documents; --"}'),
    ("control characters", b'{"name": "a\\u0000b"}'),
    ("not an object", b'"just a string"'),
]
HOSTILE_PATHS = [
    "/api/v1/orgs/org_dev/workspaces/ws_dev/components/agent/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/v1/orgs/org_dev/workspaces/ws_dev/components/agent/%00",
    "/api/v1/orgs/org_dev/workspaces/ws_dev/components/..%2fagent",
    "/api/v1/orgs/org_dev/workspaces/ws_dev/components/agent?limit=-1&cursor=%ff",
    "/_local/../api/v1/tenants/orgs",
]


def hostile_requests(url: str, token: str, *, answer_within_s: float = 15.0) -> Figures:
    """Raw requests no client of ours would send, over a socket: 5xx, hangs and crashes."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    collection = "/api/v1/orgs/org_dev/workspaces/ws_dev/components/agent"
    requests: list[bytes] = []

    def request(method: str, path: str, body: bytes = b"", *, length: int | None = None) -> bytes:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + body

    for _name, body in HOSTILE:
        requests.append(request("POST", collection, body))
    for path in HOSTILE_PATHS:
        requests.append(request("GET", path))
    requests.append(request("POST", collection, b'{"name": "x"}', length=50_000_000))  # short
    requests.append(request("POST", "/api/v1/unknown", b"x" * 200_000))  # big, unauthenticated
    server_errors = hangs = 0
    for raw in requests:
        try:
            with socket.create_connection((host, port), timeout=answer_within_s) as conn:
                conn.sendall(raw)
                answer = conn.recv(64)
        except TimeoutError:
            hangs += 1
            continue
        except OSError:
            continue  # the server may close a connection it refuses
        status = answer.split(b" ", 2)[1:2]
        if status and status[0].startswith(b"5"):
            server_errors += 1
    try:
        with socket.create_connection((host, port), timeout=5) as conn:
            conn.sendall(
                b"GET /_local/health HTTP/1.1\r\nHost: "
                + f"{host}:{port}".encode()
                + b"\r\nConnection: close\r\n\r\n"
            )
            alive = conn.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        alive = False
    return {
        "requests": len(requests),
        "5xx": server_errors,
        "hangs": hangs,
        "crashes": 0 if alive else 1,
    }
