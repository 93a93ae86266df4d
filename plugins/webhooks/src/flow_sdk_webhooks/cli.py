"""``flow webhooks …``: imported only when that command group runs."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from flow_sdk.cli import (
    CommandContext,
    Waiting,
    add_body_arguments,
    add_command,
    add_resource_commands,
    body_from_args,
    limited,
    positive_int,
)

from ._models import Delivery

__all__ = ["register"]

DELIVERY_COLUMNS = (
    "id",
    "event_type",
    "status",
    "attempts",
    "response_code",
    "error",
    "created_at",
    "last_attempt_at",
)


def register(parser: argparse.ArgumentParser) -> None:
    """list|get|create|update|delete, plus ``test``, ``deliveries`` and ``redeliver``."""
    add_resource_commands(
        parser,
        namespace="webhooks",
        noun="webhook",
        columns=("id", "url", "events", "active", "version"),
        verbs=("list", "get", "update", "delete"),
        list_filters=("url",),
    )
    create = add_command(
        parser,
        "create",
        run_create,
        help="create a webhook (its signing secret is shown only this once)",
    )
    create.add_argument("--url", help="where to POST events, e.g. http://127.0.0.1:8000/hook")
    create.add_argument(
        "--event",
        action="append",
        dest="events",
        metavar="TYPE",
        help="an event type to send (dataset.created, dataset.*, *); repeatable",
    )
    add_body_arguments(create, what="the new webhook")
    create.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="repeat a create safely: the same key and body create only one",
    )

    test = add_command(parser, "test", run_test, help="send a ping event to the webhook now")
    test.add_argument("id", metavar="ID")
    redeliver = add_command(
        parser,
        "redeliver",
        run_redeliver,
        help="send a delivery's event again, as a new delivery",
    )
    redeliver.add_argument("id", metavar="ID")
    redeliver.add_argument("delivery_id", metavar="DELIVERY_ID")
    for sender in (test, redeliver):
        sender.add_argument(
            "--wait", action="store_true", help="wait until it succeeded or gave up"
        )
        sender.add_argument(
            "--timeout",
            type=float,
            default=30.0,
            metavar="SECONDS",
            help="with --wait (default 30)",
        )

    deliveries = add_command(
        parser, "deliveries", run_deliveries, help="the webhook's deliveries, newest first"
    )
    deliveries.add_argument("id", metavar="ID")
    deliveries.add_argument(
        "--limit", type=positive_int, default=20, help="show at most this many (default 20)"
    )
    deliveries.add_argument("--all", action="store_true", help="show every one")


def run_create(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow webhooks create``: the signing secret is shown only this once."""
    has_body = bool(getattr(args, "body_file", None) or getattr(args, "body_set", None))
    body = body_from_args(args, ctx, required=not (args.url or args.events) and not has_body)
    created = ctx.client().webhooks.create(
        body, url=args.url, events=args.events, idempotency_key=args.idempotency_key
    )
    ctx.output.emit(created.to_dict())
    ctx.output.message(
        "store the secret now: it is shown only this once (receivers check deliveries with "
        "flow_sdk_webhooks.verify_signature)"
    )


def _describe(delivery: Delivery) -> str:
    return f"delivery {delivery.id}: {delivery.status} after {delivery.attempts} attempt(s)"


def _sent(args: argparse.Namespace, ctx: CommandContext, what: str, send: Any) -> int:
    """Show a delivery just queued (``send(wait=, timeout_s=, on_progress=)``), waiting for
    it with ``--wait``; exit 1 when it was not delivered."""
    waiting = Waiting(ctx)
    if args.wait:
        waiting.show(f"sending {what} to webhook {args.id}")
    delivery: Delivery = send(
        wait=args.wait,
        timeout_s=args.timeout,
        on_progress=(lambda d: waiting.show(_describe(d))) if args.wait else None,
    )
    waiting.done()
    ctx.output.emit(delivery)
    if delivery.status == "failed":
        ctx.output.warning(f"{what} was not delivered: {delivery.error}")
        return 1
    return 0


def run_test(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow webhooks test ID [--wait]``: exit 1 when the ping was not delivered."""
    return _sent(args, ctx, "a ping", functools.partial(ctx.client().webhooks.test, args.id))


def run_redeliver(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow webhooks redeliver ID DELIVERY_ID [--wait]``: exit 1 when not delivered."""
    send = functools.partial(ctx.client().webhooks.redeliver, args.id, args.delivery_id)
    return _sent(args, ctx, f"the event of {args.delivery_id}", send)


def run_deliveries(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow webhooks deliveries ID``: with ``--jsonl``, each page as it arrives."""
    limit = None if args.all else args.limit
    items = ctx.client().webhooks.deliveries(
        args.id,
        page_size=min(limit + 1, 500) if limit else 100,
        limit=None if limit is None else limit + 1,
    )
    shown, more = limited(items, limit)
    ctx.output.stream(shown, columns=DELIVERY_COLUMNS, empty="no deliveries", what="deliveries")
    if more[0]:
        ctx.output.message(f"showing the newest {limit}; pass --limit N or --all to see more")
