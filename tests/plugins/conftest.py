"""Fixtures shared by the plugins' tests."""

from __future__ import annotations

import ast
import contextlib
import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

PLUGINS = Path(__file__).parents[2] / "plugins"

#: Runs a plugin's README example; returns (what it printed, what it says it prints).
ReadmeRunner = Callable[[str], tuple[list[str], list[str]]]


def _python_blocks(readme: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), re.DOTALL)


def _promised_output(example: str) -> list[str]:
    """The comment at the end of each ``print(...)``: what the example says it prints."""
    lines = example.splitlines()
    calls = [
        node
        for node in ast.walk(ast.parse(example))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
    ]
    ends = sorted(call.end_lineno or call.lineno for call in calls)
    return [lines[end - 1].split("  # ", 1)[1] for end in ends]


@pytest.fixture
def run_readme_example(
    flow_transport_mode: str,
    local_platform: Any,
    flow_config_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> ReadmeRunner:
    """Run the one Python example of ``plugins/<directory>/README.md`` as written.

    The example builds its own client from the ``FLOW_*`` environment, which
    points at this test's local platform (in-process and over the socket).
    """
    monkeypatch.setenv("FLOW_PLATFORM_URL", local_platform.url)
    monkeypatch.setenv("FLOW_API_KEY", local_platform.api_key)
    monkeypatch.setenv("FLOW_ORG_ID", local_platform.org_id)
    monkeypatch.setenv("FLOW_WORKSPACE_ID", local_platform.workspace_id)

    def run(directory: str) -> tuple[list[str], list[str]]:
        readme = PLUGINS / directory / "README.md"
        (example,) = _python_blocks(readme)
        printed = io.StringIO()
        namespace: dict[str, Any] = {}
        with contextlib.redirect_stdout(printed):
            exec(compile(example, str(readme), "exec"), namespace)
        namespace["client"].close()
        return printed.getvalue().splitlines(), _promised_output(example)

    return run


def _has_control_character(text: str) -> bool:
    return any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)


@pytest.fixture
def missing_error() -> Callable[[str], type[Exception]]:
    """``missing_error(resource_id)``: what asking for a resource that does not exist raises.

    An id holding a control character is refused before any lookup (422), every
    other id is simply not found (404).
    """
    from flow_sdk import CLINotFoundError, CLIValidationError

    def expected(resource_id: str) -> type[Exception]:
        return CLIValidationError if _has_control_character(resource_id) else CLINotFoundError

    return expected


# `flow` as a real process, on a pseudo-terminal or on pipes, against a served platform


class FlowProcessRun(NamedTuple):
    """A finished ``flow`` process: exit code, stdout, and stderr (the terminal's text
    when stderr was a pseudo-terminal, with ``\\r\\n`` turned into ``\\n``)."""

    code: int
    out: str
    err: str


class FlowProcess:
    """Runs ``python -m flow_sdk.cli`` against ``handle`` (a platform served on loopback),
    logged in with the dev API key through ``FLOW_*`` variables.

    ``terminal=True`` puts stderr (only) on a pseudo-terminal of ``columns`` columns,
    so progress shows while stdout stays a pipe that tests can parse.
    """

    def __init__(self, handle: Any, config_dir: Path) -> None:
        self.handle = handle
        self.config_dir = config_dir

    def env(self, **extra: str) -> dict[str, str]:
        """The process's environment: the served platform, no colour settings of the shell."""
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("FLOW_") and k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")
        }
        return {
            **base,
            "FLOW_CONFIG_DIR": str(self.config_dir),
            "FLOW_PLATFORM_URL": self.handle.url,
            "FLOW_API_KEY": self.handle.api_key,
            "FLOW_ORG_ID": self.handle.org_id,
            "FLOW_WORKSPACE_ID": self.handle.workspace_id,
            "TERM": "xterm-256color",
            **extra,
        }

    def start(
        self, *argv: str, terminal: bool = False, columns: int = 120, stdin: Any = None
    ) -> tuple[subprocess.Popen[bytes], int | None]:
        """Start ``flow ARGV``; returns the process and the terminal's master end (or None)."""
        master: int | None = None
        stderr: Any = subprocess.PIPE
        if terminal:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
            stderr = slave
        process = subprocess.Popen(
            [sys.executable, "-m", "flow_sdk.cli", *argv],
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=self.env(),
        )
        if terminal:
            os.close(slave)
        return process, master

    def finish(
        self, process: subprocess.Popen[bytes], master: int | None, timeout: float = 120
    ) -> FlowProcessRun:
        """Wait for a started process; everything it wrote."""
        if master is None:
            out, err = process.communicate(timeout=timeout)
            return FlowProcessRun(process.returncode, out.decode(), err.decode())
        chunks: list[bytes] = []
        reader = threading.Thread(target=_read_terminal, args=(master, chunks), daemon=True)
        reader.start()
        assert process.stdout is not None
        out = process.stdout.read()
        code = process.wait(timeout=timeout)
        reader.join(timeout=timeout)
        os.close(master)
        return FlowProcessRun(code, out.decode(), b"".join(chunks).decode().replace("\r\n", "\n"))

    def __call__(self, *argv: str, terminal: bool = False, columns: int = 120) -> FlowProcessRun:
        """Run ``flow ARGV`` to its end."""
        return self.finish(*self.start(*argv, terminal=terminal, columns=columns))


def _read_terminal(master: int, chunks: list[bytes]) -> None:
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            return
        if not data:
            return
        chunks.append(data)


@pytest.fixture
def served_platform(flow_config_dir: Path) -> Iterator[Any]:
    """A fresh local platform served on 127.0.0.1 (a ``PlatformHandle``), for tests that
    run ``flow`` as a process (and may inject faults into the platform it talks to)."""
    from flow_sdk_local import LocalPlatform
    from flow_sdk_local._asgi import LocalServer
    from flow_sdk_local.pytest_plugin import PlatformHandle

    platform = LocalPlatform(f"local://memory-{uuid.uuid4().hex[:12]}")
    with LocalServer(platform) as server:
        handle = PlatformHandle(platform, server.url, "socket")
        yield handle
        handle._close_clients()
    platform.close()


@pytest.fixture
def flow_process(served_platform: Any, flow_config_dir: Path) -> FlowProcess:
    """``flow_process(*argv, terminal=False) -> FlowProcessRun``: ``flow`` as a real
    process against ``served_platform``; ``.start``/``.finish`` for one to interrupt."""
    return FlowProcess(served_platform, flow_config_dir)


ESCAPES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture
def terminal_lines() -> Callable[[str], list[str]]:
    """The lines a terminal showed, one per redraw: ``\\r`` and escape codes removed."""

    def lines(text: str) -> list[str]:
        shown = []
        for line in text.split("\n"):
            for part in line.split("\r"):
                part = ESCAPES.sub("", part).strip()
                if part:
                    shown.append(part)
        return shown

    return lines
