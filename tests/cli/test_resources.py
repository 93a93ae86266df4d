"""The generic resource verbs (add_resource_commands) and --file / --set bodies."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from flow_cli_fakes import API_KEY, URL, FakePlatform, FakePlatformPlugin
from flow_sdk.cli import CLISettings, main
from flow_sdk.cli._bodies import apply_assignments, parse_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _create(flow: Any, name: str = "w") -> dict[str, Any]:
    result = flow("widgets", "create", "--set", f"name={name}")
    assert result.code == 0, result.err
    return dict(result.json())


def test_create_from_a_file(flow: Any, logged_in: Any, tmp_path: Path) -> None:
    body = tmp_path / "widget.json"
    body.write_text(json.dumps({"name": "from-file", "size": 3}))
    result = flow("widgets", "create", "--file", str(body))
    assert result.code == 0, result.err
    assert result.json()["name"] == "from-file"
    assert result.json()["size"] == 3


def test_create_from_stdin_with_overrides(flow: Any, logged_in: Any) -> None:
    result = flow(
        "widgets",
        "create",
        "--file",
        "-",
        "--set",
        "size=5",
        "--set",
        "spec.colour=red",
        stdin='{"name": "piped", "size": 1}',
    )
    assert result.code == 0, result.err
    created = result.json()
    assert (created["name"], created["size"], created["spec"]) == ("piped", 5, {"colour": "red"})


def test_idempotency_key_is_sent(flow: Any, platform: FakePlatform, logged_in: Any) -> None:
    flow("widgets", "create", "--set", "name=k", "--idempotency-key", "abc-123")
    assert platform.requests[-1].headers["idempotency-key"] == "abc-123"


@pytest.mark.parametrize(
    ("argv", "stdin", "code", "message"),
    [
        # a wrong command line is a usage error (2), with the command's usage line
        (["widgets", "create"], "", 2, "no body given"),
        (["widgets", "create", "--set", "novalue"], "", 2, "--set expects key=value"),
        (["widgets", "create", "--set", "a..b=1"], "", 2, "--set expects key=value"),
        # what the files hold is an error of its own (1)
        (["widgets", "create", "--file", "-"], "{not json", 1, "standard input is not valid JSON"),
        (["widgets", "create", "--file", "-"], "[1, 2]", 1, "the body must be a JSON object"),
        (["widgets", "create", "--file", "/no/such/file.json"], "", 1, "cannot read /no/such/"),
    ],
)
def test_bad_bodies_say_what_to_do(
    flow: Any, logged_in: Any, argv: list[str], stdin: str, code: int, message: str
) -> None:
    result = flow(*argv, stdin=stdin)
    assert result.code == code
    assert message in result.err
    assert "hint: " in result.err
    assert ("usage: flow widgets create" in result.err) == (code == 2)


def test_the_platform_s_422_names_the_field(flow: Any, logged_in: Any) -> None:
    result = flow("widgets", "create", "--set", "size=1")
    assert result.code == 1
    assert "failed (422): name: field required" in result.err
    assert "[request id req_test]" in result.err


def test_get_update_delete_with_if_match(flow: Any, logged_in: Any) -> None:
    widget = _create(flow)
    got = flow("widgets", "get", widget["id"])
    assert got.json() == widget

    updated = flow("widgets", "update", widget["id"], "--set", "name=v2", "--if-match", "1")
    assert updated.code == 0, updated.err
    assert updated.json()["version"] == 2

    stale = flow("widgets", "update", widget["id"], "--set", "name=v3", "--if-match", "1")
    assert stale.code == 1
    assert "(409)" in stale.err
    assert "hint: fetch the resource again" in stale.err

    stale_delete = flow("widgets", "delete", widget["id"], "--if-match", "1", "--yes")
    assert stale_delete.code == 1

    deleted = flow("widgets", "delete", widget["id"], "--if-match", "2", "--yes")
    assert deleted.code == 0
    assert deleted.json() == {"id": widget["id"], "deleted": True}
    missing = flow("widgets", "get", widget["id"])
    assert missing.code == 1
    assert "(404)" in missing.err


def test_delete_asks_first(flow: Any, platform: FakePlatform, logged_in: Any) -> None:
    widget = _create(flow)
    refused = flow("widgets", "delete", widget["id"])  # stdin is not a terminal
    assert refused.code == 1
    assert "pass --yes" in refused.err

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    declined = flow("widgets", "delete", widget["id"], stdin=Terminal("n\n"))
    assert declined.code == 1
    assert f"Delete widget {widget['id']}? [y/N]" in declined.err
    accepted = flow("widgets", "delete", widget["id"], stdin=Terminal("y\n"), tty=True)
    assert accepted.code == 0
    assert f"deleted widget {widget['id']}" in accepted.err


def test_list_limits_and_says_there_is_more(flow: Any, logged_in: Any) -> None:
    for i in range(5):
        _create(flow, f"w{i}")
    limited = flow("widgets", "list", "--limit", "3")
    assert [w["name"] for w in limited.json()] == ["w0", "w1", "w2"]
    assert "showing the first 3; pass --limit N or --all" in limited.err
    everything = flow("widgets", "list", "--all")
    assert len(everything.json()) == 5
    assert everything.err == ""
    exact = flow("widgets", "list", "--limit", "5")
    assert exact.err == ""


def test_list_pages_through_the_cursor(flow: Any, platform: FakePlatform, logged_in: Any) -> None:
    for i in range(3):
        _create(flow, f"w{i}")
    before = len(platform.requests)
    # --limit 1 asks for 2 items in one page: one request
    assert len(flow("widgets", "list", "--limit", "1").json()) == 1
    list_requests = [r for r in platform.requests[before:] if r.method == "GET"]
    assert len(list_requests) == 1
    assert list_requests[0].url.params["limit"] == "2"


def test_empty_list(flow: Any, logged_in: Any) -> None:
    table = flow("widgets", "list", tty=True)
    assert table.code == 0
    assert table.out == ""
    assert "no widgets" in table.err
    assert flow("widgets", "list").json() == []


@pytest.mark.parametrize("limit", ["0", "-1", "many"])
def test_bad_limit_is_a_usage_error(flow: Any, logged_in: Any, limit: str) -> None:
    assert flow("widgets", "list", "--limit", limit).code == 2


def test_verbs_need_credentials(flow: Any) -> None:
    result = flow("widgets", "list")
    assert result.code == 4
    assert "flow local init" in result.err


def test_a_subset_of_verbs(platform: FakePlatform) -> None:
    import argparse

    from flow_sdk.cli import add_resource_commands
    from flow_sdk.cli._parser import FlowArgumentParser, UsageError

    parser = FlowArgumentParser(prog="t")
    add_resource_commands(parser, namespace="widgets", verbs=("list", "get"))
    parser.parse_args(["get", "x"])
    with pytest.raises(UsageError):
        parser.parse_args(["delete", "x"])
    with pytest.raises(ValueError, match="unknown verbs"):
        add_resource_commands(argparse.ArgumentParser(), namespace="x", verbs=("destroy",))


# hypothesis: arbitrary ids and bodies


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(resource_id=st.text(min_size=1, max_size=30))
def test_any_id_stays_one_path_segment(
    resource_id: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    platform = FakePlatform()
    config_dir = tmp_path_factory.mktemp("cfg")
    env = {"FLOW_CONFIG_DIR": str(config_dir), "FLOW_API_KEY": API_KEY}
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "--platform-url",
            URL,
            "widgets",
            "get",
            "--",
            resource_id,
        ],
        settings=CLISettings(
            plugins=[FakePlatformPlugin(platform)],
            environ={**env, "FLOW_ORG_ID": "org_dev", "FLOW_WORKSPACE_ID": "ws_dev"},
            stdout=out,
            stderr=err,
        ),
    )
    gets = [r for r in platform.requests if r.method == "GET"]
    assert code == 1  # nothing exists
    assert len(gets) == 1
    raw = gets[0].url.raw_path.decode().split("?")[0]
    prefix = "/api/v1/orgs/org_dev/workspaces/ws_dev/widgets/"
    assert raw.startswith(prefix)
    assert "/" not in raw[len(prefix) :]
    assert API_KEY not in out.getvalue() + err.getvalue()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
keys = st.text(
    alphabet=st.characters(blacklist_characters=".=", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=8,
)


@settings(deadline=None)  # timing varies on a loaded CI machine
@given(key=keys, value=json_values)
def test_set_json_values_round_trip(key: str, value: Any) -> None:
    encoded = msgspec.json.encode(value).decode()
    assert apply_assignments(None, [f"{key}={encoded}"]) == {key: value}


@settings(deadline=None)  # timing varies on a loaded CI machine
@given(text=st.text(max_size=20))
def test_set_value_is_json_or_text(text: str) -> None:
    parsed = parse_value(text)
    try:
        expected = msgspec.json.decode(text.encode())
    except msgspec.DecodeError:
        expected = text
    assert parsed == expected


@settings(deadline=None)  # timing varies on a loaded CI machine
@given(path=st.lists(keys, min_size=1, max_size=4), base=st.dictionaries(keys, st.integers()))
def test_dotted_keys_nest_without_touching_the_input(path: list[str], base: dict[str, int]) -> None:
    original = json.loads(json.dumps(base))
    result = apply_assignments(base, [".".join(path) + "=1"])
    node: Any = result
    for part in path:
        node = node[part]
    assert node == 1
    assert base == original
