"""``flow policies …``: imported only when that command group runs."""

from __future__ import annotations

import argparse

from flow_sdk.cli import CommandContext, add_command, add_resource_commands

__all__ = ["register"]


def register(parser: argparse.ArgumentParser) -> None:
    """list|get|create|update|delete, plus ``evaluate``."""
    add_resource_commands(
        parser,
        namespace="policies",
        noun="policy",
        columns=("id", "name", "effect", "actions", "resources", "principals", "version"),
        list_filters=("name", "effect"),
    )
    evaluate = add_command(
        parser,
        "evaluate",
        run_evaluate,
        help="would the workspace's policies allow PRINCIPAL to do ACTION on RESOURCE?",
        description="Evaluates without changing anything. Deny wins over allow; once a "
        "workspace has policies, what none allows is denied. Actions look like "
        "datasets:delete, resources like datasets/ds_1, principals like user:usr_dev.",
    )
    evaluate.add_argument(
        "--principal", metavar="PRINCIPAL", help="who, e.g. user:usr_123 (default: you)"
    )
    evaluate.add_argument("--action", required=True, metavar="ACTION", help="e.g. datasets:delete")
    evaluate.add_argument(
        "--resource", required=True, metavar="RESOURCE", help="e.g. datasets/ds_1"
    )
    evaluate.add_argument(
        "--exit-code",
        action="store_true",
        help="exit with code 1 when the answer is deny (for scripts)",
    )


def run_evaluate(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``flow policies evaluate --action ACTION --resource RESOURCE [--exit-code]``."""
    client = ctx.client()
    principal = args.principal or f"user:{client.get_current_user()['id']}"
    result = client.policies.evaluate(principal, args.action, args.resource)
    ctx.output.emit(
        {
            "allowed": result.allowed,
            "principal": principal,
            "action": args.action,
            "resource": args.resource,
            "reason": result.reason,
            "matched_policies": [p.to_dict() for p in result.matched_policies],
        }
    )
    return 1 if args.exit_code and not result.allowed else 0
