"""``client.tools``: tool components, plus ``test`` to run one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flow_sdk.plugin import ComponentTypeNamespace, ModeT, Steps, endpoint, send

from ._execution import checked, request_timeout
from .models import ToolTestResult

__all__ = ["ToolsNamespace"]


class ToolsNamespace(ComponentTypeNamespace[ModeT]):
    """Tools: components whose ``spec`` has an ``input_schema`` (JSON Schema) and
    either ``code`` (Python, run like a code block with the input as ``inputs``)
    or ``code_block_id`` (the code block to run)."""

    component_type: ClassVar[str] = "tool"

    @endpoint
    def test(
        self,
        tool_id: str,
        input: Mapping[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
        check: bool = True,
    ) -> Steps[ToolTestResult]:
        """Run the tool once on the platform with ``input`` and return what it gave.

        The platform checks ``input`` against the tool's ``spec.input_schema``
        first: a mismatch is a ``CLIValidationError`` (422) whose detail names
        the field. When the tool's code raises or times out, raises
        ``CodeExecutionError`` (with ``.result``), or returns the failed
        result when ``check=False``.
        """
        body: dict[str, Any] = {"input": dict(input or {})}
        if timeout_s is not None:
            body["timeout_s"] = timeout_s
        result = yield from send(
            "POST",
            self._item(tool_id, "test"),
            json=body,
            timeout=request_timeout(timeout_s, self.config.timeout),
            type=ToolTestResult,
        )
        return checked(f"tool {tool_id}", result, check)
