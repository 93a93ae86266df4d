"""Run a piece of Python code in a separate, limited process.

The one place that runs user code, shared by code blocks, tools, workflow
steps and (through ``run_code``) other plugins such as hosted services.

The contract for the code:

- it is a module; the global ``inputs`` holds the inputs (a dict);
- if it defines a function ``main`` (or the ``entrypoint`` given), that
  function is called as ``main(**inputs)`` and what it returns is the outputs;
  otherwise the module-level variable ``outputs`` is;
- outputs that are a dict with string keys are used as they are, ``None`` is
  ``{}`` and any other JSON value ``v`` becomes ``{"result": v}``; outputs
  must be JSON (``InvalidOutput`` otherwise).

How it runs: ``python -I`` (no user site, no ``PYTHON*`` variables), a clean
environment, a fresh temporary working directory that is removed afterwards,
its own process group (killed as a whole at the end), an address-space limit
(``RLIMIT_AS``), a wall-clock time limit enforced here and a CPU-time limit as
a backstop. stdout and stderr are captured up to ``max_output_bytes`` each;
the rest is drained and dropped, and a marker line says so.

This is a guard against mistakes (an endless loop, a runaway print, a memory
leak), not a sandbox against hostile code: the code runs as the platform's
user.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from .models import ExecutionError, ExecutionResult

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT_S",
    "MAX_MEMORY_MB",
    "MAX_OUTPUTS_BYTES",
    "MAX_TIMEOUT_S",
    "RunResult",
    "run_code",
]

DEFAULT_TIMEOUT_S = 30.0
MAX_TIMEOUT_S = 600.0
DEFAULT_MEMORY_MB = 256
MIN_MEMORY_MB = 64
MAX_MEMORY_MB = 4096
DEFAULT_MAX_OUTPUT_BYTES = 1_000_000
#: The largest JSON document of outputs the runner accepts back from the code.
MAX_OUTPUTS_BYTES = 8_000_000
#: How long to keep reading a pipe after the process has exited (a grandchild may hold it).
_DRAIN_AFTER_EXIT_S = 0.2
_CHUNK = 65536

#: What ``run_code`` returns; the same record the ``execute`` route answers with.
RunResult = ExecutionResult

_CHILD = Path(__file__).with_name("_child.py")


def _check_limits(timeout_s: float, memory_mb: int, max_output_bytes: int) -> None:
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise ValueError(f"timeout_s must be more than 0 and at most {MAX_TIMEOUT_S:g} seconds")
    if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
        raise ValueError(f"memory_mb must be between {MIN_MEMORY_MB} and {MAX_MEMORY_MB}")
    if max_output_bytes < 0:
        raise ValueError("max_output_bytes must be 0 or more")


class _Capture:
    """The first ``cap`` bytes of a stream, and how many bytes there were in all."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.kept = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.kept)
        if room > 0:
            self.kept += chunk[:room]
        self.total += len(chunk)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.kept)

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        if self.truncated:
            text += (
                f"\n[output truncated: {self.total:,} bytes written, "
                f"the first {len(self.kept):,} kept]\n"
            )
        return text


def _clean_env(work_dir: str) -> dict[str, str]:
    return {
        "PATH": os.defpath,
        "HOME": work_dir,
        "TMPDIR": work_dir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _pump(
    process: subprocess.Popen[bytes], streams: dict[IO[bytes], _Capture], deadline: float
) -> bool:
    """Read both pipes until they close or time runs out; True when it ran out."""
    selector = selectors.DefaultSelector()
    for stream in streams:
        os.set_blocking(stream.fileno(), False)
        selector.register(stream, selectors.EVENT_READ, data=streams[stream])
    exited_at: float | None = None
    try:
        while selector.get_map():
            now = time.monotonic()
            if now >= deadline:
                return True
            if exited_at is None and process.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > _DRAIN_AFTER_EXIT_S:
                break
            wait = min(deadline - now, 0.05 if exited_at is None else _DRAIN_AFTER_EXIT_S)
            for key, _ in selector.select(timeout=max(wait, 0.001)):
                chunk = os.read(key.fd, _CHUNK)
                if chunk:
                    key.data.add(chunk)
                else:
                    selector.unregister(key.fileobj)
        return False
    finally:
        selector.close()


def _wait_exit(process: subprocess.Popen[bytes], deadline: float) -> bool:
    """Wait for the process to exit; True when the deadline passed first."""
    try:
        process.wait(timeout=max(deadline - time.monotonic(), 0.0))
    except subprocess.TimeoutExpired:
        return True
    return False


def _crash_error(returncode: int, memory_mb: int) -> ExecutionError:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        message = (
            f"the process was killed by {name} (it may have exceeded its memory limit "
            f"of {memory_mb} MB or its CPU time)"
        )
    else:
        message = f"the process exited with code {returncode} before returning its outputs"
    return ExecutionError(type="Crashed", message=message, summary=f"Crashed: {message}")


def _read_result(path: Path, returncode: int, memory_mb: int) -> tuple[dict[str, Any], Any]:
    """(outputs, error) from the child's result file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return {}, _crash_error(returncode, memory_mb)
    if size > MAX_OUTPUTS_BYTES:
        message = f"the outputs are {size:,} bytes of JSON; the limit is {MAX_OUTPUTS_BYTES:,}"
        return {}, ExecutionError(
            type="OutputTooLarge", message=message, summary=f"OutputTooLarge: {message}"
        )
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}, _crash_error(returncode, memory_mb)
    if result.get("ok"):
        return result.get("outputs") or {}, None
    error = result.get("error") or {}
    return {}, ExecutionError(
        type=str(error.get("type", "Error")),
        message=str(error.get("message", "")),
        summary=str(error.get("summary", "")),
        traceback=str(error.get("traceback", "")),
    )


def run_code(
    code: str,
    inputs: Mapping[str, Any] | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
    entrypoint: str = "main",
) -> RunResult:
    """Run ``code`` once with ``inputs`` in a separate process and report what happened.

    Never raises for anything the code does: an exception, a timeout, a crash
    or too much output is a result with ``status`` ``failed`` or ``timed_out``
    and an ``error``. Raises ``ValueError`` only for bad arguments (limits out
    of range, inputs that are not JSON).
    """
    _check_limits(timeout_s, memory_mb, max_output_bytes)
    try:
        inputs_json = json.dumps(dict(inputs or {}), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"inputs must be JSON: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="flow-code-") as io_dir:
        work_dir = os.path.join(io_dir, "work")
        os.mkdir(work_dir)
        Path(io_dir, "code.py").write_text(code, encoding="utf-8")
        Path(io_dir, "inputs.json").write_text(inputs_json, encoding="utf-8")
        stdout, stderr = _Capture(max_output_bytes), _Capture(max_output_bytes)
        started = time.monotonic()
        deadline = started + timeout_s
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [
                sys.executable,
                "-I",
                str(_CHILD),
                io_dir,
                str(memory_mb),
                repr(timeout_s),
                entrypoint,
            ],
            cwd=work_dir,
            env=_clean_env(work_dir),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
        )
        try:
            assert process.stdout is not None
            assert process.stderr is not None
            timed_out = _pump(process, {process.stdout: stdout, process.stderr: stderr}, deadline)
            timed_out = timed_out or _wait_exit(process, deadline)
        finally:
            _kill_group(process)
            process.wait()
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
        duration_ms = (time.monotonic() - started) * 1000
        if timed_out:
            message = f"the code ran longer than its time limit of {timeout_s:g} s and was stopped"
            outputs: dict[str, Any] = {}
            error: ExecutionError | None = ExecutionError(
                type="Timeout", message=message, summary=f"Timeout: {message}"
            )
        else:
            outputs, error = _read_result(
                Path(io_dir, "result.json"), process.returncode, memory_mb
            )
    status = "timed_out" if timed_out else "succeeded" if error is None else "failed"
    return RunResult(
        status=status,  # type: ignore[arg-type]
        outputs=outputs,
        stdout=stdout.text(),
        stderr=stderr.text(),
        duration_ms=round(duration_ms, 3),
        error=error,
        stdout_truncated=stdout.truncated,
        stderr_truncated=stderr.truncated,
    )
