"""Every public module, class, function and method of every distribution says what it is for.

The documentation site's API reference is generated from these docstrings, so a
missing one is a hole in the documentation. Namespace methods written as steps
(``@endpoint``, ``@paginated``) are checked through their functions.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flow_sdk.plugin import endpoint, paginated

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(
    p.name
    for root in [ROOT / "core", *ROOT.glob("plugins/*"), ROOT / "examples/plugin"]
    for p in (root / "src").glob("*")
    if p.is_dir() and (p / "__init__.py").exists()
)


def modules_of(package: str) -> Iterator[str]:
    top = importlib.import_module(package)
    yield package
    for info in pkgutil.walk_packages(top.__path__, f"{package}."):
        if info.name.endswith("__main__") or ".templates" in info.name:
            continue
        yield info.name


def public_members(module: Any) -> Iterator[tuple[str, Any]]:
    for name, obj in vars(module).items():
        if name.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if obj.__module__ != module.__name__:
            continue  # imported from elsewhere: checked where it is defined
        yield name, obj
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, property):
                    yield f"{name}.{attr}", member.fget
                elif isinstance(member, staticmethod | classmethod):
                    yield f"{name}.{attr}", member.__func__
                elif isinstance(member, endpoint | paginated):
                    yield f"{name}.{attr}", member.fn
                elif inspect.isfunction(member):
                    yield f"{name}.{attr}", member


def test_every_distribution_is_checked() -> None:
    assert len(PACKAGES) == 13
    assert {"flow_sdk", "flow_sdk_local", "flow_sdk_datasets", "flow_sdk_example"} <= set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_object_has_a_docstring(package: str) -> None:
    missing = []
    for module_name in modules_of(package):
        module = importlib.import_module(module_name)
        if not (module.__doc__ or "").strip():
            missing.append(module_name)
        for name, obj in public_members(module):
            if not (obj.__doc__ or "").strip():
                missing.append(f"{module_name}.{name}")
    assert missing == []
