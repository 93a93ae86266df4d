"""The transport: the one module that imports httpx.

``SafeClient`` (the reference's ``_SafeSyncClient``) wraps an ``httpx.Client``
and is what every instance call goes through: it adds idempotency keys,
retries what is safe to retry, maps failures to ``CLIClientError`` subclasses,
keeps the platform's request id, and logs with secrets redacted.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import os
import random
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Generator, Mapping
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
    "AsyncSafeClient",
    "SafeClient",
    "build_http_client",
    "decode_error_body",
    "detail_text",
    "error_from_response",
    "transport_error",
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


class LazyHTTPTransport(httpx.BaseTransport):
    """httpx's own ``HTTPTransport``, built on the first request.

    Building it loads the CA bundle into an SSL context, which costs more
    than the rest of a client's start-up; a client that is built and never
    sends (a CLI command that fails early, a test) should not pay for it.
    """

    def __init__(self) -> None:
        self._transport: httpx.HTTPTransport | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "LazyHTTPTransport()"

    @property
    def transport(self) -> httpx.HTTPTransport:
        """The real transport (built now if it was not yet)."""
        transport = self._transport
        if transport is None:
            with self._lock:  # one pool, however many threads send first
                if self._transport is None:
                    self._transport = httpx.HTTPTransport()
                transport = self._transport
        return transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through httpx's transport (building it on the first request)."""
        return self.transport.handle_request(request)

    def close(self) -> None:
        """Close the connection pool, if one was made."""
        if self._transport is not None:
            self._transport.close()


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
    if transport is None and base_url.startswith(("http://", "https://")):
        transport = LazyHTTPTransport()
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


def shown_path(request: httpx.Request) -> str:
    """The request's path as it went on the wire (still percent-encoded), secrets redacted.

    Not ``url.path``: decoding it would turn an encoded ``?`` or ``/`` inside an id
    back into URL syntax, and a secret split across that syntax would escape redaction.
    """
    return redact_url(request.url.raw_path.split(b"?", 1)[0].decode("ascii", "replace"))


def detail_text(detail: Any) -> str:
    """The platform's ``detail`` as one line: a sentence as it is, 422 field errors
    joined as ``field: message``; "no detail" when there is none."""
    if detail is None or detail == "":
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


def error_from_response(
    response: httpx.Response,
    *,
    attempts: int = 1,
    what: str | None = None,
    cls: type[CLIClientError] | None = None,
    hint: str | None = None,
    with_status: bool = True,
) -> CLIClientError:
    """The one place a non-success response becomes a ``CLIClientError``.

    The message is ``<what> (<status>): <detail>`` (``what`` defaults to the
    method and path; ``with_status=False`` leaves the status out, as the
    reference does for a refused token); the class follows the status unless
    ``cls`` is given; the hint follows the platform's error code, then the status.
    """
    status = response.status_code
    detail, code, _ = decode_error_body(response.content)
    request = response.request
    method = request.method
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if hint is None:
        hint = _HINTS_BY_CODE.get(code) if code else None
        if hint is None and (code is None or status != 409):
            hint = _HINTS.get(status)
        if status == 429:
            wait = f"wait {retry_after:g}s and retry" if retry_after is not None else "retry later"
            hint = f"{wait}; the SDK tried {attempts} time(s) (raise max_retries to retry more)"
        elif status >= 500:
            hint = "the platform failed; retry later, and quote the request id to support"
    prefix = what or f"{method} {shown_path(request)} failed"
    shown = f" ({status})" if with_status else ""
    return (cls or error_class_for_status(status))(
        f"{prefix}{shown}: {detail_text(detail)}",
        status_code=status,
        detail=detail,
        code=code,
        request_id=response.headers.get("x-request-id"),
        method=method,
        url=str(request.url),
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


def transport_error(
    exc: httpx.HTTPError,
    request: httpx.Request,
    *,
    what: str | None = None,
    cls: type[CLIClientError] | None = None,
) -> CLIClientError:
    """The one place a request that got no answer becomes a ``CLIClientError``:
    ``<what>: <cause>`` when ``what`` is given, else the method, URL and cause."""
    url = str(request.url)
    hint = connection_hint(exc, request.url)
    cause = redact_text(str(exc)) or type(exc).__name__
    timed_out = isinstance(exc, httpx.TimeoutException)
    if what is not None:
        message = f"{what}: {cause}"
    elif timed_out:
        message = f"{request.method} {redact_url(url)} timed out: {type(exc).__name__}"
    elif isinstance(exc, httpx.UnsupportedProtocol) and request.url.scheme == "local":
        message = f"{redact_url(url)} names the embedded local platform, which is not installed"
    else:
        message = f"{request.method} {redact_url(url)} failed: {cause}"
    chosen = cls or (CLITimeoutError if timed_out else CLIConnectionError)
    return chosen(message, method=request.method, url=url, hint=hint)


_live_clients: weakref.WeakSet[SafeClient] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for client in list(_live_clients):
        client._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

#: What the retry flow yields: a request to transmit, or seconds to wait.
_Wanted = httpx.Request | float
#: What it is sent back after a transmit: the response, or why there was none.
_Outcome = httpx.Response | httpx.TransportError | None


def redirect_error(response: httpx.Response) -> CLIClientError:
    """A 3xx is not a success: say where the platform (or a proxy) sent the call."""
    request = response.request
    location = response.headers.get("location") or "nowhere (no Location header)"
    return CLIClientError(
        f"{request.method} {shown_path(request)} was redirected "
        f"({response.status_code}) to {redact_url(location)}",
        status_code=response.status_code,
        request_id=response.headers.get("x-request-id"),
        method=request.method,
        url=str(request.url),
        hint="check the platform URL: a proxy or a sign-in page answered instead of the "
        "Flow platform (use the URL the redirect names if it is the platform)",
    )


class _RetryState:
    """The policy, budget and random source one safe client (sync or async) retries with."""

    __slots__ = ("budget", "retry", "rng")

    def __init__(self, retry: RetryPolicy, rng: random.Random, budget: RetryBudget) -> None:
        self.retry = retry
        self.rng = rng
        self.budget = budget

    def attempts(
        self, request: httpx.Request, *, retryable: bool
    ) -> Generator[_Wanted, _Outcome, httpx.Response]:
        """The retry loop, free of I/O: yields the request to send (and is sent its
        outcome) or a delay to sleep; returns the successful response or raises."""
        attempt = 0
        debug = logger.isEnabledFor(logging.DEBUG)
        while True:
            if debug:
                log_request(request, attempt)
            started = time.perf_counter()
            outcome = yield request
            if isinstance(outcome, httpx.TransportError):
                error = transport_error(outcome, request)
                if debug:
                    logger.debug("%s after %.1f ms", error.message, _ms(started))
                delay = self.retry.delay(attempt, None, self.rng) if retryable else None
                if delay is None or not self.budget.try_spend():
                    raise error from None
            else:
                assert outcome is not None
                response = outcome
                if debug:
                    log_response(response, started)
                status = response.status_code
                if 200 <= status < 300:
                    self.budget.record_success()
                    return response
                if status < 400:
                    raise redirect_error(response)
                if status == 404 and attempt > 0 and request.method == "DELETE":
                    # An earlier attempt deleted it and its answer was lost: done.
                    self.budget.record_success()
                    if debug:
                        logger.debug("404 on a retried DELETE: an earlier attempt deleted it")
                    return httpx.Response(204, headers=response.headers, request=request)
                if not (retryable and self.retry.should_retry_status(status)):
                    raise error_from_response(response, attempts=attempt + 1)
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                delay = self.retry.delay(attempt, retry_after, self.rng)
                if delay is None or not self.budget.try_spend():
                    raise error_from_response(response, attempts=attempt + 1)
            if debug:
                logger.debug(
                    "retrying in %.2fs (retry %d of %d)", delay, attempt + 1, self.retry.max_retries
                )
            yield delay
            attempt += 1

    def call_attempts(self) -> Generator[float, CLIClientError | None, None]:
        """The retry loop for an exchange made outside ``send`` (the API key exchange):
        sent each failure (None for a success), yields the delay before the next try;
        retried when it failed with no answer or a retryable status, never after a
        refusal such as 401."""
        attempt = 0
        while True:
            error = yield 0.0
            if error is None:
                self.budget.record_success()
                return
            status = error.status_code
            transient = status is None or self.retry.should_retry_status(status)
            delay = self.retry.delay(attempt, error.retry_after, self.rng) if transient else None
            if delay is None or not self.budget.try_spend():
                raise error
            logger.debug("retrying in %.2fs after: %s", delay, error.message)
            yield delay
            attempt += 1


def build_request(
    http: httpx.Client | httpx.AsyncClient,
    method: str,
    url: str,
    *,
    json: Any = None,
    content: bytes | None = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    idempotency_key: str | None = None,
    timeout: float | None = None,
) -> tuple[httpx.Request, bool]:
    """The httpx request for a call, and whether retrying it is safe.

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
        request = http.build_request(
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
    return request, retryable


def _closed_error(request: httpx.Request, client: str, block: str) -> CLIClientError:
    return CLIClientError(
        f"cannot send {request.method} {shown_path(request)}: the client is closed",
        method=request.method,
        url=str(request.url),
        hint=f"make a new {client}, or make the calls inside its `{block}` block",
    )


class SafeClient:
    """Sends requests with retries and idempotency keys; maps failures to errors.

    Thread-safe: one instance serves many threads. After ``fork()`` a client
    that built its own httpx client builds a fresh one, so parent and child
    never share sockets. ``get``/``post``/``put``/``patch``/``delete`` are the
    reference's shorthand for ``request``.
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
        self.auth = auth
        self._rebuild = rebuild
        self._sleep = sleep
        self._state = _RetryState(
            retry or RetryPolicy(), rng or random.Random(), budget or RetryBudget()
        )
        self._fork_lock = threading.Lock()
        _live_clients.add(self)

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy."""
        return self._state.retry

    def _after_fork(self) -> None:
        self._fork_lock = threading.Lock()
        if self._rebuild is not None:
            self.http = self._rebuild()

    def with_retry(self, retry: RetryPolicy) -> SafeClient:
        """A view on the same connections, token and budget with another retry policy."""
        view = copy.copy(self)
        view._state = _RetryState(retry, self._state.rng, self._state.budget)
        _live_clients.add(view)
        return view

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request, retrying what is safe; return the successful response."""
        request, retryable = build_request(self.http, method, url, **kwargs)
        return self.send(request, retryable=retryable)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("GET", url, ...)``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("POST", url, ...)``."""
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("PUT", url, ...)``."""
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("PATCH", url, ...)``."""
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("DELETE", url, ...)``."""
        return self.request("DELETE", url, **kwargs)

    def send(self, request: httpx.Request, *, retryable: bool) -> httpx.Response:
        """Send a built request with the retry policy; raise a mapped error on failure."""
        if self.http.is_closed:
            raise _closed_error(request, "CLIClient", "with")
        flow = self._state.attempts(request, retryable=retryable)
        wanted = next(flow)
        while True:
            outcome: _Outcome = None
            if isinstance(wanted, httpx.Request):
                try:
                    outcome = self.http.send(wanted, auth=self.auth or httpx.USE_CLIENT_DEFAULT)
                except httpx.TransportError as exc:
                    outcome = exc
            else:
                self._sleep(wanted)
            try:
                wanted = flow.send(outcome)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]

    def retry_call(self, call: Callable[[], T]) -> T:
        """Run an idempotent exchange made outside ``send`` (the API key exchange)
        under the same retry policy and budget."""
        flow = self._state.call_attempts()
        next(flow)
        while True:
            try:
                result = call()
            except CLIClientError as error:
                self._sleep(flow.send(error))
                next(flow)
            else:
                with contextlib.suppress(StopIteration):
                    flow.send(None)
                return result

    def request_json(self, method: str, url: str, *, type: Any = None, **kwargs: Any) -> Any:
        """``request`` and decode the JSON body (into ``type`` when given); 204 gives None."""
        response = self.request(method, url, **kwargs)
        return decode_json(response, type)


async def _asyncio_sleep(seconds: float) -> None:
    """``asyncio.sleep``, imported only by code that runs on an event loop (not at start-up)."""
    import asyncio

    await asyncio.sleep(seconds)


class AsyncSafeClient:
    """``SafeClient`` for ``httpx.AsyncClient``: the same retry flow, awaited.

    Waits with ``asyncio.sleep`` (or the ``sleep`` given), so retries and
    backoff never block the event loop.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        retry: RetryPolicy | None = None,
        auth: httpx.Auth | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        rng: random.Random | None = None,
        budget: RetryBudget | None = None,
    ) -> None:
        self.http = http
        self.auth = auth
        self._sleep = sleep or _asyncio_sleep
        self._state = _RetryState(
            retry or RetryPolicy(), rng or random.Random(), budget or RetryBudget()
        )

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy."""
        return self._state.retry

    def with_retry(self, retry: RetryPolicy) -> AsyncSafeClient:
        """A view on the same connections, token and budget with another retry policy."""
        view = copy.copy(self)
        view._state = _RetryState(retry, self._state.rng, self._state.budget)
        return view

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request, retrying what is safe; return the successful response."""
        request, retryable = build_request(self.http, method, url, **kwargs)
        return await self.send(request, retryable=retryable)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("GET", url, ...)``."""
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("POST", url, ...)``."""
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("PUT", url, ...)``."""
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("PATCH", url, ...)``."""
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        """``request("DELETE", url, ...)``."""
        return await self.request("DELETE", url, **kwargs)

    async def send(self, request: httpx.Request, *, retryable: bool) -> httpx.Response:
        """Send a built request with the retry policy; raise a mapped error on failure."""
        if self.http.is_closed:
            raise _closed_error(request, "AsyncCLIClient", "async with")
        flow = self._state.attempts(request, retryable=retryable)
        wanted = next(flow)
        while True:
            outcome: _Outcome = None
            if isinstance(wanted, httpx.Request):
                try:
                    outcome = await self.http.send(
                        wanted, auth=self.auth or httpx.USE_CLIENT_DEFAULT
                    )
                except httpx.TransportError as exc:
                    outcome = exc
            else:
                await self._sleep(wanted)
            try:
                wanted = flow.send(outcome)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]

    async def retry_call(self, call: Callable[[], Awaitable[T]]) -> T:
        """``SafeClient.retry_call`` for an awaitable exchange."""
        flow = self._state.call_attempts()
        next(flow)
        while True:
            try:
                result = await call()
            except CLIClientError as error:
                await self._sleep(flow.send(error))
                next(flow)
            else:
                with contextlib.suppress(StopIteration):
                    flow.send(None)
                return result

    async def request_json(self, method: str, url: str, *, type: Any = None, **kwargs: Any) -> Any:
        """``request`` and decode the JSON body (into ``type`` when given); 204 gives None."""
        response = await self.request(method, url, **kwargs)
        return decode_json(response, type)


@functools.lru_cache(maxsize=256)
def _decoder_for(type: Any) -> msgspec.json.Decoder[Any]:
    """One decoder per type: building a decoder's type information costs more than
    decoding a small reply, so it is done once."""
    return msgspec.json.Decoder(type)


def _unreadable(response: httpx.Response, problem: str) -> CLIClientError:
    request = response.request
    return CLIClientError(
        f"{request.method} {shown_path(request)} {problem}",
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


def log_request(request: httpx.Request, attempt: int, *, note: str = "") -> None:
    """The debug line for a request: method, redacted URL and headers (never the body)."""
    logger.debug(
        "→ %s %s%s%s headers=%s",
        request.method,
        redact_url(str(request.url)),
        f" (retry {attempt})" if attempt else "",
        note,
        redact_headers(request.headers),
    )


def log_response(response: httpx.Response, started: float) -> None:
    """The debug line for a response: status, redacted URL, time taken, request id."""
    logger.debug(
        "← %s %s %s in %.1f ms request-id=%s",
        response.status_code,
        response.request.method,
        redact_url(str(response.request.url)),
        _ms(started),
        redact_text(response.headers.get("x-request-id") or "-"),
    )
