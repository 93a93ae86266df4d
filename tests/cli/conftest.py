"""Fixtures for the ``flow`` command's tests.

``flow(*argv, stdin=...)`` runs ``main`` in-process with a private config
directory and exactly the plugins a test chooses (by default the fake
platform of ``flow_cli_fakes``), and returns the exit code and both streams.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from flow_cli_fakes import API_KEY, URL, FakePlatform, FakePlatformPlugin, TTYStringIO
from flow_sdk.cli import CLISettings, main
from flow_sdk.testing import SleepRecorder


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return msgspec.json.decode(self.out.encode())


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No FLOW_* variable from the developer's shell; a private config directory;
    no colour (the tests of colour turn it on), an 80-column terminal, and no display
    (a browser never opens)."""
    for name in list(os.environ):
        if name.startswith("FLOW_"):
            monkeypatch.delenv(name)
    for name in ("FORCE_COLOR", "COLUMNS", "DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    config_dir = tmp_path / "flow-config"
    monkeypatch.setenv("FLOW_CONFIG_DIR", str(config_dir))
    return config_dir


@pytest.fixture
def config_dir(isolated_environment: Path) -> Path:
    return isolated_environment


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def browser() -> list[str]:
    """The pages `flow login` opened (the fixture's browser records, never opens)."""
    return []


Flow = Callable[..., Result]


@pytest.fixture
def flow(platform: FakePlatform, sleeps: SleepRecorder, browser: list[str]) -> Flow:
    """Run ``flow`` in-process: ``flow("orgs", "list", stdin="", tty=False, plugins=None)``."""

    def record(url: str) -> bool:
        browser.append(url)
        return True

    def run(
        *argv: str,
        stdin: str | io.StringIO = "",
        tty: bool = False,
        plugins: Sequence[object] | None = None,
        stdout: io.StringIO | None = None,
        **settings: Any,
    ) -> Result:
        if stdout is None:
            stdout = TTYStringIO() if tty else io.StringIO()
        stderr = io.StringIO()
        code = main(
            list(argv),
            settings=CLISettings(
                plugins=[FakePlatformPlugin(platform)] if plugins is None else plugins,
                stdin=io.StringIO(stdin) if isinstance(stdin, str) else stdin,
                stdout=stdout,
                stderr=stderr,
                sleep=sleeps,
                **{"browser": record, **settings},
            ),
        )
        return Result(code, stdout.getvalue(), stderr.getvalue())

    return run


@pytest.fixture
def logged_in(flow: Flow) -> Result:
    """A `default` profile logged in to the fake platform with its dev org and workspace."""
    result = flow("login", "--with-api-key", "--platform-url", URL, stdin=API_KEY + "\n")
    assert result.code == 0, result.err
    return result
