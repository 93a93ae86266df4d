"""One method source, two clients: the ``endpoint`` and ``paginated`` descriptors.

A namespace class is generic over its mode, ``Sync`` or ``Async``.
``CLIClient`` builds ``DatasetsNamespace[Sync]``, ``AsyncCLIClient`` builds
``DatasetsNamespace[Async]`` from the very same class. A method written once as
steps and decorated with ``@endpoint`` reads to a type checker as
``(id: str) -> Dataset`` on the first and ``(id: str) -> Coroutine[…, Dataset]``
on the second, and runs through that client's runner.

Every method also takes the per-call options ``timeout=``, ``extra_headers=``,
``extra_query=`` and ``extra_body=`` (no plugin writes them), and has
``.with_raw_response(...)``, which returns a typed ``RawResponse``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Coroutine, Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    Self,
    TypeVar,
    cast,
    overload,
)

from ._pagination import AsyncPaginator, Listing, Paginator
from ._steps import OPTION_NAMES, CallOptions, Steps, call_options

if TYPE_CHECKING:
    from ._runners import AsyncRunner, RawResponse, SyncRunner

__all__ = [
    "Async",
    "AsyncMethod",
    "Bound",
    "Mode",
    "ModeT",
    "Sync",
    "SyncMethod",
    "endpoint",
    "paginated",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class Mode:
    """How a client carries out steps: ``Sync`` or ``Async``. Only a type marker."""


class Sync(Mode):
    """Bound to ``CLIClient``: methods return their results."""


class Async(Mode):
    """Bound to ``AsyncCLIClient``: methods return coroutines of their results."""


ModeT = TypeVar("ModeT", bound=Mode)


class Bound(Generic[ModeT]):
    """Anything whose endpoints run on a client: a namespace, or the client itself."""

    _runner: SyncRunner | AsyncRunner

    def _with_runner(self, runner: SyncRunner | AsyncRunner) -> Any:
        view = copy.copy(self)
        view._runner = runner
        return view


def _check_names(fn: Callable[..., Any]) -> None:
    code = getattr(fn, "__code__", None)
    if code is None:
        return
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    clash = OPTION_NAMES.intersection(names)
    if clash:
        raise TypeError(
            f"{fn.__qualname__} takes {', '.join(sorted(clash))}, which every namespace method "
            "already takes as a per-call option; give the parameter another name "
            "(e.g. timeout_s)"
        )


class _Method(Generic[P, R]):
    """A namespace method bound to its namespace (and so to a client's runner)."""

    def __init__(
        self, fn: Callable[..., Steps[R]], owner: Bound[Any], bound: CallOptions | None = None
    ) -> None:
        self._fn = fn
        self._owner = owner
        self._bound = bound
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__wrapped__ = fn

    def __repr__(self) -> str:
        return f"<method {self.__name__} of {self._owner!r}>"

    def with_options(
        self,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Self:
        """This method with per-call options, spelt so that a type checker sees them:
        ``client.agents.get.with_options(timeout=5)(agent_id)``."""
        given = {
            "timeout": timeout,
            "extra_headers": extra_headers,
            "extra_query": extra_query,
            "extra_body": extra_body,
        }
        options = call_options({k: v for k, v in given.items() if v is not None})
        merged = self._bound.merged(options) if self._bound else options
        return type(self)(self._fn, self._owner, merged)

    def _steps(self, args: Any, kwargs: Any) -> tuple[Steps[R], CallOptions | None]:
        options = call_options(kwargs)
        if self._bound is not None:
            options = self._bound.merged(options)
        return self._fn(self._owner, *args, **kwargs), options


class SyncMethod(_Method[P, R]):
    """A method of a namespace on ``CLIClient``: call it for the result.

    Besides its own arguments it takes ``timeout=``, ``extra_headers=``,
    ``extra_query=`` and ``extra_body=`` (see ``CallOptions``).
    """

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        steps, options = self._steps(args, kwargs)
        runner = cast("SyncRunner", self._owner._runner)
        return runner.run(steps, options)  # type: ignore[no-any-return]

    def with_raw_response(self, *args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
        """The HTTP response (status, headers, request id) and ``.parse()`` for the result."""
        steps, options = self._steps(args, kwargs)
        runner = cast("SyncRunner", self._owner._runner).with_raw()
        return runner.run(steps, options)  # type: ignore[no-any-return]


class AsyncMethod(_Method[P, R]):
    """A method of a namespace on ``AsyncCLIClient``: ``await`` it for the result."""

    def __repr__(self) -> str:
        return f"<async method {self.__name__} of {self._owner!r}>"

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, R]:
        steps, options = self._steps(args, kwargs)
        return cast("AsyncRunner", self._owner._runner).run(steps, options)

    def with_raw_response(
        self, *args: P.args, **kwargs: P.kwargs
    ) -> Coroutine[Any, Any, RawResponse[R]]:
        """The HTTP response (status, headers, request id) and ``.parse()`` for the result."""
        steps, options = self._steps(args, kwargs)
        return cast("AsyncRunner", self._owner._runner).with_raw().run(steps, options)


class endpoint(Generic[P, R]):
    """Makes a steps method a method of both clients.

        @endpoint
        def get(self, dataset_id: str) -> Steps[Dataset]:
            return (yield from send("GET", self._item(dataset_id), type=Dataset))

    On ``CLIClient`` it is ``(dataset_id: str) -> Dataset``, on
    ``AsyncCLIClient`` ``(dataset_id: str) -> Coroutine[Any, Any, Dataset]``.
    Inside another method, reuse its steps with
    ``yield from type(self).get.steps(self, dataset_id)``.
    """

    def __init__(self, fn: Callable[Concatenate[Any, P], Steps[R]]) -> None:
        _check_names(fn)
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = getattr(fn, "__name__", "endpoint")
        self.__wrapped__ = fn

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.__name__ = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> endpoint[P, R]: ...
    @overload
    def __get__(self, obj: Bound[Sync], owner: type[Any]) -> SyncMethod[P, R]: ...
    @overload
    def __get__(self, obj: Bound[Async], owner: type[Any]) -> AsyncMethod[P, R]: ...
    def __get__(self, obj: Bound[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        from ._runners import AsyncRunner

        if isinstance(obj._runner, AsyncRunner):
            return AsyncMethod(self.fn, obj)
        return SyncMethod(self.fn, obj)

    def steps(self, obj: Any, *args: P.args, **kwargs: P.kwargs) -> Steps[R]:
        """The method's steps, to ``yield from`` inside another method."""
        return self.fn(obj, *args, **kwargs)


class paginated(Generic[P, T]):
    """Makes a method that returns a ``Listing`` a list method of both clients.

        @paginated
        def list(self, *, page_size: int = 50, limit: int | None = None) -> Listing[Run]:
            return cursor_pages(self._item("runs"), Page[Run], page_size=page_size, limit=limit)

    On ``CLIClient`` it returns a ``Paginator`` (``for run in …``), on
    ``AsyncCLIClient`` an ``AsyncPaginator`` (``async for run in …``); pages
    are fetched only as they are iterated.
    """

    def __init__(self, fn: Callable[Concatenate[Any, P], Listing[T]]) -> None:
        _check_names(fn)
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = getattr(fn, "__name__", "paginated")
        self.__wrapped__ = fn

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.__name__ = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> paginated[P, T]: ...
    @overload
    def __get__(self, obj: Bound[Sync], owner: type[Any]) -> Callable[P, Paginator[T]]: ...
    @overload
    def __get__(self, obj: Bound[Async], owner: type[Any]) -> Callable[P, AsyncPaginator[T]]: ...
    def __get__(self, obj: Bound[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        fn = self.fn

        def listed(*args: Any, **kwargs: Any) -> Any:
            options = call_options(kwargs)
            return obj._runner.paginate(fn(obj, *args, **kwargs), options)

        listed.__doc__ = fn.__doc__
        listed.__name__ = self.__name__
        listed.__wrapped__ = fn  # type: ignore[attr-defined]
        return listed

    def listing(self, obj: Any, *args: P.args, **kwargs: P.kwargs) -> Listing[T]:
        """The ``Listing`` itself, to reuse inside another method."""
        return self.fn(obj, *args, **kwargs)


class SyncRawView(Protocol):
    """``namespace.with_raw_response`` on ``CLIClient``: each method returns a ``RawResponse``.

    A type checker sees ``RawResponse[Any]`` here; ``namespace.method.with_raw_response(...)``
    has the exact type.
    """

    def __getattr__(self, name: str) -> Callable[..., RawResponse[Any]]: ...


class AsyncRawView(Protocol):
    """``namespace.with_raw_response`` on ``AsyncCLIClient``."""

    def __getattr__(self, name: str) -> Callable[..., Coroutine[Any, Any, RawResponse[Any]]]: ...


class raw_responses:
    """``namespace.with_raw_response``: the same namespace, answering ``RawResponse`` objects."""

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> raw_responses: ...
    @overload
    def __get__(self, obj: Bound[Sync], owner: type[Any]) -> SyncRawView: ...
    @overload
    def __get__(self, obj: Bound[Async], owner: type[Any]) -> AsyncRawView: ...
    def __get__(self, obj: Bound[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return obj._with_runner(obj._runner.with_raw())
