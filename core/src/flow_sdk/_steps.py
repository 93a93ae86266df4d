"""What a namespace method asks for, as data: the sans-IO vocabulary.

A namespace method is written once, as a generator that *yields* what it needs
done (a ``Request`` to send, a ``Sleep`` between polls) and is sent the result.
``CLIClient`` carries the steps out with blocking I/O, ``AsyncCLIClient`` with
``await``; the method's own code never knows which. Errors are thrown back into
the generator at the ``yield``, so a method can catch them as usual.

    def get(self, dataset_id: str) -> Steps[Dataset]:
        return (yield from send("GET", self._item(dataset_id), type=Dataset))
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, TypeVar, overload

import msgspec

__all__ = ["CallOptions", "Now", "Request", "Sleep", "Step", "Steps", "now", "send", "sleep"]

T = TypeVar("T")


class Request(msgspec.Struct, kw_only=True):
    """One HTTP request to send; the client sends back the decoded JSON body.

    ``type`` is what to decode the body into (a msgspec Struct, ``Page[X]``,
    ``dict[str, Any]``…); ``None`` decodes plain JSON (and a 204 into ``None``).
    POST and PATCH carry an ``Idempotency-Key`` (``idempotency_key`` or a fresh
    one), kept across retries. ``retry=False`` sends it once, whatever happens.
    """

    method: str
    url: str
    json: Any = None
    content: bytes | None = None
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    idempotency_key: str | None = None
    timeout: float | None = None
    type: Any = None
    retry: bool = True


class Sleep(msgspec.Struct):
    """Pause for ``seconds`` (between polls): ``time.sleep`` or ``asyncio.sleep``."""

    seconds: float


class Now(msgspec.Struct):
    """Ask the client for the time (``time.monotonic``, or the ``clock=`` it was given)."""


Step = Request | Sleep | Now
#: A namespace method's body: yields steps, returns its result.
Steps = Generator[Step, Any, T]


class CallOptions(msgspec.Struct, frozen=True, kw_only=True):
    """Per-call options every namespace method takes, applied to each of its requests.

    ``timeout`` replaces the client's timeout (seconds), ``extra_headers`` and
    ``extra_query`` are added to every request, ``extra_body`` is merged into
    every JSON object body (its keys win).
    """

    timeout: float | None = None
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, Any] | None = None
    extra_body: Mapping[str, Any] | None = None

    def merged(self, later: CallOptions | None) -> CallOptions:
        """These options overridden by ``later`` ones (headers, query and body merged)."""
        if later is None:
            return self
        return CallOptions(
            timeout=later.timeout if later.timeout is not None else self.timeout,
            extra_headers=_merge(self.extra_headers, later.extra_headers),
            extra_query=_merge(self.extra_query, later.extra_query),
            extra_body=_merge(self.extra_body, later.extra_body),
        )

    def applied_to(self, request: Request, *, override: bool = True) -> Request:
        """``request`` with these options added.

        ``timeout`` replaces the request's own (a per-call option: the caller
        asked for it) unless ``override`` is false (a client default, which
        only fills in a request that names no timeout of its own).
        """
        changes: dict[str, Any] = {}
        if self.timeout is not None and (override or request.timeout is None):
            changes["timeout"] = self.timeout
        if self.extra_headers:
            changes["headers"] = {**(request.headers or {}), **self.extra_headers}
        if self.extra_query:
            changes["params"] = {**(request.params or {}), **self.extra_query}
        if self.extra_body and (request.json is None or isinstance(request.json, Mapping)):
            changes["json"] = {**(request.json or {}), **self.extra_body}
        return msgspec.structs.replace(request, **changes) if changes else request


def _merge(first: Mapping[str, T] | None, second: Mapping[str, T] | None) -> Mapping[str, T] | None:
    if not first or not second:
        return second or first
    return {**first, **second}


#: The keyword names of ``CallOptions``: no namespace method may use them itself.
OPTION_NAMES = frozenset(CallOptions.__struct_fields__)


def call_options(kwargs: dict[str, Any]) -> CallOptions | None:
    """Take the per-call options out of a method call's keywords (None when there are none)."""
    if not kwargs or OPTION_NAMES.isdisjoint(kwargs):
        return None
    found = {name: kwargs.pop(name) for name in OPTION_NAMES if name in kwargs}
    timeout = found.get("timeout")
    if timeout is not None and not (
        isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0
    ):
        from ._errors import CLIClientError

        raise CLIClientError(
            f"timeout must be a positive number of seconds, got {timeout!r}",
            hint="pass a number of seconds, e.g. timeout=30",
        )
    return CallOptions(**found)


@overload
def send(
    method: str,
    url: str,
    *,
    type: type[T],
    json: Any = None,
    content: bytes | None = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    idempotency_key: str | None = None,
    timeout: float | None = None,
    retry: bool = True,
) -> Steps[T]: ...
@overload
def send(
    method: str,
    url: str,
    *,
    type: None = None,
    json: Any = None,
    content: bytes | None = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    idempotency_key: str | None = None,
    timeout: float | None = None,
    retry: bool = True,
) -> Steps[Any]: ...
def send(
    method: str,
    url: str,
    *,
    type: Any = None,
    json: Any = None,
    content: bytes | None = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    idempotency_key: str | None = None,
    timeout: float | None = None,
    retry: bool = True,
) -> Steps[Any]:
    """Send one request and return its decoded body (typed by ``type``): ``yield from`` it."""
    result = yield Request(
        method=method,
        url=url,
        json=json,
        content=content,
        params=params,
        headers=headers,
        idempotency_key=idempotency_key,
        timeout=timeout,
        type=type,
        retry=retry,
    )
    return result


def sleep(seconds: float) -> Generator[Step, Any, None]:
    """Pause between polls without blocking an event loop: ``yield from sleep(0.5)``."""
    yield Sleep(seconds)


def now() -> Generator[Step, Any, float]:
    """The client's clock, in seconds (monotonic): ``started = yield from now()``."""
    seconds: float = yield Now()
    return seconds
