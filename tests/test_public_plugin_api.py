"""Plugins build on the core's public API only.

Every plugin in the repository (first-party, the third-party example, the
``flow plugins new`` scaffold) imports nothing from a ``flow_sdk._private``
module and touches no private attribute of a client: what a plugin needs and
cannot reach publicly is a gap in the core (``flow_sdk.plugin``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [
        *ROOT.glob("plugins/*/src/**/*.py"),
        *ROOT.glob("examples/**/*.py"),
        *(ROOT / "core/src/flow_sdk/cli/templates").rglob("*.tmpl"),
    ]
)

PRIVATE_MODULE = re.compile(r"\bflow_sdk(?:\.cli)?\._\w+|from flow_sdk(?:\.cli)? import .*\b_\w+")
#: The client's private attributes (and a namespace's link to its client).
PRIVATE_CLIENT = re.compile(
    r"\b\w*client\w*\._\w+"  # any private attribute of something named client
    r"|(?<=[\w)\]])\._(?:client|safe|require|tenant_url|org_url|plugin_host|token_source|runner)\b"
)


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_is_plugin_code_to_check() -> None:
    names = {_relative(p) for p in SOURCES}
    assert "examples/plugin/src/flow_sdk_example/notes.py" in names
    assert any(n.startswith("plugins/datasets/") for n in names)
    assert any(n.endswith("namespace.py.tmpl") for n in names)


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_no_private_core_module_is_imported(path: Path) -> None:
    found = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE_MODULE.search(line)
    ]
    assert found == [], f"{_relative(path)} uses private core modules; use flow_sdk.plugin"


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_no_private_client_attribute_is_touched(path: Path) -> None:
    found = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE_CLIENT.search(line)
    ]
    assert found == [], f"{_relative(path)} reaches into the client; use the namespace helpers"


def test_the_checks_catch_what_they_are_for() -> None:
    assert PRIVATE_MODULE.search("from flow_sdk._urls import path_segment")
    assert PRIVATE_MODULE.search("import flow_sdk._transport")
    assert PRIVATE_MODULE.search("from flow_sdk.cli._context import X")
    assert not PRIVATE_MODULE.search("from flow_sdk.plugin import send")
    assert not PRIVATE_MODULE.search("from flow_sdk_local._http import HTTPError")
    assert PRIVATE_CLIENT.search("self._client._safe.send(request)")
    assert PRIVATE_CLIENT.search("client._require('org_id')")
    assert PRIVATE_CLIENT.search("flow_client._http.close()")
    assert not PRIVATE_CLIENT.search("self._item(dataset_id)")
    assert not PRIVATE_CLIENT.search("wire = self._call(route, request)")
    assert not PRIVATE_CLIENT.search("from ._http import HTTPError")


def _packages() -> list[Path]:
    """The import package of every distribution in the workspace."""
    roots = [ROOT / "core", *ROOT.glob("plugins/*"), ROOT / "examples/plugin"]
    return sorted(p for root in roots for p in (root / "src").glob("*") if p.is_dir())


def test_every_distribution_ships_py_typed() -> None:
    packages = _packages()
    assert len(packages) == 13  # the core, eleven plugins, the example
    missing = [str(p.relative_to(ROOT)) for p in packages if not (p / "py.typed").is_file()]
    assert missing == [], "a user's type checker would skip these packages"
