"""``flow services list|get|create|update|delete|publish|versions|invoke``.

Imported only when ``flow services`` runs.
"""

from __future__ import annotations

import argparse
from typing import Any

import msgspec
from flow_sdk import CLIClientError
from flow_sdk.cli import (
    CommandContext,
    add_body_arguments,
    add_command,
    add_resource_commands,
    body_from_args,
    positive_int,
)

__all__ = ["register"]

SERVICE_COLUMNS = ("id", "name", "latest_version", "version")
VERSION_COLUMNS = ("version", "name", "published_at")


def _add_endpoint_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint",
        dest="endpoints",
        action="append",
        nargs=3,
        metavar=("METHOD", "PATH", "HANDLER_FILE"),
        help="an endpoint whose handler is the Python file given (- for stdin); repeatable, "
        "replaces the body's endpoints",
    )


def _body(args: argparse.Namespace, ctx: CommandContext, *, required: bool) -> dict[str, Any]:
    body = body_from_args(args, ctx, required=required and not args.endpoints) or {}
    if args.endpoints:
        body["endpoints"] = [
            {"method": method, "path": path, "handler": ctx.read_text(source)}
            for method, path, source in args.endpoints
        ]
    return body


def _query(pairs: list[str]) -> dict[str, Any] | None:
    query: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CLIClientError(
                f"--query takes KEY=VALUE, got {pair!r}", hint="e.g. --query limit=10"
            )
        if key in query:
            previous = query[key]
            query[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            query[key] = value
    return query or None


def _data(ctx: CommandContext, data: str | None) -> Any:
    if data is None:
        return None
    if data == "-" or data.startswith("@"):
        return ctx.read_json(data if data == "-" else data[1:])
    try:
        return msgspec.json.decode(data.encode())
    except msgspec.DecodeError as exc:
        raise CLIClientError(
            f"--data is not valid JSON: {exc}",
            hint="""quote it for the shell, e.g. --data '{"name": "x"}', or pass --data @FILE""",
        ) from None


def register(parser: argparse.ArgumentParser) -> None:
    """Add the ``flow services`` verbs to its group parser."""
    add_resource_commands(
        parser,
        namespace="hosted_services",
        noun="service",
        columns=SERVICE_COLUMNS,
        verbs=("list", "get", "delete"),
        list_filters=("name",),
    )

    def run_create(args: argparse.Namespace, ctx: CommandContext) -> None:
        service = ctx.client().hosted_services.create(
            _body(args, ctx, required=True), idempotency_key=args.idempotency_key
        )
        ctx.output.emit(service)

    create = add_command(parser, "create", run_create, help="create a service")
    add_body_arguments(create, what="the new service")
    _add_endpoint_option(create)
    create.add_argument("--idempotency-key", metavar="KEY", help="repeat safely with the same key")

    def run_update(args: argparse.Namespace, ctx: CommandContext) -> None:
        service = ctx.client().hosted_services.update(
            args.id, _body(args, ctx, required=True), if_match=args.if_match
        )
        ctx.output.emit(service)

    update = add_command(parser, "update", run_update, help="change a service's definition")
    update.add_argument("id", metavar="ID")
    add_body_arguments(update, what="the fields to change")
    _add_endpoint_option(update)
    update.add_argument("--if-match", metavar="VERSION", help="only if still at this version")

    def run_publish(args: argparse.Namespace, ctx: CommandContext) -> None:
        published = ctx.client().hosted_services.publish(args.id, if_match=args.if_match)
        ctx.output.message(f"published {args.id} as v{published.version}")
        ctx.output.emit(published)

    publish = add_command(
        parser, "publish", run_publish, help="freeze the definition as the next version vN"
    )
    publish.add_argument("id", metavar="ID")
    publish.add_argument("--if-match", metavar="VERSION", help="only if still at this version")

    def run_versions(args: argparse.Namespace, ctx: CommandContext) -> None:
        versions = ctx.client().hosted_services.versions(args.id)
        ctx.output.stream(
            versions, columns=VERSION_COLUMNS, empty="no published version yet", what="versions"
        )

    versions = add_command(parser, "versions", run_versions, help="the published versions")
    versions.add_argument("id", metavar="ID")

    def run_invoke(args: argparse.Namespace, ctx: CommandContext) -> None:
        result = ctx.client().hosted_services.invoke(
            args.id,
            args.method,
            args.path,
            body=_data(ctx, args.data),
            query=_query(args.query),
            version=args.version,
        )
        ctx.output.print_json(result)

    invoke = add_command(
        parser, "invoke", run_invoke, help="call an endpoint and print its JSON answer"
    )
    invoke.add_argument("id", metavar="ID")
    invoke.add_argument("method", metavar="METHOD", help="GET, POST, PUT, PATCH or DELETE")
    invoke.add_argument("path", metavar="PATH", help="the endpoint path, e.g. /hello/ada")
    invoke.add_argument(
        "--data", "-d", metavar="JSON", help="the JSON body: inline, @FILE, or - for stdin"
    )
    invoke.add_argument(
        "--query",
        "-q",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a query parameter; repeatable",
    )
    invoke.add_argument(
        "--version",
        "-V",
        type=positive_int,
        metavar="N",
        help="call version vN (default: the latest published)",
    )
