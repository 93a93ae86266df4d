"""The error hierarchy: one root, every field kept, pickling, hints, status mapping."""

from __future__ import annotations

import pickle

import flow_sdk
import pytest
from flow_sdk import (
    CLIAuthenticationError,
    CLIClientError,
    CLIConflictError,
    CLIConnectionError,
    CLINotFoundError,
    CLIPermissionError,
    CLIRateLimitError,
    CLIServerError,
    CLITimeoutError,
    CLIValidationError,
    PluginError,
)
from flow_sdk._errors import error_class_for_status

ALL_ERRORS = [
    CLIClientError,
    CLIAuthenticationError,
    CLIPermissionError,
    CLINotFoundError,
    CLIConflictError,
    CLIValidationError,
    CLIRateLimitError,
    CLIServerError,
    CLIConnectionError,
    CLITimeoutError,
    PluginError,
]


def test_every_error_has_one_root() -> None:
    for cls in ALL_ERRORS:
        assert issubclass(cls, CLIClientError)
        assert issubclass(cls, Exception)
    assert CLIClientError.__bases__ == (Exception,)
    assert issubclass(CLITimeoutError, CLIConnectionError)


def test_reference_import_paths() -> None:
    from flow_sdk.cli_client import CLIAuthenticationError as A
    from flow_sdk.cli_client import CLIClient, FlowConfig
    from flow_sdk.cli_client import CLIClientError as E

    assert A is flow_sdk.CLIAuthenticationError
    assert E is flow_sdk.CLIClientError
    assert CLIClient is flow_sdk.CLIClient
    assert FlowConfig is flow_sdk.FlowConfig


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, CLIValidationError),
        (401, CLIAuthenticationError),
        (403, CLIPermissionError),
        (404, CLINotFoundError),
        (409, CLIConflictError),
        (412, CLIConflictError),
        (422, CLIValidationError),
        (429, CLIRateLimitError),
        (500, CLIServerError),
        (502, CLIServerError),
        (599, CLIServerError),
        (418, CLIClientError),
        (405, CLIClientError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[CLIClientError]) -> None:
    assert error_class_for_status(status) is cls


def full_error(cls: type[CLIClientError]) -> CLIClientError:
    return cls(
        "GET /x failed (404): nope",
        status_code=404,
        detail=[{"loc": ["body", "name"], "msg": "required"}],
        code="not_found",
        request_id="req_123",
        method="GET",
        url="https://flow.example/api/v1/x?limit=5",
        hint="check the id",
        retry_after=1.5,
    )


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_every_field_is_kept(cls: type[CLIClientError]) -> None:
    error = full_error(cls)
    assert error.message == "GET /x failed (404): nope"
    assert error.status_code == 404
    assert error.detail == [{"loc": ["body", "name"], "msg": "required"}]
    assert error.code == "not_found"
    assert error.request_id == "req_123"
    assert error.method == "GET"
    assert error.url == "https://flow.example/api/v1/x?limit=5"
    assert error.hint == "check the id"
    assert error.retry_after == 1.5
    assert error.args == ("GET /x failed (404): nope",)


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_pickle_round_trip_keeps_class_and_fields(cls: type[CLIClientError]) -> None:
    error = full_error(cls)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert copy._fields() == error._fields()
    assert copy.message == error.message
    assert str(copy) == str(error)


def test_pickle_of_minimal_error() -> None:
    copy = pickle.loads(pickle.dumps(CLIClientError("plain")))
    assert str(copy) == "plain"
    assert copy.status_code is None


def test_str_shows_request_id_and_hint() -> None:
    error = full_error(CLINotFoundError)
    assert str(error) == "GET /x failed (404): nope [request id req_123]\n  hint: check the id"
    assert str(CLIClientError("plain")) == "plain"


def test_repr_names_class_message_and_status() -> None:
    assert repr(full_error(CLINotFoundError)) == (
        "CLINotFoundError('GET /x failed (404): nope', status_code=404)"
    )


def test_secrets_are_redacted_from_message_detail_and_url() -> None:
    key = "fl_live_abcdefghijklmnop"
    error = CLIClientError(
        f"exchange with {key} failed",
        detail={"detail": f"key {key} revoked", "items": [f"Bearer {key}"]},
        url=f"https://bob:hunter2secret@flow.example/x?api_key={key}&page=2",
    )
    for text in (str(error), repr(error), repr(error.detail), error.url or ""):
        assert key not in text
        assert "hunter2secret" not in text
    assert "page=2" in (error.url or "")
    assert "flow.example" in (error.url or "")


def test_errors_can_be_raised_and_caught_by_root() -> None:
    with pytest.raises(CLIClientError) as info:
        raise CLIRateLimitError("slow down", status_code=429, retry_after=3.0)
    assert info.value.retry_after == 3.0
