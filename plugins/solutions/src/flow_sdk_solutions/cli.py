"""``flow solutions …``: imported only when that group runs.

``list|get|create|update|delete`` come from the core's generic resource
commands; ``export`` and ``import`` move a solution between workspaces.
"""

from __future__ import annotations

import argparse

from flow_sdk.cli import CommandContext, add_command, add_resource_commands

__all__ = ["register"]


def register(parser: argparse.ArgumentParser) -> None:
    """Add the solutions verbs to ``flow solutions``."""
    add_resource_commands(
        parser,
        namespace="solutions",
        columns=("id", "name", "description", "version", "updated_at"),
        list_filters=("name",),
    )
    export = add_command(
        parser,
        "export",
        run_export,
        help="write a solution and its components as a self-contained bundle",
        description="Without --output the bundle (JSON) goes to standard output.",
    )
    export.add_argument("id", metavar="ID")
    export.add_argument("--output", "-o", metavar="PATH", help="write the bundle to this file")

    imported = add_command(
        parser,
        "import",
        run_import,
        help="recreate a bundle's solution and components here, with new ids",
    )
    imported.add_argument("source", metavar="PATH", help="a bundle file, or - for standard input")
    imported.add_argument("--name", help="a new name for the imported solution")
    imported.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="repeat an import safely: the same key and bundle import only once",
    )


def run_export(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow solutions export ID [--output PATH]``."""
    solutions = ctx.namespace("solutions")
    if args.output:
        path = solutions.export_to_file(args.id, args.output)
        if ctx.output.json:
            ctx.output.print_json({"id": args.id, "path": str(path)})
        else:
            ctx.output.message(f"wrote the bundle of solution {args.id} to {path}")
        return
    ctx.output.print_json(solutions.export(args.id))  # a bundle is JSON, on a terminal too


def run_import(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow solutions import PATH``."""
    source = ctx.read_json("-") if args.source == "-" else args.source
    result = ctx.namespace("solutions").import_(
        source, name=args.name, idempotency_key=args.idempotency_key
    )
    if ctx.output.json:
        ctx.output.print_json(result)
        return
    ctx.output.emit(result.solution)
    ctx.output.table(
        [{"type": c.type, "bundle_id": c.source_id, "id": c.id} for c in result.components],
        columns=("type", "bundle_id", "id"),
    )
