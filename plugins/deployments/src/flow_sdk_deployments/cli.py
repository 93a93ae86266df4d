"""``flow rings``, ``flow deployments components|workflows`` and ``flow backups``.

Imported only when one of these groups runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from flow_sdk import CLIClientError
from flow_sdk.cli import CommandContext, Waiting, add_command, add_resource_commands

from .deployments import DEFAULT_WAIT_TIMEOUT_S
from .models import DEPLOYMENT_STATUSES, Deployment

__all__ = ["register_backups", "register_deployments", "register_rings"]

RING_COLUMNS = ("id", "name", "order", "traffic_percent", "version")
EVENT_COLUMNS = (
    "at",
    "action",
    "component_type",
    "component_id",
    "component_version",
    "from_version",
    "deployment_id",
    "by",
    "reason",
)
DEPLOYMENT_COLUMNS = (
    "id",
    "component_type",
    "component_id",
    "component_version",
    "ring_id",
    "status",
)
BACKUP_COLUMNS = ("id", "component_type", "component_id", "component_name", "created_at")


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected more than 0 seconds, got {text}")
    return value


def _add_subgroup(parser: argparse.ArgumentParser, name: str, help: str) -> argparse.ArgumentParser:
    """A nested group (``flow deployments components``); run alone, it prints its help."""
    group: argparse.ArgumentParser | None = None

    def show_help(args: argparse.Namespace, ctx: CommandContext) -> int:
        assert group is not None
        ctx.output.stderr.write(group.format_help())
        return 2

    group = add_command(parser, name, show_help, help=help)
    return group


# rings


def register_rings(parser: argparse.ArgumentParser) -> None:
    """``flow rings list|get|create|update|delete|history``."""
    add_resource_commands(parser, namespace="rings", columns=RING_COLUMNS)

    def run_history(args: argparse.Namespace, ctx: CommandContext) -> None:
        events = ctx.client().rings.history(args.id, page_size=500)
        ctx.output.stream(events, columns=EVENT_COLUMNS, empty="no history yet", what="events")

    history = add_command(
        parser, "history", run_history, help="every version that arrived in or left a ring"
    )
    history.add_argument("id", metavar="ID")


def resolve_ring(ctx: CommandContext, ring: str) -> str:
    """A ring id from an id or a name (``--ring canary``)."""
    rings = list(ctx.client().rings.list(page_size=500))
    for candidate in rings:
        if ring in (candidate.id, candidate.name):
            return str(candidate.id)
    names = ", ".join(r.name for r in rings) or "none yet"
    raise CLIClientError(
        f"no ring with the id or name {ring!r} (rings: {names})",
        hint="`flow rings list` shows them; `flow rings create --set name=canary` adds one",
    )


# deployments


def _add_wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="return once the deployment is active")
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_WAIT_TIMEOUT_S,
        metavar="SECONDS",
        help=f"how long --wait waits (default {DEFAULT_WAIT_TIMEOUT_S:g})",
    )


def _add_reason_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--reason",
        metavar="TEXT",
        help=f"why you {what}: recorded in the history with who did it "
        "(1 to 500 characters, no control characters)",
    )


def _progress(waiting: Waiting) -> Any:
    def report(deployment: Deployment) -> None:
        waiting.show(f"deployment {deployment.id}: {deployment.status}")

    return report


def register_deployments(parser: argparse.ArgumentParser) -> None:
    """``flow deployments components|workflows list|get|create|delete|promote|rollback|wait``."""
    for name, namespace, workflow in (
        ("components", "component_deployments", False),
        ("workflows", "workflow_deployments", True),
    ):
        noun = "workflow" if workflow else "component"
        group = _add_subgroup(parser, name, f"{noun} versions deployed to rings")
        _register_flavour(group, namespace, workflow)


def _register_flavour(parser: argparse.ArgumentParser, namespace: str, workflow: bool) -> None:
    noun = "workflow" if workflow else "component"
    filters = (
        ("workflow_id", "ring_id", "status")
        if workflow
        else (
            "component_type",
            "component_id",
            "ring_id",
            "status",
        )
    )
    add_resource_commands(
        parser,
        namespace=namespace,
        noun=f"{noun} deployment",
        columns=DEPLOYMENT_COLUMNS,
        verbs=("list", "get", "delete"),
        list_filters=filters,
    )

    def finish(ctx: CommandContext, deployment: Deployment, waiting: Waiting) -> None:
        waiting.done()
        ctx.output.emit(deployment)

    def run_create(args: argparse.Namespace, ctx: CommandContext) -> None:
        waiting = Waiting(ctx)  # before the first request: it follows the client's pauses
        ring_id = resolve_ring(ctx, args.ring)
        if args.wait:
            waiting.show(f"deploying {noun} {args.id} to ring {args.ring}")
        ns = ctx.namespace(namespace)
        options: dict[str, Any] = {
            "ring_id": ring_id,
            "version": args.version,
            "wait": args.wait,
            "timeout_s": args.timeout,
            "on_progress": _progress(waiting) if args.wait else None,
            "idempotency_key": args.idempotency_key,
            "reason": args.reason,
        }
        if workflow:
            deployment = ns.deploy(args.id, **options)
        else:
            deployment = ns.deploy(args.type, args.id, **options)
        finish(ctx, deployment, waiting)

    create = add_command(
        parser,
        "create",
        run_create,
        aliases=("deploy",),
        help=f"deploy a {noun} version to a ring",
    )
    if not workflow:
        create.add_argument("type", metavar="TYPE", help="the component type, e.g. agent")
    create.add_argument("id", metavar="ID", help=f"the {noun} id")
    create.add_argument("--ring", required=True, metavar="RING", help="ring id or name")
    create.add_argument(
        "--version", type=int, metavar="N", help=f"the {noun} version (default: the latest)"
    )
    create.add_argument(
        "--idempotency-key", metavar="KEY", help="repeat the deploy safely with the same key"
    )
    _add_reason_option(create, "deploy")
    _add_wait_options(create)

    def add_move(verb: str, doing: str, help: str, reason_for: str) -> None:
        """``promote`` or ``rollback``: the same options, the same way of waiting."""

        def run(args: argparse.Namespace, ctx: CommandContext) -> None:
            waiting = Waiting(ctx)
            if args.wait:
                waiting.show(f"{doing} deployment {args.id}")
            deployment = getattr(ctx.namespace(namespace), verb)(
                args.id,
                reason=args.reason,
                wait=args.wait,
                timeout_s=args.timeout,
                on_progress=_progress(waiting) if args.wait else None,
            )
            finish(ctx, deployment, waiting)

        command = add_command(parser, verb, run, help=help)
        command.add_argument("id", metavar="ID")
        _add_reason_option(command, reason_for)
        _add_wait_options(command)

    add_move("promote", "promoting", "deploy the same version to the next ring", "promote")
    add_move("rollback", "rolling back", "put back the ring's previous version", "roll back")

    def run_wait(args: argparse.Namespace, ctx: CommandContext) -> None:
        waiting = Waiting(ctx)
        waiting.show(f"deployment {args.id}: waiting until {args.status}")
        deployment = ctx.namespace(namespace).wait(
            args.id, status=args.status, timeout_s=args.timeout, on_progress=_progress(waiting)
        )
        finish(ctx, deployment, waiting)

    wait = add_command(parser, "wait", run_wait, help="wait until a deployment has a status")
    wait.add_argument("id", metavar="ID")
    wait.add_argument(
        "--status",
        default="active",
        choices=DEPLOYMENT_STATUSES,
        help="the status to wait for (default active)",
    )
    wait.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_WAIT_TIMEOUT_S,
        metavar="SECONDS",
        help=f"give up after this long (default {DEFAULT_WAIT_TIMEOUT_S:g})",
    )


# backups


def register_backups(parser: argparse.ArgumentParser) -> None:
    """``flow backups list|get|create|delete|restore``."""
    add_resource_commands(
        parser,
        namespace="component_backups",
        noun="backup",
        columns=BACKUP_COLUMNS,
        verbs=("list", "get", "delete"),
        list_filters=("component_type", "component_id"),
    )

    def run_create(args: argparse.Namespace, ctx: CommandContext) -> None:
        backup = ctx.client().component_backups.create(
            args.type, args.id, idempotency_key=args.idempotency_key
        )
        ctx.output.emit(backup)

    create = add_command(
        parser, "create", run_create, help="snapshot a component with all its versions"
    )
    create.add_argument("type", metavar="TYPE", help="the component type, e.g. agent")
    create.add_argument("id", metavar="ID", help="the component id")
    create.add_argument("--idempotency-key", metavar="KEY", help="repeat safely with the same key")

    def run_restore(args: argparse.Namespace, ctx: CommandContext) -> None:
        component = ctx.client().component_backups.restore(args.id)
        ctx.output.message(
            f"restored {component.type} {component.id} as version {component.version}"
        )
        ctx.output.emit(component)

    restore = add_command(
        parser,
        "restore",
        run_restore,
        help="bring a component back to a backup, as a new version",
    )
    restore.add_argument("id", metavar="BACKUP_ID")
