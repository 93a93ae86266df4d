"""``flow api METHOD PATH``: a raw request through the client, printing the JSON.

The request goes through the same client as every command (credentials,
retries, redacted ``--debug`` logs), so it is the way to reach a route no
command covers yet. ``{org_id}`` and ``{workspace_id}`` in the path are
replaced by the selected tenant, each encoded as one path segment.
"""

from __future__ import annotations

import argparse
from typing import Any

import msgspec

from .._errors import CLIClientError
from .._urls import path_segment
from ._bodies import parse_assignment
from ._context import CommandContext
from ._parser import HANDLER_DEST, UsageError

__all__ = ["register_api"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _method(text: str) -> str:
    method = text.upper()
    if method not in METHODS:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(METHODS)}")
    return method


def register_api(parser: argparse.ArgumentParser) -> None:
    """``flow api METHOD PATH [--data] [--query] [--header]``."""
    parser.description = (
        "Send one request to the platform and print the JSON it answers. PATH is a path such "
        "as /api/v1/tenants/orgs; {org_id} and {workspace_id} are replaced by the selected "
        "tenant, e.g. /api/v1/orgs/{org_id}/workspaces/{workspace_id}/components/agent."
    )
    parser.add_argument(
        "method", type=_method, choices=METHODS, metavar="METHOD", help=", ".join(METHODS)
    )
    parser.add_argument("path", metavar="PATH")
    parser.add_argument(
        "--data",
        "-d",
        metavar="JSON|@FILE|-",
        help="a JSON body: inline, @path to read a file, or - for standard input",
    )
    parser.add_argument(
        "--query",
        "-q",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a query parameter; repeatable",
    )
    parser.add_argument(
        "--header",
        "-H",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header (e.g. 'If-Match: 3'); repeatable",
    )
    parser.set_defaults(**{HANDLER_DEST: run_api})


def _path(raw: str, ctx: CommandContext) -> str:
    if "://" in raw:
        raise UsageError(
            f"{raw!r} is a URL; flow api takes a path on the configured platform",
            hint="pass only the path (e.g. /api/v1/tenants/orgs); choose the platform with "
            "--platform-url",
        )
    path = raw if raw.startswith("/") else f"/{raw}"
    for field in ("org_id", "workspace_id"):
        marker = "{" + field + "}"
        if marker in path:
            value = getattr(ctx.config, field)
            if not value:
                raise CLIClientError(
                    f"the path uses {marker} but no {field} is selected",
                    hint="`flow orgs use ID` / `flow workspaces use ID`, or write the id",
                )
            path = path.replace(marker, path_segment(str(value), field))
    return path


def _body(source: str, ctx: CommandContext) -> bytes:
    if source == "-":
        text = ctx.read_text("-")
    elif source.startswith("@"):
        text = ctx.read_text(source[1:])
    else:
        text = source
    try:
        msgspec.json.decode(text.encode())
    except msgspec.DecodeError as exc:
        inline = source != "-" and not source.startswith("@")  # the command line itself
        raise (UsageError if inline else CLIClientError)(
            f"--data is not valid JSON: {exc}",
            hint="quote the JSON for your shell, or put it in a file and pass --data @FILE",
        ) from None
    return text.encode()


def _headers(raw: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for item in raw:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise UsageError(
                f"--header expects 'Name: value', got {item!r}", hint="e.g. -H 'If-Match: 3'"
            )
        headers[name.strip()] = value.strip()
    return headers


def run_api(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Send the request and print the JSON it answers."""
    path = _path(args.path, ctx)
    params: dict[str, Any] = {}
    for item in args.query:
        keys, value = parse_assignment(item)
        params[".".join(keys)] = value if isinstance(value, str) else item.partition("=")[2]
    headers = _headers(args.header)
    content = None
    if args.data is not None:
        content = _body(args.data, ctx)
        headers.setdefault("Content-Type", "application/json")
    client = ctx.client(authenticated=False)
    response = client._client.request(
        args.method, path, content=content, params=params or None, headers=headers
    )
    if not response.content:
        if not ctx.output.json:
            ctx.output.message(f"{response.status_code} {response.reason_phrase} (no body)")
        return
    try:
        data = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        ctx.output.stdout.write(response.text)
        if not response.text.endswith("\n"):
            ctx.output.stdout.write("\n")
        return
    ctx.output.print_json(data)
