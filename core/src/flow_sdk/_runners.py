"""The two drivers of namespace steps: one blocking, one awaiting.

A namespace method yields ``Request`` and ``Sleep`` steps (``_steps.py``);
``SyncRunner`` carries them out for ``CLIClient`` and ``AsyncRunner`` for
``AsyncCLIClient``. A failed request is thrown back into the method at its
``yield``, so the method's own ``try``/``except`` sees it. This is the only
place where a step becomes I/O.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any, Generic, Self, TypeVar

import httpx

from ._errors import CLIClientError
from ._pagination import AsyncPaginator, Listing, Paginator
from ._steps import CallOptions, Now, Request, Sleep, Steps
from ._transport import (
    AsyncSafeClient,
    SafeClient,
    _asyncio_sleep,
    build_request,
    decode_json,
)

__all__ = ["AsyncRunner", "RawResponse", "SyncRunner"]

R = TypeVar("R")
T = TypeVar("T")
SafeT = TypeVar("SafeT", SafeClient, AsyncSafeClient)
SleepT = TypeVar("SleepT")


class RawResponse(Generic[R]):
    """What ``with_raw_response`` returns: the HTTP answer, and ``parse()`` for the result.

    For a method that makes several requests (a wait, a batched append), the
    status and headers are those of the last one.
    """

    __slots__ = ("_parsed", "http_response")

    def __init__(self, http_response: httpx.Response, parsed: R) -> None:
        self.http_response = http_response
        self._parsed = parsed

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}]>"

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers (``x-request-id``, ``retry-after``, rate-limit headers…)."""
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The platform's ``X-Request-ID``: quote it to support."""
        request_id: str | None = self.http_response.headers.get("x-request-id")
        return request_id

    @property
    def content(self) -> bytes:
        """The body as bytes."""
        return self.http_response.content

    def parse(self) -> R:
        """The typed result, as the method without ``with_raw_response`` returns it."""
        return self._parsed


def _with_options(
    request: Request, defaults: CallOptions | None, options: CallOptions | None
) -> Request:
    """The client's defaults fill in; the call's own options win."""
    if defaults is not None:
        request = defaults.applied_to(request, override=False)
    if options is not None:
        request = options.applied_to(request)
    return request


_Outcome = httpx.Response | CLIClientError | None


def _built(http: httpx.Client | httpx.AsyncClient, request: Request) -> tuple[httpx.Request, bool]:
    """The httpx request for a step, and whether it may be retried (``retry=False`` never)."""
    built, retryable = build_request(
        http,
        request.method,
        request.url,
        json=request.json,
        content=request.content,
        params=request.params,
        headers=request.headers,
        idempotency_key=request.idempotency_key,
        timeout=request.timeout,
    )
    return built, retryable and request.retry


def _drive(
    steps: Steps[R], runner: SyncRunner | AsyncRunner, options: CallOptions | None
) -> Generator[Request | Sleep, _Outcome, Any]:
    """A method's steps turned into what a runner must do, free of I/O.

    Yields each request to send (with the client's defaults and the call's options
    applied) and each pause; is sent the response, or the error the request ended
    in, which it throws into the method. Answers ``Now`` itself, decodes each body
    into the type the method asked for, and returns the method's result (a
    ``RawResponse`` of it when the runner is raw).
    """
    value: Any = None
    error: BaseException | None = None
    last: httpx.Response | None = None
    while True:
        try:
            step = steps.throw(error) if error is not None else steps.send(value)
        except StopIteration as finished:
            return _raw(last, finished.value) if runner.raw else finished.value
        value, error = None, None
        if isinstance(step, Now):
            value = runner.clock()
        elif isinstance(step, Sleep):
            yield step
        else:
            request = _with_options(step, runner.defaults, options)
            outcome = yield request
            if isinstance(outcome, CLIClientError):
                error = outcome
                continue
            assert outcome is not None
            last = outcome
            try:
                value = decode_json(outcome, request.type)
            except CLIClientError as exc:
                error = exc


class _Runner(Generic[SafeT, SleepT]):
    """What both runners hold (the safe client, how to sleep, the clock, whether results
    come raw, per-call defaults) and how a changed copy of one is made."""

    __slots__ = ("_sleep", "clock", "defaults", "raw", "safe")

    def __init__(
        self,
        safe: SafeT,
        sleep: SleepT,
        *,
        clock: Callable[[], float] = time.monotonic,
        raw: bool = False,
        defaults: CallOptions | None = None,
    ) -> None:
        self.safe: SafeT = safe
        self._sleep: SleepT = sleep
        self.clock = clock
        self.raw = raw
        self.defaults = defaults

    def _copy(self, **changes: Any) -> Self:
        fields = {"clock": self.clock, "raw": self.raw, "defaults": self.defaults, **changes}
        safe = fields.pop("safe", self.safe)
        return type(self)(safe, self._sleep, **fields)

    def with_raw(self, raw: bool = True) -> Self:
        """The same runner, returning ``RawResponse`` objects (or not)."""
        return self._copy(raw=raw)

    def with_defaults(self, safe: SafeT, defaults: CallOptions) -> Self:
        """A runner for ``client.with_options``: another safe client view, more defaults."""
        merged = self.defaults.merged(defaults) if self.defaults else defaults
        return self._copy(safe=safe, defaults=merged)


class SyncRunner(_Runner[SafeClient, Callable[[float], None]]):
    """Carries out steps with blocking I/O through a ``SafeClient``."""

    __slots__ = ()

    def __init__(
        self,
        safe: SafeClient,
        sleep: Callable[[float], None] = time.sleep,
        *,
        clock: Callable[[], float] = time.monotonic,
        raw: bool = False,
        defaults: CallOptions | None = None,
    ) -> None:
        super().__init__(safe, sleep, clock=clock, raw=raw, defaults=defaults)

    def _send(self, request: Request) -> httpx.Response:
        built, retryable = _built(self.safe.http, request)
        return self.safe.send(built, retryable=retryable)

    def run(self, steps: Steps[R], options: CallOptions | None = None) -> Any:
        """The steps' result (a ``RawResponse`` of it when raw)."""
        flow = _drive(steps, self, options)
        try:
            wanted = next(flow)
            while True:
                outcome: _Outcome = None
                if isinstance(wanted, Sleep):
                    self._sleep(wanted.seconds)
                else:
                    try:
                        outcome = self._send(wanted)
                    except CLIClientError as exc:
                        outcome = exc
                wanted = flow.send(outcome)
        except StopIteration as finished:
            return finished.value

    def paginate(self, listing: Listing[T], options: CallOptions | None = None) -> Paginator[T]:
        """A ``Paginator`` fetching each page of ``listing`` through this runner."""
        plain = self.with_raw(False) if self.raw else self
        return Paginator(
            lambda cursor: plain.run(listing.page(cursor), options), limit=listing.limit
        )


class AsyncRunner(_Runner[AsyncSafeClient, Callable[[float], Awaitable[object]]]):
    """Carries out steps with ``await`` through an ``AsyncSafeClient``: nothing blocks the loop."""

    __slots__ = ()

    def __init__(
        self,
        safe: AsyncSafeClient,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        raw: bool = False,
        defaults: CallOptions | None = None,
    ) -> None:
        super().__init__(safe, sleep or _asyncio_sleep, clock=clock, raw=raw, defaults=defaults)

    async def _send(self, request: Request) -> httpx.Response:
        built, retryable = _built(self.safe.http, request)
        return await self.safe.send(built, retryable=retryable)

    async def run(self, steps: Steps[R], options: CallOptions | None = None) -> Any:
        """The steps' result (a ``RawResponse`` of it when raw)."""
        flow = _drive(steps, self, options)
        try:
            wanted = next(flow)
            while True:
                outcome: _Outcome = None
                if isinstance(wanted, Sleep):
                    await self._sleep(wanted.seconds)
                else:
                    try:
                        outcome = await self._send(wanted)
                    except CLIClientError as exc:
                        outcome = exc
                wanted = flow.send(outcome)
        except StopIteration as finished:
            return finished.value

    def paginate(
        self, listing: Listing[T], options: CallOptions | None = None
    ) -> AsyncPaginator[T]:
        """An ``AsyncPaginator`` fetching each page of ``listing`` through this runner."""
        plain = self.with_raw(False) if self.raw else self

        async def fetch(cursor: str | None) -> Any:
            return await plain.run(listing.page(cursor), options)

        return AsyncPaginator(fetch, limit=listing.limit)


def _raw(last: httpx.Response | None, value: R) -> RawResponse[R]:
    if last is None:
        raise CLIClientError(
            "this method made no request, so there is no raw response to return",
            hint="call it without with_raw_response",
        )
    return RawResponse(last, value)
