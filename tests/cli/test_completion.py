"""``flow completion bash|zsh|fish``: scripts the shells accept, that complete for real.

Each script is checked by its shell (``bash -n``, ``zsh -n``, ``fish -n``),
then asked to complete words: bash through ``COMP_WORDS`` and the completion
function, fish through ``complete -C``, zsh through its function with
``compadd`` and ``_describe`` recording what they are given.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flow_cli_fakes import API_KEY, URL, FakePlatform, FakePlatformPlugin
from flow_sdk import hookimpl

SHELLS = ("bash", "zsh", "fish")


def _shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:  # .ci/run installs them; a skip fails CI
        pytest.skip(f"{name} is not installed (apt-get install {name})")
    return path


@pytest.fixture
def scripts(flow: Any, tmp_path: Path) -> dict[str, Path]:
    written = {}
    for shell in SHELLS:
        result = flow("completion", shell)
        assert result.code == 0, result.err
        path = tmp_path / f"flow.{shell}"
        path.write_text(result.out)
        written[shell] = path
    return written


@pytest.fixture
def shell_env(tmp_path: Path, config_dir: Path) -> dict[str, str]:
    """A PATH whose `flow` is this checkout's (for the profile names), and the config."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    flow = bin_dir / "flow"
    flow.write_text(f'#!/bin/sh\nexec {sys.executable} -m flow_sdk.cli "$@"\n')
    flow.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FLOW_CONFIG_DIR": str(config_dir),
        "FLOW_PLUGINS": "",
    }


@pytest.fixture
def two_profiles(flow: Any) -> None:
    for profile in ("default", "staging"):
        result = flow(
            "--profile", profile, "login", "--with-api-key", "--platform-url", URL, stdin=API_KEY
        )
        assert result.code == 0, result.err


def _run(argv: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_each_shell_accepts_its_script(scripts: dict[str, Path], shell: str) -> None:
    _run([_shell(shell), "-n", str(scripts[shell])])


def test_the_help_says_how_to_install(flow: Any) -> None:
    result = flow("completion", "--help")
    assert result.code == 0
    for line in (
        "source <(flow completion bash)",
        'flow completion zsh > "${fpath[1]}/_flow"',
        "flow completion fish > ~/.config/fish/completions/flow.fish",
    ):
        assert line in result.out


BASH = """
source {script}
complete_words() {{
    COMP_WORDS=("$@")
    COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
    _flow
    echo "${{COMPREPLY[*]}}"
}}
"""


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["flow", "wid"], "widgets"),
        (["flow", "gad"], "gadget-kits"),  # a component type's group
        (["flow", "widgets", ""], "list get create update delete count"),
        (["flow", "widgets", "list", "--li"], "--limit"),
        (["flow", "widgets", "count", "--n"], "--name --no-color"),
        (["flow", "--profile", "x", "widgets", "c"], "create count"),
        (["flow", "widgets", "--json", "list", "--j"], "--json --jsonl"),
        (["flow", "completion", ""], "bash zsh fish"),
        (["flow", "help", "wor"], "workspaces"),
        (["flow", "api", "P"], "POST PUT PATCH"),
        (["flow", "--profile", ""], "default staging"),
        (["flow", "profiles", "use", "st"], "staging"),
    ],
)
def test_bash_completes(
    scripts: dict[str, Path],
    shell_env: dict[str, str],
    two_profiles: None,
    words: list[str],
    expected: str,
) -> None:
    quoted = " ".join(f"'{w}'" for w in words)
    program = BASH.format(script=scripts["bash"]) + f"complete_words {quoted}\n"
    out = _run([_shell("bash"), "-c", program], shell_env)
    assert out.split() == expected.split()


ZSH = """
compdef() {{ : }}
source {script}
compadd() {{
    if [[ $1 == -a ]]; then
        print -rl -- "${{(@P)2}}"
    else
        [[ $1 == -- ]] && shift
        print -rl -- "$@"
    fi
}}
_describe() {{ print -rl -- "${{(@P)${{@[-1]}}}}" }}
_files() {{ print -- "<files>" }}
words=({words})
CURRENT=${{#words}}
_flow
"""


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["flow", ""], "widgets:widgets of the fake platform"),
        (["flow", "widgets", ""], "count:count the widgets"),
        (["flow", "widgets", "list", "--"], "--limit"),
        (["flow", "widgets", "list", "--"], "--quiet"),
        (["flow", "--profile", ""], "staging"),
        (["flow", "widgets", "create", "--file", ""], "<files>"),
    ],
)
def test_zsh_completes(
    scripts: dict[str, Path],
    shell_env: dict[str, str],
    two_profiles: None,
    words: list[str],
    expected: str,
) -> None:
    program = ZSH.format(script=scripts["zsh"], words=" ".join(f"'{w}'" for w in words))
    out = _run([_shell("zsh"), "-f", "-c", program], shell_env)
    assert expected in out.splitlines()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("flow wid", ["widgets\twidgets of the fake platform"]),
        ("flow widgets co", ["count\tcount the widgets"]),
        ("flow widgets list --lim", ["--limit\tshow at most this many (default 50)"]),
        ("flow --profile ", ["default", "staging"]),
        ("flow completion z", ["zsh"]),
    ],
)
def test_fish_completes(
    scripts: dict[str, Path],
    shell_env: dict[str, str],
    two_profiles: None,
    line: str,
    expected: list[str],
) -> None:
    program = f"source {scripts['fish']}; complete -C '{line}'"
    out = _run(
        [
            _shell(
                "fish",
            ),
            "--no-config",
            "-c",
            program,
        ],
        shell_env,
    )
    assert out.splitlines() == expected


def test_a_group_that_fails_to_load_is_still_a_word(flow: Any, platform: FakePlatform) -> None:
    class Broken:
        __name__ = "broken"

        @hookimpl
        def flow_sdk_cli_commands(self, commands: Any) -> None:
            commands.add_group("broken", "does not load", "no_such_module_zz:register")

    result = flow("completion", "bash", plugins=[FakePlatformPlugin(platform), Broken()])
    assert result.code == 0
    assert "broken" in result.out
    assert "`broken` is completed without its verbs" in result.err


def test_profile_names_for_the_scripts(flow: Any, two_profiles: None) -> None:
    result = flow("completion", "--complete", "profiles")
    assert result.out.split() == ["default", "staging"]
    assert "--complete" not in flow("completion", "--help").out
