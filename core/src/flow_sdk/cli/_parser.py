"""argparse plumbing: lazy command groups, global options everywhere, no ``sys.exit``.

Two things argparse does not do by itself:

- load a command group only when it is the one being run: ``LazySubcommands``
  calls a group's loader the first time the parser dispatches to it, whoever
  parses (``flow`` itself or a host program that mounted it);
- accept the global options (``--json``, ``--debug``, ``--profile``,
  ``--platform-url``) after the subcommand too: every parser made through
  ``LazySubcommands.add_parser`` gets them, with defaults that never override
  a value given earlier on the line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from ._context import CommandContext

__all__ = [
    "FlowArgumentParser",
    "Handler",
    "LazySubcommands",
    "ParserExit",
    "UsageError",
    "add_command",
    "add_global_options",
    "subcommands",
]

Handler = Callable[[argparse.Namespace, "CommandContext"], "int | None"]
"""A command: gets the parsed arguments and the context; returns an exit code or None (0)."""

HANDLER_DEST = "flow_handler"


class UsageError(Exception):
    """The command line is wrong (exit code 2)."""

    def __init__(self, message: str, parser: argparse.ArgumentParser) -> None:
        super().__init__(message)
        self.message = message
        self.parser = parser


class ParserExit(Exception):
    """argparse finished early (``--help``, ``--version``) with this status."""

    def __init__(self, status: int, message: str | None) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


class FlowArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of calling ``sys.exit``."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise ParserExit(status, message)


def add_global_options(parser: argparse.ArgumentParser, *, root: bool) -> None:
    """The options every ``flow`` command accepts, before or after its name.

    Only the root parser sets defaults; below it the defaults are suppressed,
    so ``flow --json orgs list`` and ``flow orgs list --json`` mean the same.
    """

    def default(value: Any) -> Any:
        return value if root else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--profile",
        dest="flow_profile",
        metavar="NAME",
        default=default(None),
        help="use this profile instead of the selected one",
    )
    group.add_argument(
        "--platform-url",
        dest="flow_platform_url",
        metavar="URL",
        default=default(None),
        help="talk to this platform (default: the profile's, else local://default)",
    )
    group.add_argument(
        "--json",
        dest="flow_json",
        action="store_true",
        default=default(False),
        help="print JSON (the default when standard output is not a terminal)",
    )
    group.add_argument(
        "--debug",
        dest="flow_debug",
        action="store_true",
        default=default(False),
        help="log each request and response to standard error (secrets redacted)",
    )


class LazySubcommands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands whose parsers are filled in only when they are chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loaders: dict[str, Callable[[], None]] = {}

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if "help" in kwargs and "description" not in kwargs:
            kwargs["description"] = kwargs["help"]
        parser: argparse.ArgumentParser = super().add_parser(name, **kwargs)
        add_global_options(parser, root=False)
        return parser

    def add_lazy_parser(
        self, name: str, loader: Callable[[argparse.ArgumentParser], None], **kwargs: Any
    ) -> argparse.ArgumentParser:
        """A subcommand whose arguments ``loader`` adds when (and if) it is run."""
        parser = self.add_parser(name, **kwargs)
        self.loaders[name] = lambda: loader(parser)
        return parser

    def load(self, name: str) -> None:
        """Run the loader of ``name`` if it has not run yet."""
        loader = self.loaders.pop(name, None)
        if loader is not None:
            loader()

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if isinstance(values, list | tuple) and values:
            self.load(str(values[0]))
        super().__call__(parser, namespace, values, option_string)


def subcommands(parser: argparse.ArgumentParser) -> LazySubcommands:
    """The subcommands of ``parser``, created on first use (argparse allows one set)."""
    for action in parser._actions:
        if isinstance(action, LazySubcommands):
            return action
        if isinstance(action, argparse._SubParsersAction):
            raise TypeError(
                f"{parser.prog} already has subcommands made with add_subparsers(); "
                "use flow_sdk.cli.add_command for every verb of a flow command group"
            )
    action = parser.add_subparsers(
        action=LazySubcommands, title="commands", metavar="COMMAND", dest=argparse.SUPPRESS
    )
    assert isinstance(action, LazySubcommands)
    return action


def add_command(
    parser: argparse.ArgumentParser,
    name: str,
    handler: Handler,
    *,
    help: str | None = None,
    description: str | None = None,
    aliases: Sequence[str] = (),
) -> argparse.ArgumentParser:
    """Add the verb ``name`` under ``parser`` (a command group) and return its parser.

    ``handler(args, ctx)`` runs when the verb is chosen; add the verb's own
    arguments to the returned parser. Calling ``add_command`` on the returned
    parser nests another level (``flow datasets rows list``).
    """
    kwargs: dict[str, Any] = {"aliases": list(aliases)}
    if help is not None:
        kwargs["help"] = help
    if description is not None:
        kwargs["description"] = description
    verb = subcommands(parser).add_parser(name, **kwargs)
    verb.set_defaults(**{HANDLER_DEST: handler})
    return verb


def show_help_handler(parser: argparse.ArgumentParser) -> Handler:
    """A handler for a group run without a verb: its help on stderr, exit code 2."""

    def show(args: argparse.Namespace, ctx: CommandContext) -> int:
        ctx.output.stderr.write(parser.format_help())
        return 2

    return show
