"""Hypothesis over what a caller may send: any body is a 201 or a clean 422, any id a 404."""

from __future__ import annotations

from typing import Any

import pytest
from flow_sdk import CLIClient, CLIValidationError
from flow_sdk_mcp_servers.local._probe import describe_url
from flow_sdk_mcp_servers.local._routes import url_problem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp_servers_support import raw_request

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

hosts = st.sampled_from(["127.0.0.1", "localhost", "[::1]", "mcp.example.com", ""])
ports = st.one_of(st.none(), st.integers(min_value=0, max_value=70000))
paths = st.text(max_size=20)
urls = st.one_of(
    st.builds(
        lambda scheme, host, port, path: (
            f"{scheme}://{host}{'' if port is None else f':{port}'}/{path}"
        ),
        st.sampled_from(["http", "https", "ftp", "ws", ""]),
        hosts,
        ports,
        paths,
    ),
    st.text(max_size=40),
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=30), st.integers(), st.none()),
        "url": st.one_of(urls, st.none()),
        "transport": st.one_of(st.sampled_from(["streamable-http", "sse", "stdio", ""]), st.none()),
        "description": st.one_of(st.text(max_size=30), st.none()),
    },
)


@SETTINGS
@given(body=bodies)
def test_any_body_is_stored_as_sent_or_refused_with_a_422(
    flow_client_inprocess: CLIClient, body: dict[str, Any]
) -> None:
    servers = flow_client_inprocess.mcp_servers
    answer: Any
    try:
        answer = raw_request(servers, "POST", servers._collection(), json=body)
    except CLIValidationError as error:
        answer = error
    if isinstance(answer, CLIValidationError):
        assert answer.status_code == 422
        assert answer.detail
        return
    server = answer
    for field in ("name", "url"):
        assert server[field] == body[field]
    assert server["transport"] == body.get("transport", "streamable-http")
    assert url_problem(body["url"]) is None
    assert body["name"].strip()
    assert servers.get(server["id"]).to_dict()["url"] == body["url"]


@SETTINGS
@given(server_id=st.text(min_size=1, max_size=40))
def test_any_id_names_one_server_or_none(
    flow_client_inprocess: CLIClient, missing_error: Any, server_id: str
) -> None:
    servers = flow_client_inprocess.mcp_servers
    for call in (
        lambda: servers.get(server_id),
        lambda: servers.tools(server_id).to_list(),
        lambda: servers.refresh(server_id, timeout_s=1),
    ):
        with pytest.raises(missing_error(server_id)):
            call()


@given(url=urls)
def test_a_described_url_never_carries_a_query_or_user_info(url: str) -> None:
    described = describe_url(url + "?token=abc#frag")
    assert "token=abc" not in described
    assert "#frag" not in described
    if url_problem(url) is None:
        assert "@" not in described.partition("://")[2].partition("/")[0]
