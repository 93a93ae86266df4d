"""Any service id or endpoint path is answered with a 4xx, never another service or a 500."""

from __future__ import annotations

import string
from typing import Any

import pytest
from flow_sdk import CLIClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PATH_ALPHABET = string.ascii_letters + string.digits + "/-._~ é{}"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(service_id=st.text(min_size=1, max_size=40))
def test_any_service_id_is_not_found(
    flow_client_inprocess: Any, missing_error: Any, service_id: str
) -> None:
    services = flow_client_inprocess.hosted_services
    for call in (services.get, services.publish, services.versions):
        with pytest.raises(missing_error(service_id)):
            call(service_id)
    with pytest.raises(missing_error(service_id)):
        flow_client_inprocess.invoke_service(service_id, "GET", "/x")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.text(alphabet=PATH_ALPHABET, min_size=1, max_size=30).filter(
        # An empty path names the service itself, and dot segments are resolved by URL
        # rules before any platform sees them: neither reaches an endpoint.
        lambda p: p.strip("/") and not {".", ".."} & set(p.split("/"))
    )
)
def test_any_path_of_a_published_service_is_a_client_error(
    flow_client_inprocess: Any, path: str
) -> None:
    services = flow_client_inprocess.hosted_services
    with pytest.raises(CLIClientError, match="endpoint path is empty"):
        services.invoke("svc_1", "GET", "/")
    service = next(iter(services.list(name="echo")), None)
    if service is None:
        service = services.create(
            name="echo", endpoints=[{"method": "POST", "path": "/echo", "handler": "x = 1"}]
        )
        services.publish(service.id)
    with pytest.raises(CLIClientError) as caught:
        flow_client_inprocess.invoke_service(service.id, "GET", path)
    assert caught.value.status_code in (404, 405)
