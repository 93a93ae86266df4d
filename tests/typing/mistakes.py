"""Mistakes a type checker must catch; each marked line names the error code it must raise."""

from __future__ import annotations

from flow_sdk import AsyncCLIClient, CLIClient
from flow_sdk_example.notes import NotesNamespace


async def mistakes(client: CLIClient, aclient: AsyncCLIClient) -> None:
    client.agnets.list()  # E: attr-defined
    client.agents.get(42)  # E: arg-type
    print(client.agents.get("cmp_1").nmae)  # E: attr-defined
    await client.agents.get("cmp_1")  # E: misc
    print(aclient.agents.get("cmp_1").name)  # E: attr-defined
    for _ in aclient.agents.list():  # E: attr-defined
        pass
    client.datasets.append_rows("ds_1", rows=[{"a": 1}], batch_sise=10)  # E: call-arg
    client.namespace(NotesNamespace).pin(1)  # E: arg-type
    client.agents.get.with_options(timeout="5")  # E: arg-type
