"""``flow notes …``: imported only when that group runs."""

from __future__ import annotations

import argparse
from typing import Any

from flow_sdk.cli import CommandContext, add_command, add_resource_commands

__all__ = ["register"]

COLUMNS = ("id", "title", "pinned", "version", "updated_at")


def register(parser: argparse.ArgumentParser) -> None:
    """The generic resource verbs, plus ``pin ID`` and ``unpin ID``."""
    add_resource_commands(parser, namespace="notes", columns=COLUMNS, list_filters=("title",))
    pin = add_command(parser, "pin", run_pin, help="pin a note (it cannot be deleted while pinned)")
    pin.add_argument("id", metavar="ID")
    unpin = add_command(parser, "unpin", run_unpin, help="unpin a note")
    unpin.add_argument("id", metavar="ID")


def run_pin(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow notes pin ID``."""
    ctx.output.emit(_notes(ctx).pin(args.id))


def run_unpin(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow notes unpin ID``."""
    ctx.output.emit(_notes(ctx).unpin(args.id))


def _notes(ctx: CommandContext) -> Any:
    return ctx.namespace("notes")
