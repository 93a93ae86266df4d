"""Every distribution is installable from the registry under names of its own, with real metadata.

The name ``flow-sdk`` on the public registry belongs to an unrelated project (which
also installs a ``flow_sdk`` package): a requirement that a foreign distribution could
meet would install it. The release check (``make release-check``) builds and installs
the wheels; these tests hold the project files.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = sorted([ROOT / "core", *ROOT.glob("plugins/*"), ROOT / "examples/plugin"])
OURS = {
    tomllib.loads((member / "pyproject.toml").read_text())["project"]["name"] for member in MEMBERS
}
FOREIGN = {"flow-sdk"}  # held on the public registry by another project
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def _project(member: Path) -> dict[str, Any]:
    return tomllib.loads((member / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


def _requirements(project: dict[str, Any]) -> list[str]:
    found = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        found += extra
    return found


def test_the_names_are_our_own() -> None:
    assert "flow-sdk-core" in OURS
    assert not OURS & FOREIGN
    assert all(name.startswith("flow-sdk-") for name in OURS)


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: m.name)
def test_no_requirement_could_be_met_by_a_foreign_distribution(member: Path) -> None:
    for requirement in _requirements(_project(member)):
        match = REQUIREMENT.match(requirement)
        assert match, requirement
        name, _extras, spec = match.groups()
        assert name not in FOREIGN, f"{member.name}: {requirement} names another project"
        if name.startswith("flow-sdk"):
            assert name in OURS, f"{member.name}: {requirement} is not one of ours"
            assert ">=" in spec, f"{member.name}: {requirement} needs a lower bound"
            assert "<" in spec, f"{member.name}: {requirement} needs an upper bound"


def test_the_scaffold_requires_the_core_by_its_own_name() -> None:
    from flow_sdk.cli._scaffold import plugin_names

    names = plugin_names("bookmarks")
    assert names.sdk_requirement.startswith("flow-sdk-core>=")
    assert names.local_requirement.startswith("flow-sdk-local>=")


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: m.name)
def test_each_distribution_has_real_metadata(member: Path) -> None:
    project = _project(member)
    readme = member / project["readme"]
    assert readme.is_file()
    assert len(readme.read_text().splitlines()) > 5, f"{readme} is too thin to describe it"
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    assert (member / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert "Typing :: Typed" in project["classifiers"]
    assert project["description"]
    assert project["requires-python"] == ">=3.11"


def test_all_installs_every_first_party_plugin_with_what_its_features_need() -> None:
    extra = _project(ROOT / "core")["optional-dependencies"]["all"]
    names = {REQUIREMENT.match(r).group(1) for r in extra}  # type: ignore[union-attr]
    plugins = {_project(m)["name"] for m in ROOT.glob("plugins/*")}
    assert names == plugins
    assert any(r.startswith("flow-sdk-mcp-servers[local]") for r in extra)
    assert any(r.startswith("flow-sdk-connectors[postgres]") for r in extra)
