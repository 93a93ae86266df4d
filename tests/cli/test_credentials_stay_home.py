"""A stored key or token is only ever sent to the platform it was stored for.

After ``flow local init`` the ``local`` profile holds an API key for
``local://default``; pointing a command at another platform must send it no
secret (not even to the key-exchange route) and say how to log in there.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

from flow_sdk.cli import CLISettings, main

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "reliability"))

from scenarios import listening_server


def flow(*argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {**os.environ, **(environ or {})}
    settings = CLISettings(stdout=out, stderr=err, sleep=lambda s: None, environ=env)
    return main(list(argv), settings=settings), out.getvalue(), err.getvalue()


def test_another_platform_gets_no_stored_secret(flow_config_dir: Path) -> None:
    code, _, err = flow("local", "init")
    assert code == 0, err
    stored = json.loads((flow_config_dir / "credentials.json").read_text())
    key = stored["profiles"]["local"]["api_key"]
    assert stored["profiles"]["local"]["platform_url"] == "local://default"
    with listening_server() as (url, received):
        code, _, err = flow("--platform-url", url, "orgs", "list")
        code_env, _, err_env = flow("orgs", "list", environ={"FLOW_PLATFORM_URL": url})
    assert received == []  # not one request: no key exchange, no bearer token
    assert (code, code_env) == (4, 4)
    for message in (err, err_env):
        assert f"not logged in to {url}" in message
        assert "holds credentials for local://default" in message
        assert f"login --platform-url {url}" in message
        assert key not in message


def test_auth_status_says_which_credential_is_in_use_and_what_was_withheld(
    flow_config_dir: Path,
) -> None:
    assert flow("local", "init")[0] == 0
    code, out, _ = flow("auth", "status", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["credentials"] == {"value": "API key", "source": "profile 'local'"}
    code, out, _ = flow(
        "auth", "status", "--json", "--offline", environ={"FLOW_ACCESS_TOKEN": "eyJx.eyJy.z"}
    )
    report = json.loads(out)
    assert report["credentials"] == {
        "value": "access token",
        "source": "environment variable FLOW_ACCESS_TOKEN",
    }
    code, out, _ = flow(
        "auth", "status", "--json", "--offline", "--platform-url", "https://other.example"
    )
    report = json.loads(out)
    assert report["credentials"]["value"] is None
    assert any("holds credentials for local://default" in w for w in report["warnings"])
