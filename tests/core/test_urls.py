"""Tenant and org URLs: ids checked and encoded as exactly one segment."""

from __future__ import annotations

import pytest
from flow_sdk import CLIClientError
from flow_sdk._urls import API_PREFIX, org_path, path_segment, tenant_path


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("abc", "abc"),
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("...", "..."),
        ("a b", "a%20b"),
        ("a?b#c", "a%3Fb%23c"),
        ("%2F", "%252F"),
        ("é", "%C3%A9"),
        ("a\\b", "a%5Cb"),
        ("-_.~", "-_.~"),
    ],
)
def test_path_segment(value: str, encoded: str) -> None:
    assert path_segment(value) == encoded


def test_empty_id_is_an_error_naming_the_argument() -> None:
    with pytest.raises(CLIClientError) as info:
        path_segment("", "dataset_id")
    assert info.value.message == "dataset_id is empty"
    assert info.value.hint == "pass a non-empty dataset_id"


@pytest.mark.parametrize("value", [None, 5, b"abc", ["a"]])
def test_non_string_id_is_an_error(value: object) -> None:
    with pytest.raises(CLIClientError, match="id must be a string"):
        path_segment(value)


def test_lone_surrogate_is_a_clear_error() -> None:
    with pytest.raises(CLIClientError) as info:
        path_segment("a\ud800b", "org_id")
    assert "org_id" in info.value.message


def test_tenant_and_org_paths() -> None:
    assert API_PREFIX == "/api/v1"
    assert tenant_path("o", "w") == "/api/v1/orgs/o/workspaces/w"
    assert tenant_path("o", "w", "datasets") == "/api/v1/orgs/o/workspaces/w/datasets"
    assert tenant_path("o/x", "w", "/datasets/", "d1") == (
        "/api/v1/orgs/o%2Fx/workspaces/w/datasets/d1"
    )
    assert org_path("o", "services", "s1") == "/api/v1/orgs/o/services/s1"
    assert org_path("o") == "/api/v1/orgs/o"


@pytest.mark.parametrize(
    ("org", "workspace", "name"), [("", "w", "org_id"), ("o", "", "workspace_id")]
)
def test_tenant_path_refuses_empty_ids(org: str, workspace: str, name: str) -> None:
    with pytest.raises(CLIClientError, match=f"{name} is empty"):
        tenant_path(org, workspace)
