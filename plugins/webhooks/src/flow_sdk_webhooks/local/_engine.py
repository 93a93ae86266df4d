"""The delivery engine: an outbox table and one background thread that empties it.

Events are queued in the same transaction as the write that caused them, so
an event exists exactly when its write committed. A daemon thread (started
on the first delivery, never at construction) POSTs each due delivery,
signed with the webhook's secret at the moment of sending, records every
attempt, and reschedules failures with capped exponential backoff until the
attempts run out. A claimed delivery is leased, so two processes sharing one
database file never send the same attempt twice.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from flow_sdk_local import Migration, Store, Transaction

from .._signature import SIGNATURE_HEADER, signature_header
from ._events import PING, matches_any
from ._sender import SendResult, post

__all__ = ["MIGRATIONS", "DeliveryEngine", "RetrySchedule", "new_secret"]

logger = logging.getLogger("flow_sdk")
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode

WEBHOOK_KIND = "webhooks"
USER_AGENT = "flow-local-webhooks/1"

MIGRATIONS = (
    Migration(
        "webhooks_001_deliveries",
        """
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            webhook_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            payload BLOB NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            response_code INTEGER,
            error TEXT,
            created_at TEXT NOT NULL,
            last_attempt_at TEXT,
            next_attempt REAL,
            history TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX IF NOT EXISTS webhook_deliveries_due
            ON webhook_deliveries (next_attempt) WHERE next_attempt IS NOT NULL;
        CREATE INDEX IF NOT EXISTS webhook_deliveries_by_webhook
            ON webhook_deliveries (webhook_id, seq);
        """,
    ),
)

# A fixed column list (no user input), interpolated into the SELECTs below.
_COLUMNS = (
    "seq, id, webhook_id, scope, event_id, event_type, payload, status, attempts, "
    "response_code, error, created_at, last_attempt_at, next_attempt, history"
)


def format_time(epoch: float) -> str:
    """RFC 3339 UTC with microseconds, as the platform writes its timestamps."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 256 random bits."""
    return "whsec_" + secrets.token_urlsafe(32)


def _env_number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be more than 0, not {raw!r}")
    return value


@dataclass(frozen=True)
class RetrySchedule:
    """How often and how patiently a delivery is tried.

    After failed attempt ``n`` the next comes ``min(cap_s, base_s * 2**(n-1))``
    seconds later, until ``max_attempts`` attempts were made. Set from
    ``FLOW_LOCAL_WEBHOOK_ATTEMPTS``, ``FLOW_LOCAL_WEBHOOK_BACKOFF_S`` and
    ``FLOW_LOCAL_WEBHOOK_TIMEOUT_S`` by ``from_env``.
    """

    max_attempts: int = 5
    base_s: float = 1.0
    cap_s: float = 60.0
    timeout_s: float = 10.0

    def delay(self, attempts_made: int) -> float | None:
        """Seconds until the next attempt, or None when there is none."""
        if attempts_made >= self.max_attempts:
            return None
        return float(min(self.cap_s, self.base_s * 2 ** max(attempts_made - 1, 0)))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetrySchedule:
        """The schedule, with any ``FLOW_LOCAL_WEBHOOK_*`` overrides from the environment."""
        env = os.environ if environ is None else environ
        return cls(
            max_attempts=int(_env_number(env, "FLOW_LOCAL_WEBHOOK_ATTEMPTS", cls.max_attempts)),
            base_s=_env_number(env, "FLOW_LOCAL_WEBHOOK_BACKOFF_S", cls.base_s),
            timeout_s=_env_number(env, "FLOW_LOCAL_WEBHOOK_TIMEOUT_S", cls.timeout_s),
        )


Sender = Callable[[str, bytes, Mapping[str, str], float], SendResult]


class DeliveryEngine:
    """Queues, sends and records the webhook deliveries of one local platform store."""

    def __init__(
        self,
        store: Store,
        *,
        schedule: RetrySchedule | None = None,
        send: Sender = post,
        clock: Callable[[], float] = time.time,
        idle_poll_s: float = 5.0,
    ) -> None:
        """Nothing starts here: the thread starts on the first ``wake``; tables come
        from ``MIGRATIONS``, which the platform applies."""
        self.store = store
        self.schedule = schedule or RetrySchedule.from_env()
        self._send = send
        self._clock = clock
        self._idle_poll_s = idle_poll_s
        self._wakeup = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"DeliveryEngine({self.store!r}, {self.schedule!r})"

    # queueing (inside the caller's transaction)

    def enqueue(
        self,
        tx: Transaction,
        webhook: Any,
        *,
        event_id: str,
        event_type: str,
        payload: bytes,
    ) -> dict[str, Any]:
        """Queue one delivery of ``payload`` to ``webhook`` (a stored document); due now."""
        delivery_id = "dlv_" + secrets.token_hex(8)
        tx.execute(
            "INSERT INTO webhook_deliveries (id, webhook_id, scope, event_id, event_type, "
            "payload, status, created_at, next_attempt) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (
                delivery_id,
                webhook.id,
                webhook.scope,
                event_id,
                event_type,
                payload,
                tx.now(),
                self._clock(),
            ),
        )
        found = self.get(tx, webhook.id, delivery_id)
        assert found is not None
        return found

    def emit(
        self,
        tx: Transaction,
        *,
        scope: str,
        org_id: str,
        workspace_id: str,
        event_type: str,
        data: Mapping[str, Any],
    ) -> int:
        """Queue ``event_type`` for every active webhook of the tenant that wants it."""
        wanted = [
            doc
            for doc in tx.list(WEBHOOK_KIND, scope)
            if doc.data.get("active", True) and matches_any(doc.data.get("events", ()), event_type)
        ]
        if not wanted:
            return 0
        event_id, payload = make_event(tx.now(), org_id, workspace_id, event_type, data)
        for doc in wanted:
            self.enqueue(tx, doc, event_id=event_id, event_type=event_type, payload=payload)
        return len(wanted)

    def redeliver(self, tx: Transaction, webhook: Any, delivery_id: str) -> dict[str, Any] | None:
        """Queue the event of one of ``webhook``'s deliveries again, as a new delivery with
        the very same payload bytes (and event id, so receivers can tell it is a repeat);
        None when the webhook has no such delivery."""
        row = tx.execute(
            "SELECT event_id, event_type, payload FROM webhook_deliveries "
            "WHERE id = ? AND webhook_id = ?",
            (delivery_id, webhook.id),
        ).fetchone()
        if row is None:
            return None
        event_id, event_type, payload = row
        return self.enqueue(
            tx, webhook, event_id=event_id, event_type=event_type, payload=bytes(payload)
        )

    # reading

    def get(self, tx: Transaction, webhook_id: str, delivery_id: str) -> dict[str, Any] | None:
        """One delivery of a webhook with its attempts, or None."""
        row = tx.execute(
            f"SELECT {_COLUMNS} FROM webhook_deliveries WHERE id = ? AND webhook_id = ?",  # noqa: S608
            (delivery_id, webhook_id),
        ).fetchone()
        return _render(row) if row else None

    def page(
        self, tx: Transaction, webhook_id: str, *, before: int, limit: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """Up to ``limit`` deliveries older than position ``before`` (0: newest), newest first."""
        rows = tx.execute(
            f"SELECT {_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ? "  # noqa: S608
            "AND (? = 0 OR seq < ?) ORDER BY seq DESC LIMIT ?",
            (webhook_id, before, before, limit),
        ).fetchall()
        return [(row[0], _render(row)) for row in rows]

    def forget(self, tx: Transaction, webhook_id: str) -> None:
        """Drop a deleted webhook's deliveries (pending ones are never sent)."""
        tx.execute("DELETE FROM webhook_deliveries WHERE webhook_id = ?", (webhook_id,))

    # sending

    def wake(self) -> None:
        """Make the sender thread look for due deliveries now (starting it if needed)."""
        with self._lock:
            if self._closed:
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="flow-local-webhooks", daemon=True
                )
                self._thread.start()
        self._wakeup.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the sender thread; queued deliveries stay queued in the store."""
        with self._lock:
            self._closed = True
            thread = self._thread
        self._wakeup.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._closed:
            self._wakeup.clear()
            try:
                self.deliver_due()
                wait = self._seconds_to_next()
            except sqlite3.ProgrammingError:
                return  # the store was closed under us: the platform is gone
            except Exception:
                logger.exception("webhook delivery failed unexpectedly; retrying shortly")
                wait = 1.0
            self._wakeup.wait(wait)

    def _seconds_to_next(self) -> float:
        with self.store.transaction(write=False) as tx:
            row = tx.execute(
                "SELECT MIN(next_attempt) FROM webhook_deliveries WHERE next_attempt IS NOT NULL"
            ).fetchone()
        if row is None or row[0] is None:
            return self._idle_poll_s
        return max(0.0, min(self._idle_poll_s, float(row[0]) - self._clock()))

    def deliver_due(self) -> int:
        """Send every delivery that is due now, once each; how many were attempted."""
        attempted = 0
        while not self._closed:
            claimed = self._claim()
            if not claimed:
                return attempted
            for row in claimed:
                self._attempt(row)
                attempted += 1
        return attempted

    def _claim(self, batch: int = 10) -> list[tuple[Any, ...]]:
        now = self._clock()
        lease = now + self.schedule.timeout_s + 5.0
        with self.store.transaction() as tx:
            rows = tx.execute(
                f"SELECT {_COLUMNS} FROM webhook_deliveries WHERE next_attempt IS NOT NULL "  # noqa: S608
                "AND next_attempt <= ? ORDER BY next_attempt, seq LIMIT ?",
                (now, batch),
            ).fetchall()
            for row in rows:
                tx.execute(
                    "UPDATE webhook_deliveries SET next_attempt = ? WHERE id = ?", (lease, row[1])
                )
        return list(rows)

    def _attempt(self, row: tuple[Any, ...]) -> None:
        _seq, delivery_id, webhook_id, scope, _event_id, event_type, payload = row[:7]
        attempts = row[8] + 1
        with self.store.transaction(write=False) as tx:
            webhook = tx.get(WEBHOOK_KIND, scope, webhook_id)
        started = self._clock()
        sent_headers: dict[str, str] | None = None
        if webhook is None:
            result = SendResult(None, "the webhook was deleted")
            final = True
        elif not webhook.data.get("active", True) and event_type != PING:
            result = SendResult(None, "the webhook is inactive")
            final = True
        else:
            body = bytes(payload)
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Flow-Event": event_type,
                "Flow-Delivery": delivery_id,
                SIGNATURE_HEADER: signature_header(
                    body, webhook.data["secret"], timestamp=int(started)
                ),
            }
            sent_headers = headers
            result = self._send(webhook.data["url"], body, headers, self.schedule.timeout_s)
            final = False
        finished = self._clock()
        delay = None if final or result.ok else self.schedule.delay(attempts)
        status = "succeeded" if result.ok else ("retrying" if delay is not None else "failed")
        record = {
            "number": attempts,
            "started_at": format_time(started),
            "duration_ms": round((finished - started) * 1000, 3),
            "response_code": result.status,
            "error": result.error,
            "request_headers": sent_headers,
            "response_body": result.body or None,
        }
        with self.store.transaction() as tx:
            # By id, never by seq: a reset restarts seq numbers under an in-flight attempt.
            current = tx.execute(
                "SELECT history FROM webhook_deliveries WHERE id = ?", (delivery_id,)
            ).fetchone()
            if current is None:
                return  # deleted together with its webhook meanwhile
            history = [*_decode(current[0]), record]
            tx.execute(
                "UPDATE webhook_deliveries SET status = ?, attempts = ?, response_code = ?, "
                "error = ?, last_attempt_at = ?, next_attempt = ?, history = ? WHERE id = ?",
                (
                    status,
                    attempts,
                    result.status,
                    result.error,
                    record["started_at"],
                    None if delay is None else finished + delay,
                    _encode(history).decode(),
                    delivery_id,
                ),
            )


def make_event(
    now: str, org_id: str, workspace_id: str, event_type: str, data: Mapping[str, Any]
) -> tuple[str, bytes]:
    """A new event's id and its JSON body (what receivers get and the signature covers)."""
    event_id = "evt_" + secrets.token_hex(8)
    body = {
        "id": event_id,
        "type": event_type,
        "created_at": now,
        "org_id": org_id,
        "workspace_id": workspace_id,
        "data": dict(data),
    }
    return event_id, _encode(body)


def _render(row: tuple[Any, ...]) -> dict[str, Any]:
    next_attempt = row[13]
    return {
        "id": row[1],
        "webhook_id": row[2],
        "event_id": row[4],
        "event_type": row[5],
        "status": row[7],
        "attempts": row[8],
        "response_code": row[9],
        "error": row[10],
        "created_at": row[11],
        "last_attempt_at": row[12],
        "next_attempt_at": format_time(next_attempt) if next_attempt is not None else None,
        "history": _decode(row[14]),
    }
