"""Completion of a host program with ``flow`` mounted in it (examples/embedding/mytool.py),
checked in real shells: ``mytool completion SHELL`` (the host's whole parser, through
``host_completion_script``) and ``mytool flow completion SHELL`` (the mounted tree)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MYTOOL = Path(__file__).resolve().parents[2] / "examples" / "embedding" / "mytool.py"

BASH = """
source {script}
complete_words() {{
    COMP_WORDS=("$@")
    COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
    _mytool
    echo "${{COMPREPLY[*]}}"
}}
complete_words {words}
"""


def _shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:  # .ci/run installs them; a skip fails CI
        pytest.skip(f"{name} is not installed (apt-get install {name})")
    return path


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    """A PATH whose `mytool` is the example, with a profile of its own to complete."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    mytool = bin_dir / "mytool"
    mytool.write_text(f'#!/bin/sh\nexec {sys.executable} {MYTOOL} "$@"\n')
    mytool.chmod(0o755)
    config = tmp_path / "config"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FLOW_CONFIG_DIR": str(config),
        "FLOW_DATA_DIR": str(tmp_path / "data"),
    }
    made = subprocess.run(
        ["mytool", "flow", "local", "init"], env=env, capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, made.stderr
    return env


def _script(environ: dict[str, str], tmp_path: Path, *argv: str) -> Path:
    made = subprocess.run(
        ["mytool", *argv], env=environ, capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, made.stderr
    path = tmp_path / f"{'-'.join(argv)}.sh"
    path.write_text(made.stdout)
    return path


def _bash(script: Path, environ: dict[str, str], *words: str) -> list[str]:
    program = BASH.format(script=script, words=" ".join(f"'{w}'" for w in words))
    done = subprocess.run(
        [_shell("bash"), "-c", program], env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["mytool", ""], ["hello", "completion", "flow"]),
        (["mytool", "hello", "--"], ["--name", "--help"]),
        (["mytool", "--"], ["--help"]),  # flow's own options are not mytool's
        (["mytool", "flow", "ag"], ["agents"]),
        (["mytool", "flow", "agents", "cr"], ["create"]),
        (["mytool", "flow", "--pro"], ["--profile"]),
        (["mytool", "flow", "--profile", ""], ["mytool"]),  # asked of `mytool flow` itself
        (["mytool", "flow", "datas"], []),  # flow-sdk-datasets is not in mytool's plugin set
    ],
)
def test_the_hosts_script_completes_its_commands_and_flows(
    environ: dict[str, str], tmp_path: Path, words: list[str], expected: list[str]
) -> None:
    script = _script(environ, tmp_path, "completion", "bash")
    assert sorted(_bash(script, environ, *words)) == sorted(expected)


def test_the_mounted_trees_script_completes_mytool_flow(
    environ: dict[str, str], tmp_path: Path
) -> None:
    script = _script(environ, tmp_path, "flow", "completion", "bash")
    assert "complete -o default -F _mytool mytool" in script.read_text()
    assert _bash(script, environ, "mytool", "") == ["flow"]
    assert _bash(script, environ, "mytool", "flow", "local", "con") == ["console"]
    assert _bash(script, environ, "mytool", "flow", "profiles", "use", "") == ["mytool"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_accepts_the_hosts_script(
    environ: dict[str, str], tmp_path: Path, shell: str
) -> None:
    for argv in (("completion", shell), ("flow", "completion", shell)):
        script = _script(environ, tmp_path, *argv)
        checked = subprocess.run(
            [_shell(shell), "-n", str(script)], capture_output=True, text=True, timeout=60
        )
        assert checked.returncode == 0, checked.stderr


def test_fish_completes_the_host(environ: dict[str, str], tmp_path: Path) -> None:
    script = _script(environ, tmp_path, "completion", "fish")
    for line, expected in (("mytool hel", "hello"), ("mytool flow agents cr", "create")):
        done = subprocess.run(
            [_shell("fish"), "--no-config", "-c", f"source {script}; complete -C '{line}'"],
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert [row.split("\t")[0] for row in done.stdout.splitlines()] == [expected]
