"""How a handler's code is called: the request goes in, its return value comes out as JSON.

A handler is Python source run by the code runner of flow-sdk-components,
with the same contract as a code block. It receives the request as the
global ``inputs`` (``body``, ``query``, ``params``, ``method``, ``path``,
``version``) and, when it defines ``main``, as keyword arguments to ``main``:
only those that ``main`` names (or all of them, with ``**kwargs``). What
``main`` returns (or the module-level ``outputs``, without ``main``) is the
response body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ENTRYPOINT", "RESPONSE_KEY", "handler_inputs", "runnable_source"]

ENTRYPOINT = "__flow_service_handler__"
RESPONSE_KEY = "response"

# Appended to the handler's source, so line numbers in its tracebacks stay its own.
_SHIM = f'''

def {ENTRYPOINT}(**request):
    import inspect as _inspect

    handler = globals().get("main")
    if not callable(handler):
        return {{"{RESPONSE_KEY}": globals().get("outputs")}}
    parameters = _inspect.signature(handler).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        chosen = request
    else:
        named = (_inspect.Parameter.POSITIONAL_OR_KEYWORD, _inspect.Parameter.KEYWORD_ONLY)
        names = {{p.name for p in parameters if p.kind in named}}
        chosen = {{key: value for key, value in request.items() if key in names}}
    return {{"{RESPONSE_KEY}": handler(**chosen)}}
'''


def runnable_source(handler: str) -> str:
    """The handler's source plus the entry point that calls it with the request."""
    return handler.rstrip("\n") + "\n" + _SHIM


def handler_inputs(
    *,
    method: str,
    path: str,
    body: Any,
    query: Mapping[str, list[str]],
    params: Mapping[str, str],
    version: int,
) -> dict[str, Any]:
    """The request as the handler sees it; a query key given once is a string, else a list."""
    return {
        "body": body,
        "query": {
            key: values[0] if len(values) == 1 else list(values) for key, values in query.items()
        },
        "params": dict(params),
        "method": method,
        "path": path,
        "version": version,
    }
