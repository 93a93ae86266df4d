"""Many writers through the API at once, on one file-backed local platform: nothing is lost.

Threads share one in-process client; separate processes open the same
``local://NAME`` file through their own in-process transport.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path
from typing import Any

from flow_sdk import CLIClient, FlowConfig

WORKER = textwrap.dedent(
    """
    import os, sys
    from flow_sdk import CLIClient, FlowConfig
    config = FlowConfig(platform_url=sys.argv[1], api_key=os.environ["BENCH_KEY"])
    with CLIClient(config) as client:
        for i in range(int(sys.argv[2])):
            client._call("POST", "/api/v1/tenants/orgs", json={"name": f"p{os.getpid()}-{i}"})
    """
)


def _create_orgs(client: CLIClient, prefix: str, count: int, errors: list[BaseException]) -> None:
    try:
        for index in range(count):
            client._call("POST", "/api/v1/tenants/orgs", json={"name": f"{prefix}-{index}"})
    except BaseException as exc:
        errors.append(exc)


def test_threads_and_processes_lose_no_writes(flow_config_dir: Path) -> None:
    from flow_sdk_local import platform_for

    url = f"local://concurrency-{uuid.uuid4().hex[:8]}"
    platform = platform_for(url)
    key = platform.mint_dev_key()
    env: dict[str, Any] = {**os.environ, "BENCH_KEY": key}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, "15"], env=env) for _ in range(2)]
    with CLIClient(FlowConfig(platform_url=url, api_key=key)) as client:
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_create_orgs, args=(client, f"t{n}", 15, errors))
            for n in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert [p.wait(timeout=180) for p in procs] == [0, 0]
        orgs = client.list_orgs()
    assert len(orgs) == 1 + 3 * 15 + 2 * 15
    assert len({o["id"] for o in orgs}) == len(orgs)


def _child_creates_org(client: CLIClient) -> None:
    client._call("POST", "/api/v1/tenants/orgs", json={"name": "from the child"})


def test_a_forked_child_reopens_the_platform(flow_config_dir: Path) -> None:
    import multiprocessing

    from flow_sdk_local import platform_for

    url = f"local://fork-{uuid.uuid4().hex[:8]}"
    key = platform_for(url).mint_dev_key()
    with CLIClient(FlowConfig(platform_url=url, api_key=key)) as client:
        client.list_orgs()
        child = multiprocessing.get_context("fork").Process(
            target=_child_creates_org, args=(client,)
        )
        child.start()
        child.join(timeout=120)
        assert child.exitcode == 0
        assert "from the child" in [o["name"] for o in client.list_orgs()]
