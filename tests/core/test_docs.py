"""Every public module, class, function and method of the core says what it is for."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import flow_sdk

# The CLI package is tested by its owners (tests/cli).
MODULES = ["flow_sdk"] + [
    m.name for m in pkgutil.iter_modules(flow_sdk.__path__, "flow_sdk.") if m.name != "flow_sdk.cli"
]


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
                elif inspect.isfunction(member):
                    yield f"{name}.{attr}", member


def test_every_public_object_has_a_docstring() -> None:
    missing = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        if not module.__doc__:
            missing.append(module_name)
        for name, obj in public_members(module):
            if not (obj.__doc__ or "").strip():
                missing.append(f"{module_name}.{name}")
    assert missing == []
