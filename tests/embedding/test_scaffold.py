"""``flow plugins new``: the names it derives, what it refuses, and a generated plugin that
installs into a fresh environment and passes its own tests unchanged."""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from flow_sdk import CLIClientError
from flow_sdk.cli import CLISettings, main
from flow_sdk.cli._scaffold import plugin_names, render_plugin, write_plugin
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]


def test_names_follow_the_conventions() -> None:
    names = plugin_names("reading-list")
    assert names.distribution == "flow-sdk-reading-list"
    assert names.package == "flow_sdk_reading_list"
    assert names.attribute == "reading_list"
    assert names.class_prefix == "ReadingList"
    assert names.title == "Reading list"
    assert names.sdk_requirement == "flow-sdk-core>=0.1,<0.2"
    assert names.local_requirement == "flow-sdk-local>=0.1,<0.2"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("login", "taken by the SDK itself"),  # a core command
        ("local", "taken by the SDK itself"),  # flow-sdk-local's group
        ("config", "taken by the SDK itself"),  # a CLIClient attribute
        ("list-orgs", "taken by the SDK itself"),
        ("agents", "flow-sdk-components already provides client.agents"),
        ("class", "is a Python keyword"),
        ("Bookmarks", "cannot name a plugin"),
        ("book_marks", "cannot name a plugin"),
        ("-x", "cannot name a plugin"),
        ("a" * 41, "cannot name a plugin"),
        ("flow-sdk-bookmarks", "not its distribution name"),
        ("platform", "a panel of the local web console"),
        ("overview", "a panel of the local web console"),
    ],
)
def test_names_that_cannot_work_are_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(CLIClientError, match=reason) as caught:
        plugin_names(name)
    assert caught.value.hint


@given(st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,3}", fullmatch=True))
def test_every_accepted_name_renders_valid_files(name: str) -> None:
    try:
        names = plugin_names(name)
    except CLIClientError:
        return  # refused names are covered above
    files = render_plugin(names)
    assert f"src/{names.package}/plugin.py" in files
    for path, text in files.items():
        assert "{{" not in path + text, path
        if path.endswith(".py"):
            ast.parse(text, filename=path)
    project = tomllib.loads(files["pyproject.toml"])["project"]
    assert project["name"] == names.distribution
    assert project["entry-points"]["flow_sdk.plugins"] == {
        names.attribute: f"{names.package}.plugin"
    }


def test_flow_plugins_new_writes_the_distribution(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "bookmarks"
    code = main(
        ["plugins", "new", "bookmarks", "--directory", str(target)],
        settings=CLISettings(plugins=[], stdout=out, stderr=err),
    )
    assert code == 0, err.getvalue()
    report = json.loads(out.getvalue())
    assert report["distribution"] == "flow-sdk-bookmarks"
    assert report["namespace"] == "client.bookmarks"
    assert report["command"] == "flow bookmarks"
    assert report["files"] == [
        "README.md",
        "pyproject.toml",
        "src/flow_sdk_bookmarks/__init__.py",
        "src/flow_sdk_bookmarks/cli.py",
        "src/flow_sdk_bookmarks/local_console.py",
        "src/flow_sdk_bookmarks/local_routes.py",
        "src/flow_sdk_bookmarks/namespace.py",
        "src/flow_sdk_bookmarks/plugin.py",
        "src/flow_sdk_bookmarks/py.typed",
        "tests/test_bookmarks.py",
    ]
    assert (
        sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
        == (report["files"])
    )
    assert "pip install -e '.[test]' && pytest" in err.getvalue()


def test_the_default_directory_is_named_after_the_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, target = write_plugin("bookmarks")
    assert target == tmp_path / "flow-sdk-bookmarks"
    assert (target / "pyproject.toml").is_file()


def test_nothing_is_overwritten(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    err = io.StringIO()
    code = main(
        ["plugins", "new", "bookmarks", "--directory", str(tmp_path)],
        settings=CLISettings(plugins=[], stdout=io.StringIO(), stderr=err),
    )
    assert code == 1
    assert "is not an empty directory; nothing was written" in err.getvalue()
    assert "hint: choose another place with --directory DIR" in err.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_bad_name_is_an_error_with_a_hint() -> None:
    err = io.StringIO()
    code = main(
        ["plugins", "new", "Bad Name"],
        settings=CLISettings(plugins=[], stdout=io.StringIO(), stderr=err),
    )
    assert code == 1
    assert "hint: use lower-case words joined by dashes" in err.getvalue()


def test_the_generated_code_passes_the_projects_linters(tmp_path: Path) -> None:
    write_plugin("reading-list", tmp_path / "plugin")
    config = str(ROOT / "pyproject.toml")
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--config", config, str(tmp_path / "plugin")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


# the whole round trip: generate, install into a fresh environment, run its tests


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build a fresh environment (run the tests with `uv run pytest`)"
    return uv


def _isolated_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLOW_", "PYTEST_", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME="", XDG_DATA_HOME="")
    return env


def _install(uv: str, python: Path, targets: list[str], env: dict[str, str]) -> None:
    command = [uv, "pip", "install", "--quiet", "--python", str(python)]
    for target in targets:
        command += ["--editable", target]
    offline = subprocess.run([*command, "--offline"], env=env, capture_output=True, text=True)
    if offline.returncode != 0:  # not all in uv's cache yet: fetch from the package index
        online = subprocess.run(command, env=env, capture_output=True, text=True)
        assert online.returncode == 0, offline.stderr + online.stderr


_SERVE_AND_OPEN_THE_PANEL = """
import json, re
import httpx
from flow_sdk_local import LocalPlatform, LocalServer
from flow_sdk_local.console import COOKIE, login_link

platform = LocalPlatform("local://memory-scaffold")
with LocalServer(platform) as server:
    token = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"api_key": platform.dev_api_key}
    ).json()["access_token"]
    created = httpx.post(
        f"{server.url}/api/v1/orgs/org_dev/workspaces/ws_dev/bookmarks",
        json={"name": "first <bookmark>"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    with httpx.Client(base_url=server.url) as console:
        signed_in = console.get(login_link(server.url, platform.admin_secret))
        assert signed_in.status_code == 303, signed_in.text
        console.cookies.set(COOKIE, signed_in.cookies[COOKIE], path="/console")
        page = console.get("/console/bookmarks?org=org_dev&ws=ws_dev")
        detail = console.get(f"/console/bookmarks?org=org_dev&ws=ws_dev&id={created['id']}")
print(json.dumps({
    "status": page.status_code,
    "nav": '>Bookmarks</a>' in page.text,
    "rows": re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', page.text),
    "detail": f"<h2>Record {created['id']}</h2>" in detail.text,
}))
"""
"""Run in the fresh environment: serve a platform (the generated plugin found through its
entry point), create a record over HTTP and open the plugin's console panel."""


def test_a_generated_plugin_installs_and_passes_its_own_tests(tmp_path: Path) -> None:
    uv = _uv()
    env = _isolated_env(tmp_path)
    plugin = tmp_path / "flow-sdk-bookmarks"
    code = main(
        ["plugins", "new", "bookmarks", "--directory", str(plugin)],
        settings=CLISettings(plugins=[], stdout=io.StringIO(), stderr=io.StringIO()),
    )
    assert code == 0
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", str(venv)], env=env, check=True)
    python = venv / "bin" / "python"
    _install(
        uv, python, [str(ROOT / "core"), str(ROOT / "plugins" / "local"), f"{plugin}[test]"], env
    )

    tests = subprocess.run(
        [str(python), "-m", "pytest", "-v", "-p", "no:cacheprovider"],
        cwd=plugin,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "15 passed" in tests.stdout  # 8 tests; those on a client run in-process and socket
    assert "test_the_console_panel_shows_the_records_a_page_at_a_time PASSED" in tests.stdout

    # the panel, served: a platform over a socket, in through the console's one-time link
    panel = subprocess.run(
        [str(python), "-c", _SERVE_AND_OPEN_THE_PANEL],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert panel.returncode == 0, panel.stderr
    shown = json.loads(panel.stdout)
    assert shown["status"] == 200
    assert shown["nav"]  # listed in the console's navigation
    assert shown["rows"] == ["first &lt;bookmark&gt;"]  # the record, escaped
    assert shown["detail"]

    listing = subprocess.run(
        [str(venv / "bin" / "flow"), "plugins", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    plugins = {p["name"]: p for p in json.loads(listing.stdout)["plugins"]}
    assert set(plugins) == {"bookmarks", "local"}  # the fresh environment holds only these
    bookmarks = plugins["bookmarks"]
    assert (bookmarks["distribution"], bookmarks["version"], bookmarks["status"]) == (
        "flow-sdk-bookmarks",
        "0.1.0",
        "loaded",
    )
    assert bookmarks["namespaces"] == ["bookmarks"]
    assert bookmarks["commands"] == ["bookmarks"]
