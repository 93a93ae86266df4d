"""Helpers of ``test_schemathesis.py``: no traffic leaves the machine, and the known gaps."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

KNOWN_REFUSALS: dict[str, tuple[str, ...]] = {}
"""Schema-valid requests the platform still refuses (422) with a check made in code that its
types do not declare, in files outside this change: per operation, what the refusal says.
Remove an entry with its fix; other refusals of these operations still fail the test."""

_T = "/api/v1/orgs/{org_id}/workspaces/{workspace_id}"
_REFERENCES = ("in this workspace", "has no version", "has versions", "no ring")
_ENDPOINTS = (
    "is not valid Python",
    "parameter names repeat",
    "answers the same requests",
    "no code block",
)
RULES_IN_WORDS: dict[str, tuple[str, ...]] = {
    # inter-parameter rules: scope_id and scope_type go together
    "GET /api/v1/connectors/instances": ("scope_id needs scope_type", "id is required"),
    # uniqueness within a list (JSON Schema's uniqueItems compares whole items)
    f"POST {_T}/datasets": ("is named twice",),
    f"PATCH {_T}/datasets/{{id}}": ("is named twice",),
    f"POST {_T}/solutions": ("is listed twice", *_REFERENCES),
    f"PATCH {_T}/solutions/{{id}}": ("is listed twice", *_REFERENCES),
    f"POST {_T}/solutions/import": ("appears twice", "which is not in"),
    # sums, uniqueness, and references to what the workspace holds
    f"POST {_T}/experiments": ("add up to", "repeats variant", *_REFERENCES),
    f"PATCH {_T}/experiments/{{id}}": ("add up to", "repeats variant", *_REFERENCES),
    f"POST {_T}/component-backups": _REFERENCES,
    f"POST {_T}/component-deployments": _REFERENCES,
    f"POST {_T}/workflow-deployments": _REFERENCES,
    # endpoint handlers are Python that compiles; endpoints do not overlap
    "POST /api/v1/orgs/{org_id}/services": _ENDPOINTS,
    "PATCH /api/v1/orgs/{org_id}/services/{id}": _ENDPOINTS,
    # an absolute SQLite path may not point into the platform's own files
    "POST /api/v1/connectors/instances": ("the local platform's own files",),
}
"""Rules JSON Schema cannot state (each is written in its schema's description): per
operation, what a 422 for a schema-valid request may say. Only such a 422 is let pass."""

STATE_REFUSALS: dict[str, tuple[tuple[int, str], ...]] = {
    # an API key the schema cannot know to exist
    "POST /api/v1/auth/token": ((401, "invalid_api_key"),),
}
"""Refusals that only state explains, with a status other than 404 or 409 (which every
operation may answer): per operation, (status, error code)."""


def refusal_in_words(label: str, status: int, text: str) -> bool:
    """Whether a refusal is one of the operation's rules that a schema can only state in
    words, one that only state explains, or a known gap (``KNOWN_REFUSALS``)."""
    rules = (*RULES_IN_WORDS.get(label, ()), *KNOWN_REFUSALS.get(label, ()))
    if status == 422 and any(rule in text for rule in rules):
        return True
    return any(
        status == code and f'"code":"{error}"' in text
        for code, error in STATE_REFUSALS.get(label, ())
    )


def _is_loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def outbound_guard() -> Iterator[None]:
    """Refuse (at once) connections and name look-ups for anything but loopback.

    Generated requests name arbitrary hosts (a connector's DSN, an MCP server's
    URL); the platform would try them. Here they fail fast, as an unreachable
    host does, and nothing leaves the machine.
    """
    original_getaddrinfo = socket.getaddrinfo
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(host if isinstance(host, str) else str(host)):
            raise socket.gaierror(socket.EAI_NONAME, f"test: no look-up of {host!r}")
        return original_getaddrinfo(host, *args, **kwargs)

    def _check(address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"test: no connection to {address[0]!r}")

    def connect(self: socket.socket, address: Any) -> Any:
        _check(address)
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        _check(address)
        return original_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.getaddrinfo = original_getaddrinfo  # type: ignore[assignment]
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
