"""``flow`` as a real process on a pseudo-terminal and on pipes.

On a terminal: colour, tables that fit its width, readable timestamps, a
progress bar; on a pipe or a file: none of it, not one escape code; and
``--jsonl | head -2`` answers before the last page is fetched.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

FAKE_FLOW = str(Path(__file__).parent / "fake_flow.py")
ESCAPE = "\x1b["
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The process's environment: a private config directory, no colour setting."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FLOW_") and k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")
    }
    return {**base, "FLOW_CONFIG_DIR": str(tmp_path / "config"), "TERM": "xterm-256color"}


def on_terminal(argv: list[str], env: dict[str, str], *, columns: int = 60) -> tuple[int, str]:
    """Run ``fake_flow.py ARGV`` with stdin, stdout and stderr on a pseudo-terminal of
    ``columns`` columns; returns the exit code and everything it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, FAKE_FLOW, *argv],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode().replace("\r\n", "\n")


def on_pipes(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, FAKE_FLOW, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_table_on_a_terminal_fits_its_width_in_colour(env: dict[str, str]) -> None:
    code, text = on_terminal(["--widgets", "3", "--", "widgets", "list"], env, columns=40)
    assert code == 0, text
    header = next(line for line in text.splitlines() if "ID" in line)
    assert header.startswith(f"{ESCAPE}1m")  # bold header
    rows = [ANSI.sub("", line) for line in text.splitlines() if line]
    assert all(len(row) <= 40 for row in rows), rows
    assert any("widget-0" in row for row in rows)
    # the JSON a pipe gets is the same data, untouched
    piped = on_pipes(["--widgets", "3", "--", "widgets", "list"], env)
    assert '"name": "widget-0"' in piped.stdout


def test_timestamps_read_as_minutes_on_a_terminal_and_raw_in_json(env: dict[str, str]) -> None:
    env = {**env, "TZ": "UTC"}
    code, text = on_terminal(
        ["--widgets", "1", "--", "--no-color", "widgets", "get", "res_w00000"], env, columns=100
    )
    assert code == 0, text
    assert "updated_at  2026-12-06 18:03:12" in text
    piped = on_pipes(["--widgets", "1", "--", "widgets", "get", "res_w00000"], env)
    assert '"updated_at": "2026-12-06T18:03:12.123456+00:00"' in piped.stdout


@pytest.mark.parametrize(
    ("extra_env", "flag"),
    [({"NO_COLOR": "1"}, None), ({}, "--no-color"), ({"TERM": "dumb"}, None)],
)
def test_no_color_on_a_terminal_when_asked(
    env: dict[str, str], extra_env: dict[str, str], flag: str | None
) -> None:
    argv = ["--widgets", "2", "--", "widgets", "list", *([flag] if flag else [])]
    code, text = on_terminal(argv, {**env, **extra_env})
    assert code == 0, text
    assert "ID" in text
    assert ESCAPE not in text


def test_errors_and_warnings_in_colour_on_a_terminal(env: dict[str, str]) -> None:
    code, text = on_terminal(["widgets", "lst"], env)
    assert code == 2
    assert f"{ESCAPE}31;1mflow widgets: error:{ESCAPE}0m" in text
    assert "did you mean `flow widgets list`?" in text
    code, text = on_terminal(["widgets", "get", "nope"], env)
    assert code == 1
    assert f"{ESCAPE}31;1mflow: error:{ESCAPE}0m" in text


def test_nothing_but_text_reaches_a_pipe_or_a_file(env: dict[str, str], tmp_path: Path) -> None:
    for argv in (
        ["--widgets", "2", "--", "widgets", "list"],
        ["widgets", "lst"],
        ["widgets", "get", "nope"],
        ["demo", "progress", "--total", "5"],
    ):
        for extra in ({}, {"FLOW_OUTPUT": "table"}):
            result = on_pipes(argv, {**env, **extra})
            assert ESCAPE not in result.stdout + result.stderr, (argv, result)
    out = tmp_path / "out.txt"
    with out.open("w") as handle:
        subprocess.run(
            [sys.executable, FAKE_FLOW, "--widgets", "2", "--", "widgets", "list"],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**env, "FLOW_OUTPUT": "table"},
            timeout=60,
            check=True,
        )
    assert ESCAPE not in out.read_text()
    assert "widget-1" in out.read_text()


def test_force_color_colours_even_a_pipe(env: dict[str, str]) -> None:
    result = on_pipes(["widgets", "lst"], {**env, "FORCE_COLOR": "1"})
    assert f"{ESCAPE}31;1m" in result.stderr
    result = on_pipes(["widgets", "lst"], {**env, "FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ESCAPE not in result.stderr


def test_a_progress_bar_on_a_terminal_only(env: dict[str, str]) -> None:
    code, text = on_terminal(["demo", "progress", "--total", "40"], env, columns=80)
    assert code == 0, text
    assert "working" in text
    assert "%" in text
    assert "rows/s" in text
    assert " left" in text
    assert "\r\x1b[K" in text  # one line, rewritten
    assert "done: 40 rows" in text
    quiet_code, quiet = on_terminal(["demo", "progress", "--total", "40", "--quiet"], env)
    assert quiet_code == 0
    assert "%" not in quiet
    assert "done: 40 rows" in quiet
    piped = on_pipes(["demo", "progress", "--total", "40"], env)
    assert piped.stderr == "done: 40 rows\n"


def test_jsonl_streams_and_stops_with_head(env: dict[str, str], tmp_path: Path) -> None:
    """`flow widgets list --all --jsonl | head -2`: two lines at once, the rest of
    the pages never fetched, exit 0 and no broken-pipe noise."""
    report = tmp_path / "requests.txt"
    env = {**env, "FAKE_FLOW_REPORT": str(report)}
    flow = subprocess.Popen(
        [
            sys.executable,
            FAKE_FLOW,
            "--widgets",
            "3000",
            "--",
            "widgets",
            "list",
            "--all",
            "--jsonl",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert flow.stdout is not None
    started = time.monotonic()
    first = [flow.stdout.readline(), flow.stdout.readline()]
    flow.stdout.close()  # what `head -2` does once it has its lines
    assert all(line.startswith(b'{"id":"res_w') for line in first), first
    assert flow.wait(timeout=60) == 0
    assert flow.stderr is not None
    assert b"Error" not in flow.stderr.read()
    assert time.monotonic() - started < 30
    lists = [line for line in report.read_text().splitlines() if "/widgets?" in line]
    assert len(lists) < 6, lists  # 3,000 widgets are 6 pages of 500: not all were fetched
    # without head: every page, one object a line
    whole = on_pipes(["--widgets", "1200", "--", "widgets", "list", "--all", "--jsonl"], env)
    assert len(whole.stdout.splitlines()) == 1200
    assert len([line for line in report.read_text().splitlines() if "/widgets?" in line]) == 3
