"""``client.code_blocks``: code block components, plus ``execute`` to run one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flow_sdk.plugin import ComponentTypeNamespace, ModeT, Steps, endpoint, send

from ._execution import checked, request_timeout
from .models import ExecutionResult

__all__ = ["CodeBlocksNamespace"]


class CodeBlocksNamespace(ComponentTypeNamespace[ModeT]):
    """Code blocks: components whose ``spec.code`` is Python.

    The code gets its inputs as the global ``inputs``; if it defines
    ``main``, ``main(**inputs)`` is called and returns the outputs (a dict),
    otherwise the module-level ``outputs`` is used. ``spec.timeout_s`` and
    ``spec.memory_mb`` set the block's default limits.
    """

    component_type: ClassVar[str] = "code_block"

    @endpoint
    def execute(
        self,
        code_block_id: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
        check: bool = True,
    ) -> Steps[ExecutionResult]:
        """Run the block once on the platform; its outputs, stdout, stderr and duration.

        ``timeout_s`` overrides the block's time limit (default 30 s, at most
        600 s). Code that raises, runs too long or hits a limit raises
        ``CodeExecutionError`` (its ``.result`` has the traceback and the
        captured output), or is returned as a failed result when ``check=False``.
        """
        body: dict[str, Any] = {"inputs": dict(inputs or {})}
        if timeout_s is not None:
            body["timeout_s"] = timeout_s
        result = yield from send(
            "POST",
            self._item(code_block_id, "execute"),
            json=body,
            timeout=request_timeout(timeout_s, self.config.timeout),
            type=ExecutionResult,
        )
        return checked(f"code block {code_block_id}", result, check)
