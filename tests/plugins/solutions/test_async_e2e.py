"""Solutions through ``AsyncCLIClient``, in-process and over the socket.

The same namespace code as the sync tests run: every method awaited, ``list``
iterated with ``async for``, export and import between workspaces.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from flow_sdk import CLIConflictError, CLINotFoundError, CLIValidationError
from flow_sdk_solutions import ComponentRef, ImportResult, Solution, SolutionBundle

pytestmark = pytest.mark.anyio


async def _parts(client: Any) -> tuple[Any, Any]:
    """An agent with two versions, and a tool whose spec names the agent."""
    agent = await client.agents.create(name="planner", spec={"model": "small"})
    agent = await client.agents.update(agent.id, spec={"model": "large"}, description="v2")
    tool = await client.tools.create(
        name="search", spec={"agent_id": agent.id, "by_id": {agent.id: "main"}}
    )
    return agent, tool


async def test_create_get_list_update_delete(async_flow_client: Any) -> None:
    solutions = async_flow_client.solutions
    agent, tool = await _parts(async_flow_client)
    solution = await solutions.create(
        name="helpdesk",
        description="answers tickets",
        components=[agent, {"type": "tool", "id": tool.id}],
        idempotency_key="make-helpdesk",
    )
    assert isinstance(solution, Solution)
    assert solution.components == [
        ComponentRef(type="agent", id=agent.id),
        ComponentRef(type="tool", id=tool.id),
    ]
    again = await solutions.create(
        name="helpdesk",
        description="answers tickets",
        components=[agent, {"type": "tool", "id": tool.id}],
        idempotency_key="make-helpdesk",
    )
    assert again.id == solution.id
    assert await solutions.get(solution.id) == solution
    other = await solutions.create({"name": "other"})
    assert [s.id async for s in solutions.list()] == [solution.id, other.id]
    assert [s.id async for s in solutions.list(name="other")] == [other.id]
    assert [len(p.items) async for p in solutions.list(page_size=1).pages()] == [1, 1]
    assert await solutions.list(limit=1).to_list() == [solution]

    updated = await solutions.update(solution.id, components=[tool], if_match=solution.version)
    assert ([c.type for c in updated.components], updated.version) == (["tool"], 2)
    renamed = await solutions.update(solution.id, {"description": "new"}, name="desk")
    assert (renamed.name, renamed.description, renamed.version) == ("desk", "new", 3)
    await solutions.delete(solution.id, if_match=3)
    with pytest.raises(CLINotFoundError) as missing:
        await solutions.get(solution.id)
    assert missing.value.status_code == 404


async def test_errors(async_flow_client: Any) -> None:
    solutions = async_flow_client.solutions
    solution = await solutions.create(name="s")
    await solutions.update(solution.id, description="changed")
    with pytest.raises(CLIConflictError) as stale:
        await solutions.update(solution.id, name="x", if_match=solution.version)
    assert stale.value.status_code == 409
    with pytest.raises(CLIConflictError):
        await solutions.delete(solution.id, if_match=solution.version)
    with pytest.raises(CLIValidationError, match="no agent") as invalid:
        await solutions.create(name="s", components=[{"type": "agent", "id": "cmp_nope"}])
    assert invalid.value.status_code == 422
    with pytest.raises(CLIValidationError, match="needs a type and an id") as local:
        await solutions.create(name="s", components=[{"id": "cmp_1"}])
    assert local.value.status_code is None
    for call in (solutions.get, solutions.delete, solutions.export):
        with pytest.raises(CLINotFoundError):
            await call("sol_missing")
    with pytest.raises(CLINotFoundError):
        await solutions.update("sol_missing", name="x")


async def test_export_and_import_between_workspaces(
    async_flow_client: Any, local_platform: Any, tmp_path: Path
) -> None:
    client = async_flow_client
    agent, tool = await _parts(client)
    solution = await client.solutions.create(name="helpdesk", components=[agent, tool])

    bundle = await client.solutions.export(solution.id)
    assert isinstance(bundle, SolutionBundle)
    assert bundle.solution.id == solution.id
    by_type = {c.type: c for c in bundle.components}
    assert [(v.version, v.spec) for v in by_type["agent"].versions] == [
        (1, {"model": "small"}),
        (2, {"model": "large"}),
    ]

    # A copy in this workspace: new ids, references mapped.
    copied = await client.solutions.import_(bundle, name="helpdesk copy")
    assert isinstance(copied, ImportResult)
    new_agent, new_tool = copied.id_map[agent.id], copied.id_map[tool.id]
    assert copied.solution.name == "helpdesk copy"
    assert (await client.tools.get(new_tool)).spec == {
        "agent_id": new_agent,
        "by_id": {new_agent: "main"},
    }
    keyed = [
        await client.solutions.import_(bundle.to_dict(), idempotency_key="once") for _ in range(2)
    ]
    assert keyed[0].solution.id == keyed[1].solution.id

    # To another workspace, through a file.
    path = await client.solutions.export_to_file(solution.id, tmp_path / "out" / "b.json")
    assert path == tmp_path / "out" / "b.json"
    assert json.loads(path.read_text())["solution"]["name"] == "helpdesk"
    other = local_platform.create_tenant()
    async with local_platform.async_client(
        api_key=other["api_key"], org_id=other["org_id"], workspace_id=other["workspace_id"]
    ) as elsewhere:
        moved = await elsewhere.solutions.import_(str(path))
        assert [s.id async for s in elsewhere.solutions.list()] == [moved.solution.id]
        assert (await elsewhere.agents.get(moved.id_map[agent.id])).name == "planner"
        assert (await elsewhere.solutions.export(moved.solution.id)).solution.name == "helpdesk"


async def test_imports_and_exports_run_concurrently(async_flow_client: Any) -> None:
    client = async_flow_client
    agent, _tool = await _parts(client)
    solution = await client.solutions.create(name="helpdesk", components=[agent])
    bundle = await client.solutions.export(solution.id)
    results = await asyncio.gather(
        *(client.solutions.import_(bundle, name=f"copy {i}") for i in range(3)),
        client.solutions.export(solution.id),
    )
    names = sorted(r.solution.name for r in results[:3])
    assert names == ["copy 0", "copy 1", "copy 2"]
    assert results[3].solution.id == solution.id


async def test_bad_bundles_are_refused(async_flow_client: Any, tmp_path: Path) -> None:
    solutions = async_flow_client.solutions
    with pytest.raises(CLIValidationError, match="not a solution bundle"):
        await solutions.import_({"format": "zip", "format_version": 1})
    with pytest.raises(CLIValidationError, match="cannot read the bundle"):
        await solutions.import_(tmp_path / "absent.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CLIValidationError, match=r"broken\.json is not JSON"):
        await solutions.import_(broken)
    assert await solutions.list().to_list() == []
