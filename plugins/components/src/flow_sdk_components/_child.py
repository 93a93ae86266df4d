"""Runs one piece of user code in a fresh interpreter; started by ``runner.run_code``.

Standard library only, and nothing from the SDK: this file is executed as a
script by ``python -I``. It applies the limits to itself, runs the code and
writes ``result.json`` next to ``code.py`` and ``inputs.json``:
``{"ok": true, "outputs": {...}}`` or ``{"ok": false, "error": {...}}``.
"""

import contextlib
import io
import json
import linecache
import math
import os
import resource
import sys
import traceback
from types import TracebackType
from typing import Any

CODE_FILENAME = "<code>"


def _limit(kind: int, value: int) -> None:
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit already applies
        resource.setrlimit(kind, (value, value))


def _apply_limits(memory_mb: int, timeout_s: float) -> None:
    _limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
    # A backstop should the parent die: CPU-bound code stops on its own.
    _limit(resource.RLIMIT_CPU, math.ceil(timeout_s) + 1)
    _limit(resource.RLIMIT_CORE, 0)


def _user_traceback(tb: TracebackType | None) -> TracebackType | None:
    """Skip this runner's frames so the traceback starts in the user's code."""
    while tb is not None and tb.tb_frame.f_code.co_filename != CODE_FILENAME:
        tb = tb.tb_next
    return tb


def _describe(exc: BaseException, memory_mb: int) -> dict[str, str]:
    lines = traceback.format_exception(type(exc), exc, _user_traceback(exc.__traceback__))
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    message = str(exc)
    last = summary[-1] if summary else type(exc).__name__
    if isinstance(exc, MemoryError):
        message = f"the code exceeded its memory limit of {memory_mb} MB"
        last = f"MemoryError: {message}"
    return {
        "type": type(exc).__name__,
        "message": message,
        "summary": last,
        "traceback": "".join(lines),
    }


def _as_outputs(value: Any) -> Any:
    if value is None:
        return {}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return value
    return {"result": value}


def _run(code: str, inputs: dict[str, Any], entrypoint: str) -> Any:
    namespace = {"__name__": "__flow_code__", "__builtins__": __builtins__, "inputs": inputs}
    exec(compile(code, CODE_FILENAME, "exec"), namespace)  # noqa: S102 - running it is the job
    function = namespace.get(entrypoint)
    if callable(function):
        return _as_outputs(function(**inputs))
    return _as_outputs(namespace.get("outputs"))


def _encode(outputs: Any) -> str:
    try:
        return json.dumps({"ok": True, "outputs": outputs}, allow_nan=False)
    except (TypeError, ValueError) as exc:
        error = {
            "type": "InvalidOutput",
            "message": f"the code's outputs are not JSON: {exc}",
            "summary": f"InvalidOutput: the code's outputs are not JSON: {exc}",
            "traceback": "",
        }
        return json.dumps({"ok": False, "error": error})


def main() -> None:
    """Run the code in the directory named by argv[1] under the limits and write ``result.json``."""
    io_dir, memory_mb, timeout_s, entrypoint = (
        sys.argv[1],
        int(sys.argv[2]),
        float(sys.argv[3]),
        sys.argv[4],
    )
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    with open(os.path.join(io_dir, "code.py"), encoding="utf-8") as f:
        code = f.read()
    with open(os.path.join(io_dir, "inputs.json"), encoding="utf-8") as f:
        inputs = json.load(f)
    linecache.cache[CODE_FILENAME] = (len(code), None, code.splitlines(True), CODE_FILENAME)
    _apply_limits(memory_mb, timeout_s)
    try:
        encoded = _encode(_run(code, inputs, entrypoint))
    except BaseException as exc:  # every failure of user code is reported
        try:
            error = _describe(exc, memory_mb)
        except BaseException:  # an exception that cannot describe itself
            error = {"type": type(exc).__name__, "message": "", "summary": type(exc).__name__}
        encoded = json.dumps({"ok": False, "error": error})
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    with open(os.path.join(io_dir, "result.json"), "w", encoding="utf-8") as f:
        f.write(encoded)


if __name__ == "__main__":
    main()
