"""Shared helpers for the local platform's tests: a test plugin with a component type."""

from __future__ import annotations

import types

import pytest
from flow_sdk import ComponentTypeSpec, hookimpl


def _widget_plugin() -> types.ModuleType:
    module = types.ModuleType("widget_test_plugin")

    @hookimpl
    def flow_sdk_component_types() -> list[ComponentTypeSpec]:
        return [ComponentTypeSpec("widget", "widgets")]

    module.flow_sdk_component_types = flow_sdk_component_types  # type: ignore[attr-defined]
    return module


widget_plugin = _widget_plugin()
with_widgets = pytest.mark.flow_plugins(widget_plugin)


class Recorder:
    """A ``sleep`` that records instead of sleeping (retry delays become observable)."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Recorder:
    return Recorder()
