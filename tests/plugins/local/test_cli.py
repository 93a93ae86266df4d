"""`flow local init|serve|reset|approve`, run in-process through flow_sdk.cli.main."""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from flow_sdk.cli import CLISettings, main


def flow(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), settings=CLISettings(stdout=out, stderr=err, stdin=io.StringIO()))
    return code, out.getvalue(), err.getvalue()


@contextmanager
def flow_process(*argv: str) -> Iterator[subprocess.Popen[str]]:
    """`flow ARGV` as a process of its own (its stderr for the test to read), stopped at
    the end: for `flow local serve`, which runs until stopped."""
    server = subprocess.Popen(
        [sys.executable, "-c", "from flow_sdk.cli import main; raise SystemExit(main())", *argv],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


def healthy(server: subprocess.Popen[str], port: int) -> dict[str, Any]:
    """The served platform's /_local/health once it answers (within a minute)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            answer: dict[str, Any] = httpx.get(
                f"http://127.0.0.1:{port}/_local/health", timeout=2
            ).json()
            return answer
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"flow local serve did not start (exit code {server.poll()})")
            time.sleep(0.1)


def test_init_stores_and_selects_a_local_profile(flow_config_dir: Path):
    code, out, err = flow("local", "init", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["platform_url"] == "local://default"
    assert shown["org_id"] == "org_dev"
    assert shown["workspace_id"] == "ws_dev"
    assert shown["database"] == str(Path(os.environ["FLOW_DATA_DIR"]) / "default.sqlite3")
    assert "created an API key" in err
    credentials = flow_config_dir / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert "fl_" in credentials.read_text()
    assert "fl_" not in (flow_config_dir / "config.json").read_text()
    assert "fl_" not in out + err
    code, out, err = flow("orgs", "list", "--json")
    assert code == 0, err
    assert [o["id"] for o in json.loads(out)] == ["org_dev"]


def test_second_init_reuses_the_key(flow_config_dir: Path):
    assert flow("local", "init")[0] == 0
    first = (flow_config_dir / "credentials.json").read_text()
    code, _, err = flow("local", "init")
    assert code == 0
    assert "reusing" in err
    assert (flow_config_dir / "credentials.json").read_text() == first


def test_reset_wipes_data_and_keeps_the_profile_working(flow_config_dir: Path):
    assert flow("local", "init")[0] == 0
    assert flow("api", "POST", "/api/v1/tenants/orgs", "--data", '{"name": "Temp"}')[0] == 0
    assert len(json.loads(flow("orgs", "list", "--json")[1])) == 2
    code, _, err = flow("local", "reset", "--yes")
    assert code == 0, err
    assert "profile(s): local" in err
    code, out, err = flow("orgs", "list", "--json")
    assert code == 0, err
    assert [o["id"] for o in json.loads(out)] == ["org_dev"]


def test_reset_without_yes_refuses_when_not_a_terminal(flow_config_dir: Path):
    code, _, err = flow("local", "reset")
    assert code == 1
    assert "--yes" in err


def test_browser_login_approved_from_the_command_line(flow_config_dir: Path):
    assert flow("local", "init")[0] == 0
    code, out, err = flow("login", "--no-wait", "--json")
    assert code == 0, err
    request = json.loads(out)
    code, out, err = flow("local", "approve", request["user_code"], "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "approved"
    code, _, err = flow("login", "--complete", request["id"])
    assert code == 0, err
    code, out, err = flow("auth", "status", "--json")
    assert code == 0, err
    assert json.loads(out)["authenticated"] is True


@pytest.mark.parametrize(("url", "name"), [("local://default", ""), ("local://other", "other")])
def test_login_on_a_local_platform_shows_the_approve_command(
    flow_config_dir: Path, url: str, name: str
):
    """No browser can open a local:// page: `flow login` says which command approves it."""
    assert flow("local", "init", *(["--name", name] if name else []))[0] == 0
    out, err = io.StringIO(), io.StringIO()
    approved: list[str] = []

    def approve_as_told(_seconds: float) -> None:
        line = next(x for x in err.getvalue().splitlines() if "flow local approve" in x)
        command = line.split("`")[1]  # run what the message says, as the user would
        assert "http" not in line
        code, _, approve_err = flow(*command.split()[1:], "--json")
        assert code == 0, approve_err
        approved.append(command)

    settings = CLISettings(stdout=out, stderr=err, stdin=io.StringIO(), sleep=approve_as_told)
    assert main(["login", "--platform-url", url], settings=settings) == 0, err.getvalue()
    [command] = approved
    assert command.startswith("flow local approve ")
    assert command.split()[4:] == (["--name", name] if name else [])
    code, shown, _ = flow("auth", "status", "--json")
    assert code == 0
    assert json.loads(shown)["authenticated"] is True
    code, _, err_no_wait = flow("login", "--platform-url", url, "--no-wait", "--json")
    assert code == 0
    assert "Run `flow local approve " in err_no_wait
    assert "then run: flow login --complete " in err_no_wait


def test_denied_login(flow_config_dir: Path):
    code, out, _ = flow("login", "--no-wait", "--json")
    assert code == 0
    request = json.loads(out)
    assert flow("local", "approve", request["id"], "--deny")[0] == 0
    code, _, err = flow("login", "--complete", request["id"])
    assert code == 4
    assert "denied" in err


def test_approving_an_unknown_code_fails_clearly(flow_config_dir: Path):
    code, _, err = flow("local", "approve", "ZZZZ-ZZZZ")
    assert code == 1
    assert "not found" in err
    assert "flow login" in err


def test_bad_platform_name_is_explained(flow_config_dir: Path):
    code, _, err = flow("local", "init", "--name", "no/slashes")
    assert code == 1
    assert "invalid local platform name" in err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_on_loopback_with_the_same_data(flow_config_dir: Path):
    assert flow("local", "init")[0] == 0
    port = _free_port()
    with flow_process("local", "serve", "--port", str(port)) as server:
        health = healthy(server, port)
        assert health["database"].endswith("default.sqlite3")
        served = f"http://127.0.0.1:{port}"
        # The local profile's key belongs to local://default: not sent to another URL...
        code, out, err = flow("--platform-url", served, "orgs", "list", "--json")
        assert code == 4
        assert f"not logged in to {served}" in err
        # ...but the same key, given explicitly, reaches the same data over the socket.
        stored = json.loads((flow_config_dir / "credentials.json").read_text())
        key = stored["profiles"]["local"]["api_key"]
        os.environ["FLOW_API_KEY"] = key
        try:
            code, out, err = flow("--platform-url", served, "orgs", "list", "--json")
        finally:
            del os.environ["FLOW_API_KEY"]
        assert code == 0, err
        assert [o["id"] for o in json.loads(out)] == ["org_dev"]


def test_an_unreadable_database_is_explained(flow_config_dir: Path):
    data = Path(os.environ["FLOW_DATA_DIR"])
    (data / "broken.sqlite3").write_bytes(b"garbage" * 200)
    code, _, err = flow("local", "init", "--name", "broken")
    assert code == 1
    assert str(data / "broken.sqlite3") in err
    assert "move it away" in err


def test_serve_on_a_busy_port_is_one_clear_line(flow_config_dir: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = flow("local", "serve", "--port", str(port))
    assert code == 1
    assert out == ""
    first, hint = err.splitlines()
    assert first == (
        f"flow: error: port {port} on 127.0.0.1 is already in use "
        "(another `flow local serve`, or another program)"
    )
    assert hint.startswith("hint: pass --port 0 to serve on any free port")
    assert "internal error" not in err
    assert "Traceback" not in err


def test_serve_on_a_port_bound_without_listening_is_refused_too(flow_config_dir: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        code, _, err = flow("local", "serve", "--port", str(port))
    assert code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert "--port 0" in err


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_serve_refuses_a_port_that_is_no_port(flow_config_dir: Path, port: str):
    code, _, err = flow("local", "serve", "--port", port)
    assert code == 2
    assert "--port" in err


def test_serve_on_port_0_picks_a_free_port_and_says_which(flow_config_dir: Path):
    with flow_process("local", "serve", "--port", "0") as server:
        assert server.stderr is not None
        line = server.stderr.readline()
        assert "on http://127.0.0.1:" in line, line
        port = int(line.split("on http://127.0.0.1:", 1)[1].split(";", 1)[0])
        assert port > 0
        assert healthy(server, port)["status"] == "ok"


def test_console_with_nothing_served_says_how_to_serve(flow_config_dir: Path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])  # nothing listens on it
    code, out, err = flow("local", "console", "--port", port, "--no-open")
    assert code == 1
    assert f"no local platform is served at http://127.0.0.1:{port}" in err
    assert f"flow local serve --port {port} --console" in err
    assert "/console/login?" not in out + err  # no link that cannot work


def test_serve_with_console_prints_a_link_once_serving(flow_config_dir: Path):
    with flow_process("local", "serve", "--port", "0", "--console", "--no-open") as server:
        assert server.stderr is not None
        link = ""
        deadline = time.monotonic() + 60
        while not link and time.monotonic() < deadline:
            line = server.stderr.readline()
            assert line or server.poll() is None, "flow local serve exited"
            link = next((w for w in line.split() if "/console/login?" in w), "")
        assert link, "no console link"
        with httpx.Client(timeout=10) as browser:
            signed_in = browser.get(link, follow_redirects=True)
            assert signed_in.status_code == 200, signed_in.text
            assert "<title>Overview · Flow console</title>" in signed_in.text
