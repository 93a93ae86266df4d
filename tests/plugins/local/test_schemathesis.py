"""The OpenAPI document states what the server enforces: schemathesis against a served platform.

Every operation of the committed ``docs/openapi.json`` (kept equal to the
generated one by ``test_openapi.py``) is called with schema-valid requests
(schemathesis' positive mode: its coverage phase, then a bounded number of
generated examples) on a platform with every installed plugin, served on a
loopback socket, as the dev user. Each answer must be

- no server error (5xx);
- of a status the document lists, with a body and headers that fit it;
- an acceptance: 2xx, or what only state can explain and the document
  declares (404 for an id that does not exist, 409 for a conflict with the
  current state). A 422 or 400 for a request the schema calls valid means
  the document is missing a constraint the server enforces.

The exceptions are listed, each with the words the refusal must say, in
``schemathesis_support``: rules no JSON Schema can state (a sum, a list's
items unique by a key, references to what the workspace holds), written in
the schemas' descriptions (``RULES_IN_WORDS``); a 401 for an API key that
does not exist (``STATE_REFUSALS``); and checks in code their types do not
declare yet (``KNOWN_REFUSALS``, empty now).

``FLOW_SCHEMATHESIS_EXAMPLES`` raises the number of generated examples per
operation (default 8) for a longer local run; ``FLOW_SCHEMATHESIS_SEED`` picks
the seed (default fixed, so CI runs are reproducible).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import hypothesis
import pytest
import requests
import schemathesis
from flow_sdk_local import DEV_ORG_ID, DEV_WORKSPACE_ID, LocalPlatform, LocalServer
from flow_sdk_local._app import ADMIN_HEADER
from flow_sdk_local.pytest_plugin import PlatformHandle
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .schemathesis_support import (
    outbound_guard,
    refusal_in_words,
)

COMMITTED = Path(__file__).parents[3] / "docs" / "openapi.json"
TENANT = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_EXAMPLES = int(os.environ.get("FLOW_SCHEMATHESIS_EXAMPLES", "8"))
SEED = int(os.environ.get("FLOW_SCHEMATHESIS_SEED", "20240601"))

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        # The dev tenant, so requests reach the routes instead of stopping at the
        # tenant check (another org is a 404 by design).
        "parameters": {"path.org_id": DEV_ORG_ID, "path.workspace_id": DEV_WORKSPACE_ID},
        "generation": {"mode": "positive", "max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            # Not the values seen in earlier responses: schemathesis sends them as valid
            # without checking them against the parameter's schema.
            "coverage": {"enabled": True, "extra-data-sources": {"responses": False}},
            "fuzzing": {"enabled": True, "extra-data-sources": {"responses": False}},
            "stateful": {"enabled": False},
        },
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "positive_data_acceptance": {
                "enabled": True,
                "expected-statuses": ["2xx", "404", "409"],
            },
        },
    }
)

schema = schemathesis.openapi.from_path(COMMITTED, config=CONFIG)


@schemathesis.serializer("application/x-ndjson")
def _json_lines(context: Any, value: Any) -> bytes:
    """JSON Lines: the document describes such a body as the array of its lines."""
    return "".join(json.dumps(item) + "\n" for item in value).encode()


CALLS: dict[str, Counter[int]] = defaultdict(Counter)
"""Per operation, how many calls got each status (for the summary and the coverage test)."""


class Served:
    """The platform under test, its socket server, and a token for the dev user."""

    def __init__(self, platform: LocalPlatform, server: LocalServer) -> None:
        self.platform = platform
        self.server = server
        self.handle = PlatformHandle(platform, server.url, "socket")
        self.session = requests.Session()
        self._token = ""

    @property
    def url(self) -> str:
        return self.server.url

    def auth(self, path: str = "") -> dict[str, str]:
        """The dev user's bearer token, and the admin secret for the control plane."""
        if not self._token:
            self._token = self.handle.token()
        headers = {"Authorization": f"Bearer {self._token}"}
        if path.startswith("/_local/"):
            headers[ADMIN_HEADER] = self.platform.admin_secret
        return headers

    def after_write(self, path: str) -> None:
        """Undo what a write may have done to the requests after it: a control-plane call
        (faults, clock, reset, keys: a fresh platform), a policy (it would deny them)."""
        if path.startswith("/_local/"):
            self.platform.reset()
            self._token = ""
        elif path.startswith(f"{TENANT}/policies"):
            self.platform.handle(
                "DELETE",
                f"/_local/orgs/{DEV_ORG_ID}/workspaces/{DEV_WORKSPACE_ID}/policies",
                "",
                {},
                b"",
            )


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    platform = LocalPlatform(f"local://memory-schemathesis-{uuid.uuid4().hex[:8]}")
    server = LocalServer(platform).start()
    state = Served(platform, server)
    try:
        with outbound_guard():
            yield state
    finally:
        state.session.close()
        server.stop()
        platform.close()


@schema.parametrize()
def test_operation_accepts_what_its_schema_allows(case: Any, served: Served) -> None:
    label = f"{case.method} {case.path}"
    # schemathesis unquotes a generated path parameter before quoting it (quote_all), so a
    # value holding "%15" is sent as U+0015, which the schema forbids: not a schema-valid request
    hypothesis.assume(
        not any(_CONTROL.search(unquote(str(v))) for v in case.path_parameters.values())
    )
    if case.headers and "Idempotency-Key" in case.headers:
        # A fresh key each time: the generated ones repeat ("0"), and a repeated key with
        # another body is a 409 before the handler has looked at anything.
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    try:
        headers = served.auth(case.path)
        response = case.call(served.url, session=served.session, headers=headers)
        CALLS[label][response.status_code] += 1
        if not refusal_in_words(label, response.status_code, response.text):
            case.validate_response(response, headers=headers)
        else:
            case.validate_response(
                response, headers=headers, excluded_checks=[positive_data_acceptance]
            )
    finally:
        if case.method != "GET":
            served.after_write(case.path)


def test_every_operation_was_called() -> None:
    """Each operation of the document got requests (the summary lists the statuses)."""
    if not CALLS:
        pytest.skip("the schemathesis test did not run (deselected)")
    operations = {
        f"{method.upper()} {path}"
        for path, ops in schema.raw_schema["paths"].items()
        for method in ops
    }
    missing = sorted(operations - set(CALLS))
    assert not missing, f"operations never called: {missing}"
    total = sum(sum(c.values()) for c in CALLS.values())
    lines = [f"{len(CALLS)} operations, {total} calls"]
    for label in sorted(CALLS):
        statuses = ", ".join(f"{s}x{n}" for s, n in sorted(CALLS[label].items()))
        lines.append(f"  {label}: {statuses}")
    print("\n".join(lines))


def test_whole_float_integers_are_accepted(served: Served) -> None:
    """JSON Schema's integer 50.0 is the integer 50 (schemathesis sends such values);
    50.5 is still no integer."""
    url = f"{served.url}/api/v1/orgs/{DEV_ORG_ID}/workspaces/{DEV_WORKSPACE_ID}/rings"
    response = served.session.post(
        url, json={"name": "whole", "traffic_percent": 50.0}, headers=served.auth()
    )
    assert response.status_code == 201, response.text
    assert response.json()["traffic_percent"] == 50
    half = served.session.post(
        url, json={"name": "half", "traffic_percent": 50.5}, headers=served.auth()
    )
    assert half.status_code == 422, half.text


def test_the_plugins_spell_the_name_pattern_as_the_platform_does() -> None:
    """Plugins whose models the SDK imports cannot import the local platform: they copy it."""
    from flow_sdk_experiments._models import NAME_PATTERN as experiments
    from flow_sdk_local import NAME_PATTERN
    from flow_sdk_mcp_servers._models import NAME_PATTERN as mcp_servers

    assert experiments == mcp_servers == NAME_PATTERN


def test_the_documented_patterns_say_what_the_platform_checks() -> None:
    """NO_CONTROLS (path parameters, names, keys) and NAME_PATTERN agree with the checks."""
    from flow_sdk_local import NAME_PATTERN, NO_CONTROLS, NOT_BLANK, is_blank
    from flow_sdk_local._http import control_characters

    for code in [*range(0x3100), 0xFEFF, 0x10FFFF]:
        char = chr(code)
        assert (re.fullmatch(NO_CONTROLS, char) is None) == control_characters(char), hex(code)
        assert is_blank(char) == (not char.strip()) == (re.search(NOT_BLANK, char) is None)
        named = re.search(NAME_PATTERN, f" {char} ") is not None
        assert named == (not is_blank(char) and not control_characters(char)), hex(code)
