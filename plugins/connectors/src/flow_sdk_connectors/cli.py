"""``flow connectors`` and ``flow connector-instances`` (imported only when they run)."""

from __future__ import annotations

import argparse
from typing import Any

from flow_sdk import CLIClientError
from flow_sdk.cli import add_command, add_resource_commands, positive_int

__all__ = ["register_connectors", "register_instances"]

INSTANCE_COLUMNS = ("id", "name", "connector_key", "scope_type", "scope_id", "version")


def register_connectors(parser: argparse.ArgumentParser) -> None:
    """``flow connectors list|get``: the catalog is read-only."""
    add_resource_commands(
        parser,
        namespace="connectors",
        columns=("key", "name", "dialect", "available"),
        noun="connector",
        verbs=("list", "get"),
    )


def register_instances(parser: argparse.ArgumentParser) -> None:
    """``flow connector-instances list|get|create|update|delete|test|query|ddl|audit``."""
    add_resource_commands(
        parser,
        namespace="connector_instances",
        columns=INSTANCE_COLUMNS,
        noun="connector instance",
        list_filters=("scope_type", "scope_id", "connector_key"),
    )

    test = add_command(parser, "test", run_test, help="check that the connection works")
    test.add_argument("id", metavar="ID")

    query = add_command(
        parser, "query", run_query, help="run one read-only SQL query and show the rows"
    )
    query.add_argument("id", metavar="ID")
    source = query.add_mutually_exclusive_group(required=True)
    source.add_argument("--sql", help="the query text")
    source.add_argument("--file", "-f", metavar="PATH", help="read the query from a file, or -")
    query.add_argument(
        "--params",
        metavar="JSON",
        help='bound parameters: a JSON list (positional) or object (named), e.g. "[1, \\"a\\"]"',
    )
    query.add_argument(
        "--max-rows", type=positive_int, default=1000, help="at most this many rows (default 1000)"
    )

    ddl = add_command(
        parser,
        "ddl",
        run_ddl,
        help="preview DDL from a file (a table of statements); --confirm runs it",
        description=(
            "Without --confirm, shows each statement with its kind and whether it is "
            "destructive, and changes nothing. With --confirm, runs them all in one "
            "transaction (all or nothing); destructive statements also need --reason, "
            "which goes into the audit log."
        ),
    )
    ddl.add_argument("id", metavar="ID")
    ddl.add_argument("--file", "-f", required=True, metavar="PATH", help="SQL file, or - for stdin")
    ddl.add_argument("--confirm", action="store_true", help="run the statements (else preview)")
    ddl.add_argument("--reason", help="why; required to confirm destructive statements")
    ddl.add_argument(
        "--scope-type",
        choices=("workspace", "org"),
        default="workspace",
        help="(default workspace)",
    )
    ddl.add_argument("--scope-id", help="the workspace or org id (default: the selected one)")

    audit = add_command(parser, "audit", run_audit, help="the instance's DDL audit log")
    audit.add_argument("id", metavar="ID")
    audit.add_argument(
        "--limit", type=positive_int, default=50, help="show at most this many (default 50)"
    )


def run_test(args: argparse.Namespace, ctx: Any) -> int:
    """Exit 0 when the connection works, 1 when it does not (the detail says why)."""
    result = ctx.namespace("connector_instances").test(args.id)
    ctx.output.emit(result)
    return 0 if result.ok else 1


def _params(raw: str | None, ctx: Any) -> Any:
    if raw is None:
        return None
    import msgspec

    try:
        params = msgspec.json.decode(raw.encode())
    except msgspec.DecodeError as exc:
        raise CLIClientError(
            f"--params is not valid JSON: {exc}",
            hint='give a JSON list such as "[1, \\"x\\"]" or an object such as "{\\"id\\": 1}"',
        ) from None
    if not isinstance(params, list | dict):
        raise CLIClientError(
            "--params must be a JSON list or object",
            hint='e.g. --params "[42]" for one ? / %s placeholder',
        )
    return params


def run_query(args: argparse.Namespace, ctx: Any) -> None:
    """Rows as a table (every column), or the whole result with --json."""
    sql = args.sql if args.sql is not None else ctx.read_text(args.file)
    result = ctx.namespace("connector_instances").query(
        args.id, sql, _params(args.params, ctx), max_rows=args.max_rows
    )
    if ctx.output.json:
        ctx.output.print_json(result)
        return
    rows = [dict(zip(result.columns, row, strict=False)) for row in result.rows]
    ctx.output.emit(rows, columns=result.columns, empty="no rows")
    if result.truncated:
        ctx.output.message(
            f"showing the first {result.row_count} rows; pass --max-rows N to see more"
        )


def run_ddl(args: argparse.Namespace, ctx: Any) -> None:
    """The statements as a table (sql, kind, destructive), then what happened."""
    sql = ctx.read_text(args.file)
    result = ctx.namespace("connector_instances").execute_ddl(
        args.id,
        sql,
        confirm=args.confirm,
        scope_type=args.scope_type,
        scope_id=args.scope_id,
        reason=args.reason,
    )
    if ctx.output.json:
        ctx.output.print_json(result)
        return
    ctx.output.emit(result.statements, columns=("sql", "kind", "destructive"))
    count = len(result.statements)
    if result.executed:
        ctx.output.message(
            f"applied {count} statement(s) in one transaction; audit {result.audit_id}"
        )
        return
    destructive = sum(1 for s in result.statements if s.destructive)
    needs = f" --reason '...' ({destructive} destructive)" if destructive else ""
    ctx.output.message(
        f"preview only, nothing was run: pass --confirm{needs} to apply {count} statement(s)"
    )


def run_audit(args: argparse.Namespace, ctx: Any) -> None:
    """Newest first: when, who, status, how many statements, why (every field with
    ``--json``; with ``--jsonl``, each page as it arrives)."""
    records = ctx.namespace("connector_instances").audit(
        args.id, page_size=min(args.limit, 100), limit=args.limit
    )
    if ctx.output.json:
        ctx.output.stream(records, what="records")
        return
    rows = (
        {
            "id": r.id,
            "created_at": r.created_at,
            "actor": r.actor,
            "status": r.status,
            "statements": len(r.statements),
            "reason": r.reason,
        }
        for r in records
    )
    ctx.output.stream(
        rows,
        columns=("id", "created_at", "actor", "status", "statements", "reason"),
        empty="no DDL has been run on this instance",
        what="records",
    )
