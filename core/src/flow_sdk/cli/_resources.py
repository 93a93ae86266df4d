"""Generic ``list|get|create|update|delete`` commands over a ``ResourceNamespace``.

One implementation for every resource group (``flow datasets``, ``flow agents``…):
a plugin names the client namespace and the table columns, and adds its
special verbs next to these with ``add_command``.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from .._errors import CLIClientError
from ._bodies import apply_assignments
from ._context import CommandContext
from ._parser import UsageError, add_command

__all__ = [
    "DEFAULT_LIST_LIMIT",
    "RESOURCE_VERBS",
    "add_body_arguments",
    "add_resource_commands",
    "body_from_args",
    "positive_int",
    "with_article",
]

RESOURCE_VERBS = ("list", "get", "create", "update", "delete")
DEFAULT_LIST_LIMIT = 50
MAX_PAGE = 500


def with_article(noun: str) -> str:
    """``noun`` after "a" or "an", as it is read: an agent, a code block, an MCP server."""
    word = noun.split()[0] if noun.split() else noun
    if len(word) > 1 and word.isupper():  # an acronym, read letter by letter
        vowel = word[0] in "AEFHILMNORSX"
    else:
        lower = word.lower()
        vowel = lower[:1] in tuple("aeiou") and not lower.startswith(
            ("uni", "use", "usu", "uti", "eu", "one")
        )
        vowel = vowel or lower.startswith(("hour", "honest"))
    return f"{'an' if vowel else 'a'} {noun}"


def limited(items: Iterable[Any], limit: int | None) -> tuple[Iterator[Any], list[bool]]:
    """The first ``limit`` items (all with None), lazily; the flag in the list turns
    True when one more was there."""
    more = [False]

    def first() -> Iterator[Any]:
        for index, item in enumerate(items):
            if limit is not None and index >= limit:
                more[0] = True
                return
            yield item

    return first(), more


def positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def add_body_arguments(parser: argparse.ArgumentParser, *, what: str = "the body") -> None:
    """``--file PATH|-`` (a JSON object; ``-`` reads stdin) and repeatable ``--set key=value``."""
    parser.add_argument(
        "--file",
        "-f",
        dest="body_file",
        metavar="PATH",
        help=f"{what} as a JSON object, from a file or - for standard input",
    )
    parser.add_argument(
        "--set",
        dest="body_set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set one field (JSON value or text; dotted keys nest); repeatable, wins over --file",
    )


def body_from_args(
    args: argparse.Namespace, ctx: CommandContext, *, required: bool = True
) -> dict[str, Any] | None:
    """The JSON object that ``--file`` and ``--set`` describe (see ``add_body_arguments``)."""
    body = ctx.read_json(args.body_file) if getattr(args, "body_file", None) else None
    body = apply_assignments(body, getattr(args, "body_set", []))
    if body is None:
        if required:
            raise UsageError(
                "no body given",
                hint="pass --file PATH (a JSON object), --file - to read it from standard "
                "input, or --set key=value",
            )
        return None
    if not isinstance(body, dict):
        raise CLIClientError(
            f"the body must be a JSON object, not {type(body).__name__}",
            hint='wrap the fields in an object, e.g. {"name": "orders"}',
        )
    return body


def _if_match(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--if-match",
        metavar="VERSION",
        help="only if the resource is still at this version (else a conflict, exit code 1)",
    )


def add_resource_commands(
    parser: argparse.ArgumentParser,
    *,
    namespace: str,
    columns: Sequence[str] = ("id", "name", "version"),
    noun: str | None = None,
    verbs: Collection[str] = RESOURCE_VERBS,
    versions: bool = False,
    list_filters: Sequence[str] = (),
) -> argparse.ArgumentParser:
    """Add ``list|get|create|update|delete`` for ``client.<namespace>`` to a group.

    ``columns`` are the table columns of ``list`` (``--json`` prints every
    field); ``noun`` names one resource in help and messages (default: the
    namespace without its trailing "s"); ``verbs`` picks a subset;
    ``versions=True`` adds ``versions ID`` (for namespaces with a
    ``versions(id)`` method); each of ``list_filters`` becomes a
    ``list --NAME VALUE`` option passed as a keyword to ``namespace.list``.
    Returns ``parser`` so special verbs can be added with ``add_command``.
    """
    unknown = set(verbs) - set(RESOURCE_VERBS)
    if unknown:
        raise ValueError(f"unknown verbs {sorted(unknown)}; choose from {RESOURCE_VERBS}")
    one = noun or (namespace[:-1] if namespace.endswith("s") else namespace).replace("_", " ")
    many = namespace.replace("_", " ")
    if noun and many.lower() == f"{noun}s".lower():
        many = f"{noun}s"  # the noun's own spelling: MCP servers
    cols = tuple(columns)

    def ns(ctx: CommandContext) -> Any:
        return ctx.namespace(namespace)

    if "list" in verbs:

        def run_list(args: argparse.Namespace, ctx: CommandContext) -> None:
            filters = {
                name: value
                for name in list_filters
                if (value := getattr(args, f"filter_{name}", None)) is not None
            }
            limit = None if args.all else args.limit
            page_size = MAX_PAGE if limit is None else min(limit + 1, MAX_PAGE)
            items = ns(ctx).list(
                page_size=page_size, limit=None if limit is None else limit + 1, **filters
            )
            # pages are fetched as they are printed: --jsonl streams them, flat in memory
            shown, more = limited(items, limit)
            ctx.output.stream(shown, columns=cols, empty=f"no {many}", what=many)
            if more[0]:
                ctx.output.message(
                    f"showing the first {limit}; pass --limit N or --all to see more"
                )

        p = add_command(parser, "list", run_list, help=f"list {many}")
        p.add_argument(
            "--limit",
            type=positive_int,
            default=DEFAULT_LIST_LIMIT,
            help=f"show at most this many (default {DEFAULT_LIST_LIMIT})",
        )
        p.add_argument(
            "--all",
            action="store_true",
            help="show every one, page by page (with --jsonl: each page as it arrives)",
        )
        for name in list_filters:
            p.add_argument(
                f"--{name.replace('_', '-')}",
                dest=f"filter_{name}",
                metavar=name.upper(),
                help=f"only those whose {name} is this",
            )

    if "get" in verbs:

        def run_get(args: argparse.Namespace, ctx: CommandContext) -> None:
            ctx.output.emit(ns(ctx).get(args.id))

        p = add_command(parser, "get", run_get, help=f"show one {one}")
        p.add_argument("id", metavar="ID")

    if "create" in verbs:

        def run_create(args: argparse.Namespace, ctx: CommandContext) -> None:
            body = body_from_args(args, ctx)
            created = ns(ctx).create(body, idempotency_key=args.idempotency_key)
            ctx.output.emit(created)

        p = add_command(parser, "create", run_create, help=f"create {with_article(one)}")
        add_body_arguments(parser=p, what=f"the new {one}")
        p.add_argument(
            "--idempotency-key",
            metavar="KEY",
            help="repeat a create safely: the same key and body create only one",
        )

    if "update" in verbs:

        def run_update(args: argparse.Namespace, ctx: CommandContext) -> None:
            body = body_from_args(args, ctx)
            updated = ns(ctx).update(args.id, body, if_match=args.if_match)
            ctx.output.emit(updated)

        p = add_command(parser, "update", run_update, help=f"change fields of {with_article(one)}")
        p.add_argument("id", metavar="ID")
        add_body_arguments(parser=p, what="the fields to change")
        _if_match(p)

    if "delete" in verbs:

        def run_delete(args: argparse.Namespace, ctx: CommandContext) -> None:
            if not args.yes and not ctx.confirm(f"Delete {one} {args.id}?"):
                raise CLIClientError(
                    f"not deleting {one} {args.id} without confirmation",
                    hint="pass --yes to delete without asking",
                )
            ns(ctx).delete(args.id, if_match=args.if_match)
            if ctx.output.json:
                ctx.output.print_json({"id": args.id, "deleted": True})
            else:
                ctx.output.success(f"deleted {one} {args.id}")

        p = add_command(parser, "delete", run_delete, help=f"delete {with_article(one)}")
        p.add_argument("id", metavar="ID")
        _if_match(p)
        p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")

    if versions:

        def run_versions(args: argparse.Namespace, ctx: CommandContext) -> None:
            ctx.output.stream(
                ns(ctx).versions(args.id),
                columns=("version", "name", "created_at"),
                empty="no versions",
                what="versions",
            )

        p = add_command(
            parser, "versions", run_versions, help=f"the version history of {with_article(one)}"
        )
        p.add_argument("id", metavar="ID")

    return parser
