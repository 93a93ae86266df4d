"""The transport: the one module that imports httpx.

``SafeClient`` (the reference's ``_SafeSyncClient``) wraps an ``httpx.Client``
and is what every instance call goes through: it adds idempotency keys,
retries what is safe to retry, maps failures to ``CLIClientError`` subclasses,
keeps the platform's request id, and logs with secrets redacted.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
import msgspec

from ._errors import (
    CLIClientError,
    CLIConnectionError,
    CLITimeoutError,
    error_class_for_status,
)
from ._redact import redact_headers, redact_text, redact_url
from ._retry import IDEMPOTENT_METHODS, RetryBudget, RetryPolicy, parse_retry_after
from ._version import __version__

__all__ = [
    "USER_AGENT",
    "SafeClient",
    "build_http_client",
    "decode_error_body",
    "error_from_response",
]

T = TypeVar("T")
logger = logging.getLogger("flow_sdk")

USER_AGENT = (
    f"flow-sdk/{__version__} python/{'.'.join(map(str, sys.version_info[:3]))} "
    f"httpx/{httpx.__version__}"
)
_MAX_DETAIL_CHARS = 2000
_json_decoder = msgspec.json.Decoder()
_json_encoder = msgspec.json.Encoder()

_HINTS: dict[int, str] = {
    401: "run `flow login`, or check FLOW_API_KEY / FLOW_ACCESS_TOKEN",
    403: "ask an org admin for access, or check the org and workspace you selected",
    404: "check the id and the selected workspace; `list` shows what exists",
    409: "fetch the resource again and retry with its current version (if_match=...)",
    422: "fix the fields named in the detail and send again",
}
# A machine code names the cause more precisely than the status: a 409 is a
# stale version only when the platform says so (or says nothing).
_HINTS_BY_CODE: dict[str, str] = {
    "version_conflict": _HINTS[409],
    "idempotency_key_reused": "use a new idempotency_key for a request with a different body",
}


def build_http_client(
    base_url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx client with the SDK's defaults; ``transport`` comes from the plugins."""
    merged = {"User-Agent": USER_AGENT}
    if headers:
        merged.update(headers)
    return httpx.Client(base_url=base_url, headers=merged, timeout=timeout, transport=transport)


def decode_error_body(content: bytes) -> tuple[Any, str | None, str]:
    """(detail, code, text) of an error body, whatever it holds; never raises."""
    text = content[: _MAX_DETAIL_CHARS * 2].decode("utf-8", errors="replace")
    try:
        body = _json_decoder.decode(content)
    except (msgspec.DecodeError, ValueError):
        return text[:_MAX_DETAIL_CHARS] or None, None, text
    if isinstance(body, dict):
        detail = body.get("detail", text[:_MAX_DETAIL_CHARS] or None)
        code = body.get("code")
        return detail, code if isinstance(code, str) else None, text
    return text[:_MAX_DETAIL_CHARS], None, text


def _detail_text(detail: Any) -> str:
    if detail is None:
        return "no detail"
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail[:10]:
            if isinstance(item, dict) and "msg" in item:
                loc = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {item['msg']}" if loc else str(item["msg"]))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)


def error_from_response(response: httpx.Response, *, attempts: int = 1) -> CLIClientError:
    """The ``CLIClientError`` subclass for a non-success response."""
    status = response.status_code
    detail, code, _ = decode_error_body(response.content)
    request = response.request
    method = request.method
    url = str(request.url)
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    hint = _HINTS_BY_CODE.get(code) if code else None
    if hint is None and (code is None or status != 409):
        hint = _HINTS.get(status)
    if status == 429:
        wait = f"wait {retry_after:g}s and retry" if retry_after is not None else "retry later"
        hint = f"{wait}; the SDK tried {attempts} time(s) (raise max_retries to retry more)"
    elif status >= 500:
        hint = "the platform failed; retry later, and quote the request id to support"
    cls = error_class_for_status(status)
    message = f"{method} {redact_url(request.url.path)} failed ({status}): {_detail_text(detail)}"
    return cls(
        message,
        status_code=status,
        detail=detail,
        code=code,
        request_id=response.headers.get("x-request-id"),
        method=method,
        url=url,
        hint=hint,
        retry_after=retry_after,
    )


def connection_hint(exc: httpx.HTTPError, url: httpx.URL) -> str:
    """What to do about a request that never got an answer."""
    if isinstance(exc, httpx.TimeoutException):
        return "the platform is slow or unreachable; raise timeout=... or retry later"
    if isinstance(exc, httpx.UnsupportedProtocol) and url.scheme == "local":
        return "pip install flow-sdk-local, or set FLOW_PLATFORM_URL to a remote platform"
    return "check the platform URL and your network (flow auth status shows the URL)"


def _transport_error(exc: httpx.TransportError, request: httpx.Request) -> CLIClientError:
    url = str(request.url)
    hint = connection_hint(exc, request.url)
    if isinstance(exc, httpx.TimeoutException):
        return CLITimeoutError(
            f"{request.method} {redact_url(url)} timed out: {type(exc).__name__}",
            method=request.method,
            url=url,
            hint=hint,
        )
    if isinstance(exc, httpx.UnsupportedProtocol) and request.url.scheme == "local":
        return CLIConnectionError(
            f"{redact_url(url)} names the embedded local platform, which is not installed",
            method=request.method,
            url=url,
            hint=hint,
        )
    return CLIConnectionError(
        f"{request.method} {redact_url(url)} failed: {redact_text(str(exc)) or type(exc).__name__}",
        method=request.method,
        url=url,
        hint=hint,
    )


_live_clients: weakref.WeakSet[SafeClient] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for client in list(_live_clients):
        client._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class SafeClient:
    """Sends requests with retries and idempotency keys; maps failures to errors.

    Thread-safe: one instance serves many threads. After ``fork()`` a client
    that built its own httpx client builds a fresh one, so parent and child
    never share sockets.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        retry: RetryPolicy | None = None,
        auth: httpx.Auth | None = None,
        rebuild: Callable[[], httpx.Client] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        budget: RetryBudget | None = None,
    ) -> None:
        self.http = http
        self.retry = retry or RetryPolicy()
        self.auth = auth
        self._rebuild = rebuild
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._budget = budget or RetryBudget()
        self._fork_lock = threading.Lock()
        _live_clients.add(self)

    def _after_fork(self) -> None:
        self._fork_lock = threading.Lock()
        if self._rebuild is not None:
            self.http = self._rebuild()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send a request, retrying what is safe; return the successful response.

        Every POST and PATCH carries an ``Idempotency-Key`` (``idempotency_key``
        or a fresh one) that stays the same across its retries, which is what
        makes retrying it safe.
        """
        method = method.upper()
        all_headers: dict[str, str] = dict(headers) if headers else {}
        if json is not None:
            content = _json_encoder.encode(json)
            all_headers.setdefault("Content-Type", "application/json")
        if method in ("POST", "PATCH"):
            all_headers.setdefault("Idempotency-Key", idempotency_key or uuid.uuid4().hex)
            retryable = True
        else:
            retryable = method in IDEMPOTENT_METHODS
        try:
            request = self.http.build_request(
                method,
                url,
                content=content,
                params=_clean_params(params),
                headers=all_headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.InvalidURL as exc:
            raise CLIClientError(
                f"cannot send {method} {redact_url(url)!r}: {exc}",
                method=method,
                hint="remove control characters from the path and parameters",
            ) from None
        return self.send(request, retryable=retryable)

    def send(self, request: httpx.Request, *, retryable: bool) -> httpx.Response:
        """Send a built request with the retry policy; raise a mapped error on failure."""
        if self.http.is_closed:
            raise CLIClientError(
                f"cannot send {request.method} {redact_url(request.url.path)}: the client is "
                "closed",
                method=request.method,
                url=str(request.url),
                hint="make a new CLIClient, or make the calls inside its `with` block",
            )
        attempt = 0
        debug = logger.isEnabledFor(logging.DEBUG)
        while True:
            if debug:
                _log_request(request, attempt)
            started = time.perf_counter()
            try:
                response = self.http.send(request, auth=self.auth or httpx.USE_CLIENT_DEFAULT)
            except httpx.TransportError as exc:
                error = _transport_error(exc, request)
                if debug:
                    logger.debug("%s after %.1f ms", error.message, _ms(started))
                delay = self.retry.delay(attempt, None, self._rng) if retryable else None
                if delay is None or not self._budget.try_spend():
                    raise error from None
            else:
                if debug:
                    _log_response(response, started)
                status = response.status_code
                if status < 400:
                    self._budget.record_success()
                    return response
                if not (retryable and self.retry.should_retry_status(status)):
                    raise error_from_response(response, attempts=attempt + 1)
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                delay = self.retry.delay(attempt, retry_after, self._rng)
                if delay is None or not self._budget.try_spend():
                    raise error_from_response(response, attempts=attempt + 1)
                response.close()
            if debug:
                logger.debug(
                    "retrying in %.2fs (retry %d of %d)", delay, attempt + 1, self.retry.max_retries
                )
            self._sleep(delay)
            attempt += 1

    def retry_call(self, call: Callable[[], T]) -> T:
        """Run an idempotent exchange made outside ``send`` (the API key exchange)
        under the same retry policy and budget: retried when it failed with no
        answer or with a retryable status, never after a refusal such as 401."""
        attempt = 0
        while True:
            try:
                result = call()
            except CLIClientError as error:
                status = error.status_code
                transient = status is None or self.retry.should_retry_status(status)
                delay = (
                    self.retry.delay(attempt, error.retry_after, self._rng) if transient else None
                )
                if delay is None or not self._budget.try_spend():
                    raise
                logger.debug("retrying in %.2fs after: %s", delay, error.message)
                self._sleep(delay)
                attempt += 1
            else:
                self._budget.record_success()
                return result

    def request_json(self, method: str, url: str, *, type: Any = None, **kwargs: Any) -> Any:
        """``request`` and decode the JSON body (into ``type`` when given); 204 gives None."""
        response = self.request(method, url, **kwargs)
        return decode_json(response, type)


@functools.lru_cache(maxsize=256)
def _decoder_for(type: Any) -> msgspec.json.Decoder[Any]:
    """One decoder per type: building a decoder's type information costs more than
    decoding a small reply, so it is done once."""
    return msgspec.json.Decoder(type)


def _unreadable(response: httpx.Response, problem: str) -> CLIClientError:
    request = response.request
    return CLIClientError(
        f"{request.method} {redact_url(request.url.path)} {problem}",
        status_code=response.status_code,
        request_id=response.headers.get("x-request-id"),
        method=request.method,
        url=str(request.url),
        hint="check that the platform URL points at a Flow platform and the SDK is current",
    )


def decode_json(response: httpx.Response, type: Any = None) -> Any:
    """Decode a success body with msgspec; an unreadable body is a ``CLIClientError``."""
    content = response.content
    if response.status_code == 204 or not content:
        if type is None:
            return None
        raise _unreadable(
            response, f"returned no body where the SDK expected one ({response.status_code})"
        )
    try:
        if type is None:
            return _json_decoder.decode(content)
        try:
            decoder = _decoder_for(type)
        except TypeError:  # an unhashable type: decode without the cache
            return msgspec.json.decode(content, type=type)
        return decoder.decode(content)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _unreadable(response, f"returned a body the SDK cannot read: {exc}") from None


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    cleaned: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            cleaned[key] = "true" if value else "false"
        else:
            cleaned[key] = value
    return cleaned


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _log_request(request: httpx.Request, attempt: int) -> None:
    logger.debug(
        "→ %s %s%s headers=%s",
        request.method,
        redact_url(str(request.url)),
        f" (retry {attempt})" if attempt else "",
        redact_headers(request.headers),
    )


def _log_response(response: httpx.Response, started: float) -> None:
    logger.debug(
        "← %s %s %s in %.1f ms request-id=%s",
        response.status_code,
        response.request.method,
        redact_url(str(response.request.url)),
        _ms(started),
        redact_text(response.headers.get("x-request-id") or "-"),
    )
