"""Property tests (hypothesis): URL building, config parsing, error bodies, redaction."""

from __future__ import annotations

import json
import logging
import pickle
import random
import string
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from flow_sdk import (
    CLIAuthenticationError,
    CLIClient,
    CLIClientError,
    FlowConfig,
    ResourceNamespace,
    RetryPolicy,
    load_config,
)
from flow_sdk._errors import error_class_for_status
from flow_sdk._transport import SafeClient, build_http_client
from flow_sdk.plugin import ModeT
from flow_sdk.testing import RecordingTransport, SleepRecorder
from hypothesis import assume, given, settings
from hypothesis import strategies as st

# Ids are arbitrary text: slashes, dots, percent signs, unicode, controls.
ids = st.text(min_size=1, max_size=40)
fast = settings(max_examples=80, deadline=None)


class Things(ResourceNamespace[ModeT, dict[str, Any]]):
    path = "things"


def client_for(org: str, workspace: str, transport: httpx.BaseTransport) -> CLIClient:
    config = FlowConfig(platform_url="http://flow.test", org_id=org, workspace_id=workspace)
    return CLIClient(config, transport=transport, plugins=[])


def outcome(call: Any) -> tuple[Any, CLIClientError | None]:
    """(result, None) or (None, the CLIClientError raised); anything else propagates."""
    try:
        return call(), None
    except CLIClientError as error:
        return None, error


def segments(request: httpx.Request) -> list[str]:
    raw = request.url.raw_path.decode("ascii").split("?")[0]
    assert raw.startswith("/")
    return raw[1:].split("/")


# 1. URL building: no id can leave its tenant prefix


@fast
@given(org=ids, workspace=ids, resource=ids)
def test_no_id_leaves_the_tenant_prefix(org: str, workspace: str, resource: str) -> None:
    transport = RecordingTransport({})
    client = client_for(org, workspace, transport)
    Things(client).get(resource)
    Things(client).delete(resource, if_match=1)
    for request in transport.requests:
        parts = segments(request)
        # Exactly: api, v1, orgs, {org}, workspaces, {workspace}, things, {id}
        assert len(parts) == 8
        assert parts[:3] == ["api", "v1", "orgs"]
        assert parts[4] == "workspaces"
        assert parts[6] == "things"
        assert [unquote(p) for p in (parts[3], parts[5], parts[7])] == [org, workspace, resource]
        assert request.url.host == "flow.test"
        assert request.url.query == b""


@fast
@given(org=ids, workspace=ids, component_type=ids)
def test_component_type_stays_one_segment(org: str, workspace: str, component_type: str) -> None:
    transport = RecordingTransport({})
    client_for(org, workspace, transport).create_component(component_type, {"name": "x"})
    parts = segments(transport.last)
    assert len(parts) == 8
    assert parts[6] == "components"
    assert unquote(parts[7]) == component_type
    assert unquote(parts[3]) == org


@fast
@given(org=ids, service=ids, version=st.none() | ids | st.integers(0, 10**6), path=st.text())
def test_service_and_version_stay_in_the_org(
    org: str, service: str, version: str | int | None, path: str
) -> None:
    transport = RecordingTransport({})
    client = client_for(org, "ws", transport)
    _, error = outcome(lambda: client.invoke_service(service, "GET", path, version=version))
    if error is not None:
        # Only the free-form path may be refused: dot segments or control characters.
        assert "path" in error.message or "cannot send" in error.message
        assert transport.requests == []
        return
    parts = segments(transport.last)
    assert parts[:3] == ["api", "v1", "orgs"]
    assert unquote(parts[3]) == org
    assert parts[4] == "services"
    assert unquote(parts[5]) == service
    if version is not None:
        assert unquote(parts[6]) == f"v{version}"
    assert transport.last.url.host == "flow.test"


@fast
@given(org=ids)
def test_list_workspaces_org_is_one_segment(org: str) -> None:
    transport = RecordingTransport([])
    client_for("o", "w", transport).list_workspaces(org)
    parts = segments(transport.last)
    assert len(parts) == 6
    assert unquote(parts[4]) == org
    assert parts[5] == "workspaces"


@given(st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3))
def test_surrogate_ids_are_refused_cleanly(bad: str) -> None:
    with pytest.raises(CLIClientError):
        Things(client_for("o", "w", RecordingTransport({}))).get(bad)


# 2. Config parsing: a FlowConfig or a CLIClientError, never another exception

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
fields = st.sampled_from(
    [
        "platform_url",
        "org_id",
        "workspace_id",
        "timeout",
        "max_retries",
        "api_key",
        "access_token",
        "colour",
    ]
)
profile_doc = st.fixed_dictionaries(
    {},
    optional={
        "version": st.integers(-2, 3) | json_values,
        "current_profile": st.none() | st.sampled_from(["dev", "prod"]) | json_values,
        "profiles": st.dictionaries(
            st.sampled_from(["dev", "prod", ""]) | st.text(max_size=5),
            st.dictionaries(fields, json_values, max_size=4) | json_values,
            max_size=3,
        )
        | json_values,
    },
)
file_contents = (
    st.none()
    | st.binary(max_size=60)
    | profile_doc.map(lambda d: json.dumps(d).encode())
    | json_values.map(lambda d: json.dumps(d).encode())
)
env_names = st.sampled_from(
    [
        "FLOW_PLATFORM_URL",
        "FLOW_ORG_ID",
        "FLOW_WORKSPACE_ID",
        "FLOW_TIMEOUT",
        "FLOW_MAX_RETRIES",
        "FLOW_API_KEY",
        "FLOW_ACCESS_TOKEN",
        "FLOW_PROFILE",
    ]
)
env_values = st.text(max_size=12) | st.sampled_from(
    ["0", "-1", "nan", "inf", "1e309", "3", "2.5", " 7 ", "dev", "prod", "\uff11\uff12"]
)


@settings(max_examples=120, deadline=None)
@given(
    config_file=file_contents,
    credentials_file=file_contents,
    environ=st.dictionaries(env_names, env_values, max_size=5),
    profile=st.none() | st.sampled_from(["dev", "prod"]),
)
def test_config_loading_never_raises_anything_else(
    config_file: bytes | None,
    credentials_file: bytes | None,
    environ: dict[str, str],
    profile: str | None,
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        if config_file is not None:
            (root / "config.json").write_bytes(config_file)
        if credentials_file is not None:
            (root / "credentials.json").write_bytes(credentials_file)
        config, error = outcome(
            lambda: load_config(config_dir=root, environ=environ, profile=profile)
        )
        if error is not None:
            assert error.message
            return
        assert isinstance(config, FlowConfig)
        assert isinstance(config.platform_url, str)
        assert config.timeout > 0
        assert config.max_retries >= 0


# 3. Error bodies: any status and body give the matching CLIClientError subclass

header_values = st.binary(max_size=40).map(
    lambda b: bytes(c for c in b if 0x20 <= c <= 0xFF and c != 0x7F)
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.fixed_dictionaries({"detail": json_values}, optional={"code": json_values}).map(
        lambda v: json.dumps(v).encode()
    )
)


@settings(max_examples=120, deadline=None)
@given(
    status=st.integers(400, 599),
    body=bodies,
    request_id=st.none() | header_values,
    retry_after=st.none() | header_values | st.sampled_from([b"1", b"0", b"nan", b"1e999"]),
    content_type=st.none() | st.sampled_from([b"application/json", b"text/html", b"x/y"]),
    retries=st.integers(0, 2),
    method=st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT"]),
)
def test_any_error_response_maps_to_its_class(
    status: int,
    body: bytes,
    request_id: bytes | None,
    retry_after: bytes | None,
    content_type: bytes | None,
    retries: int,
    method: str,
) -> None:
    headers = [
        (name, value)
        for name, value in (
            (b"X-Request-ID", request_id),
            (b"Retry-After", retry_after),
            (b"Content-Type", content_type),
        )
        if value is not None
    ]
    transport = RecordingTransport(lambda r: httpx.Response(status, headers=headers, content=body))
    client = SafeClient(
        build_http_client("http://flow.test", transport=transport),
        retry=RetryPolicy(max_retries=retries),
        sleep=SleepRecorder(),
        rng=random.Random(0),
    )
    with pytest.raises(CLIClientError) as info:
        client.request_json(method, "/x", json={"a": 1})
    error = info.value
    assert type(error) is error_class_for_status(status)
    assert error.status_code == status
    assert error.method == method
    str(error), repr(error)
    assert pickle.loads(pickle.dumps(error)).status_code == status


@settings(max_examples=80, deadline=None)
@given(status=st.integers(200, 299), body=bodies)
def test_any_success_body_decodes_or_is_a_client_error(status: int, body: bytes) -> None:
    transport = RecordingTransport(lambda r: httpx.Response(status, content=body))
    client = client_for("o", "w", transport)
    outcome(client.get_current_user)
    outcome(lambda: Things(client).list().first())


@settings(max_examples=50, deadline=None)
@given(status=st.integers(100, 599).filter(lambda s: s not in (101,)), body=bodies)
def test_static_methods_map_any_response(status: int, body: bytes) -> None:
    from flow_sdk.testing import installed_plugins, transport_plugin

    transport = RecordingTransport(lambda r: httpx.Response(status, content=body))
    with installed_plugins({"double": transport_plugin(transport)}):
        for call in (
            lambda: CLIClient.exchange_api_key("http://flow.test", "fl_key_123456"),
            lambda: CLIClient.create_cli_login_request("http://flow.test"),
            lambda: CLIClient.get_current_user_with_token("http://flow.test", "t"),
        ):
            _, error = outcome(call)
            if error is None or isinstance(error, CLIAuthenticationError):
                continue
            if error.status_code is not None and error.status_code >= 400:
                assert isinstance(error, error_class_for_status(error.status_code))


# 4. Secret redaction

b64 = string.ascii_letters + string.digits + "-_"
api_keys = st.text(alphabet=b64, min_size=12, max_size=40).map(lambda s: f"fl_{s}")
jwts = st.tuples(
    st.text(alphabet=b64, min_size=4, max_size=30),
    st.text(alphabet=b64, min_size=8, max_size=30),
    st.text(alphabet=b64, min_size=8, max_size=30),
).map(lambda p: f"eyJ{p[0]}.eyJ{p[1]}.{p[2]}")
password_alphabet = string.ascii_letters + string.digits + "!$%^&*()-_=+[]{};:,.<>~'\""
passwords = st.text(alphabet=password_alphabet, min_size=12, max_size=30)


@st.composite
def secrets(draw: st.DrawFn) -> tuple[str, str]:
    """(the secret, the text it is embedded in as it would appear)."""
    kind = draw(st.sampled_from(["key", "jwt", "password"]))
    if kind == "key":
        secret = draw(api_keys)
        form = secret
    elif kind == "jwt":
        secret = draw(jwts)
        form = draw(st.sampled_from([secret, f"Bearer {secret}", f"token={secret}"]))
    else:
        secret = draw(passwords)
        form = f"postgresql://flow_user:{secret}@db.example:5432/flow"
    return secret, form


printable = st.text(alphabet=string.printable.replace("\r", "").replace("\n", ""), max_size=20)


@settings(max_examples=120, deadline=None)
@given(secret=secrets(), prefix=st.text(max_size=20), suffix=st.text(max_size=20))
def test_secret_never_shows_in_an_error(secret: tuple[str, str], prefix: str, suffix: str) -> None:
    value, form = secret
    embedded = f"{prefix}{form}{suffix}"
    assume(value not in prefix + suffix)
    error = CLIClientError(
        f"failed: {embedded}",
        detail={"detail": embedded, "items": [embedded, {"deep": embedded}]},
        code=embedded,
        request_id=embedded,
        method="GET",
        url=f"https://flow.test/p/{quote(embedded, safe='')}?q={quote(embedded)}#{embedded}",
        hint=f"try again {embedded}",
    )
    copy = pickle.loads(pickle.dumps(error))
    for text in (str(error), repr(error), repr(error._fields()), str(copy), repr(copy._fields())):
        assert value not in text
        assert quote(value, safe="") not in text


@settings(max_examples=100, deadline=None)
@given(
    secret=secrets(), prefix=printable, suffix=printable, status=st.sampled_from([400, 401, 500])
)
def test_secret_never_shows_in_transport_errors_or_debug_logs(
    secret: tuple[str, str], prefix: str, suffix: str, status: int
) -> None:
    value, form = secret
    embedded = f"{prefix}{form}{suffix}"
    assume(value not in prefix + suffix)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    logger = logging.getLogger("flow_sdk")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        reply = httpx.Response(
            status,
            json={"detail": embedded, "code": embedded},
            headers=[(b"X-Request-ID", embedded.encode("latin-1"))],
        )
        transport = RecordingTransport(reply)
        client = SafeClient(
            build_http_client("http://flow.test", transport=transport),
            retry=RetryPolicy(max_retries=0),
        )
        errors: list[CLIClientError] = []
        with pytest.raises(CLIClientError) as info:
            client.request(
                "GET",
                f"/things/{quote(embedded, safe='')}",
                params={"filter": embedded, "api_key": value},
                headers={"Authorization": f"Bearer {value}", "X-Note": embedded},
            )
        errors.append(info.value)

        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError(f"cannot connect: {embedded}", request=request)

        failing = SafeClient(
            build_http_client("http://flow.test", transport=httpx.MockTransport(refuse)),
            retry=RetryPolicy(max_retries=0),
        )
        with pytest.raises(CLIClientError) as info:
            failing.request("POST", "/x", params={"dsn": embedded})
        errors.append(info.value)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    texts = [record.getMessage() for record in records]
    for error in errors:
        texts += [str(error), repr(error), repr(error._fields())]
    for text in texts:
        assert value not in text


# 5. Bodies: any JSON body is sent as it is, and every retry sends the same bytes and key

json_bodies = st.dictionaries(
    st.text(max_size=10),
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=10,
    ),
    max_size=5,
)


@settings(max_examples=80, deadline=None)
@given(body=json_bodies, failures=st.integers(0, 2))
def test_any_body_is_sent_intact_on_every_attempt(body: dict[str, Any], failures: int) -> None:
    replies: list[Any] = [httpx.Response(503)] * failures + [httpx.Response(201, json={"id": "x"})]
    transport = RecordingTransport(*replies)
    client = CLIClient(
        FlowConfig(platform_url="http://flow.test", org_id="o", workspace_id="w"),
        transport=transport,
        plugins=[],
        sleep=SleepRecorder(),
    )
    assert Things(client).create(body) == {"id": "x"}
    assert len(transport.requests) == failures + 1
    assert len({r.content for r in transport.requests}) == 1
    assert len({r.headers["Idempotency-Key"] for r in transport.requests}) == 1
    assert json.loads(transport.last.content) == body
