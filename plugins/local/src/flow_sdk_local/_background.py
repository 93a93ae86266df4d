"""Background work (workflow runs, deployments, webhook deliveries) in daemon threads.

Daemon threads, so a stuck job never keeps the process alive; ``wait_idle``
lets tests wait until every job has finished.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

__all__ = ["Background"]

logger = logging.getLogger("flow_sdk")


class Background:
    """Starts jobs and keeps track of the unfinished ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self._idle = threading.Condition(self._lock)

    def submit(self, work: Callable[..., Any], *args: Any, name: str = "") -> Future[Any]:
        """Run ``work(*args)`` in a new daemon thread; a failure is logged and set on the future."""
        future: Future[Any] = Future()
        with self._lock:
            self._pending.add(future)

        def run() -> None:
            try:
                future.set_result(work(*args))
            except BaseException as exc:
                logger.exception("local platform: background job %s failed", name or work)
                future.set_exception(exc)
            finally:
                with self._lock:
                    self._pending.discard(future)
                    self._idle.notify_all()

        threading.Thread(target=run, name=f"flow-local-{name or 'job'}", daemon=True).start()
        return future

    @property
    def pending(self) -> int:
        """How many jobs have not finished yet."""
        with self._lock:
            return len(self._pending)

    def wait_idle(self, timeout: float | None = 10.0) -> bool:
        """Wait until no job is running; False on timeout."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._pending, timeout)
