"""argparse plumbing: lazy command groups, global options everywhere, no ``sys.exit``.

Two things argparse does not do by itself:

- load a command group only when it is the one being run: ``LazySubcommands``
  calls a group's loader the first time the parser dispatches to it, whoever
  parses (``flow`` itself or a host program that mounted it);
- accept the global options (``--json``, ``--jsonl``, ``--debug``, ``--quiet``,
  ``--no-color``, ``--profile``, ``--platform-url``) after the subcommand too:
  every parser made through ``LazySubcommands.add_parser`` gets them, with
  defaults that never override a value given earlier on the line;
- suggest what was meant: a mistyped command, verb, option or choice gets a
  "did you mean …?" (``difflib``), and every usage error is exit code 2.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from .._errors import CLIClientError

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
    "help_line",
    "subcommands",
]

Handler = Callable[[argparse.Namespace, "CommandContext"], "int | None"]
"""A command: gets the parsed arguments and the context; returns an exit code or None (0)."""

HANDLER_DEST = "flow_handler"
APP_DEST = "flow_app"
"""Where a ``flow`` tree's parser (the top one, or one mounted in a host) keeps its app."""
PARSER_DEST = "flow_parser"
"""Where the parsed arguments keep the parser of the command that was chosen."""

GLOBAL_OPTIONS = (
    "--profile",
    "--platform-url",
    "--json",
    "--jsonl",
    "--debug",
    "--quiet",
    "--no-color",
)


class UsageError(CLIClientError):
    """The command line is wrong: exit code 2, with the command's usage line.

    Raise it from a handler for arguments argparse cannot check by itself
    (a malformed ``--set``, two options that exclude each other…);
    ``parser`` is the command's parser when known (its usage is printed).
    """

    def __init__(
        self,
        message: str,
        parser: argparse.ArgumentParser | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.parser = parser
        self.unknown: str | None = None
        """The mistyped command, when that is the error (for a better hint)."""


def help_line(text: str | None) -> str | None:
    """A one-line help as every ``flow`` command writes it: lower-case start (acronyms
    stay), no trailing period, single spaces."""
    if text is None or text is argparse.SUPPRESS:
        return text
    line = " ".join(text.split())
    if line.endswith(".") and not line.endswith(".."):
        line = line[:-1]
    if len(line) > 1 and line[0].isupper() and not line[1].isupper():
        line = line[0].lower() + line[1:]
    return line


def close_matches(word: str, candidates: Iterable[str]) -> list[str]:
    """What ``word`` was probably meant to be, best first (at most three): the names
    it begins (``work`` → workflows, workspaces), then those nearly as alike as the
    most alike one (``agnets`` → agents)."""
    import difflib  # only when something was mistyped

    names = [c for c in dict.fromkeys(candidates) if c and not c.startswith("_")]
    bare = word.lstrip("-")
    found = [n for n in names if len(bare) >= 2 and n.lstrip("-").startswith(bare)]
    scored = []
    for name in names:
        matcher = difflib.SequenceMatcher(None, bare, name.lstrip("-"))
        if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
            scored.append((matcher.ratio(), name))
    scored = sorted((s for s in scored if s[0] >= 0.6), key=lambda s: -s[0])
    if scored:
        best = scored[0][0]
        found += [name for score, name in scored if score >= best - 0.1]
    return list(dict.fromkeys(found))[:3]


def _alternatives(names: Sequence[str], prefix: str = "") -> str:
    quoted = [f"`{prefix}{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def option_strings(parser: argparse.ArgumentParser) -> list[str]:
    """Every option string ``parser`` accepts (its own and the global ones)."""
    return [
        option
        for action in parser._actions
        for option in action.option_strings
        if action.help is not argparse.SUPPRESS or option in GLOBAL_OPTIONS
    ]


def subcommand_names(parser: argparse.ArgumentParser) -> list[str]:
    """The verbs (and their aliases) of ``parser``; [] when it has none."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


_INVALID_CHOICE = re.compile(r"argument (?P<arg>[^:]+): invalid choice: (?P<value>'[^']*'|\S+)")


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def explain(parser: argparse.ArgumentParser, message: str) -> tuple[str, str | None]:
    """argparse's ``message``, reworded with what was probably meant; and the
    mistyped command when that is the error."""
    match = _INVALID_CHOICE.match(message)
    if match is None:
        return message, None
    value = _unquote(match.group("value"))
    argument = match.group("arg")
    if argument == "COMMAND":  # add_command's verbs, and the groups of flow itself
        commands = subcommand_names(parser)
        meant = close_matches(value, commands)
        text = f"no command {value!r}"
        if meant:
            return f"{text}; did you mean {_alternatives(meant, parser.prog + ' ')}?", value
        if len(commands) <= 12:
            return f"{text} (choose from {', '.join(commands)})", value
        return text, value
    choices: list[str] = []
    for action in parser._actions:
        if action.choices is not None and (
            argument in action.option_strings or argument in (action.metavar, action.dest)
        ):
            choices = [str(c) for c in action.choices]
    meant = close_matches(value, choices)
    if meant:
        return f"{message}; did you mean {_alternatives(meant)}?", None
    return message, None


def explain_unrecognized(parser: argparse.ArgumentParser, extras: Sequence[str]) -> str:
    """ "unrecognized arguments", with the option each mistyped one probably is."""
    known = option_strings(parser)
    parts = []
    after_option = False
    for extra in extras:
        if extra.startswith("-") and len(extra) > 1:
            name = extra.split("=", 1)[0]
            meant = close_matches(name, known)
            if meant:
                parts.append(f"unknown option {name}; did you mean {_alternatives(meant)}?")
            else:
                parts.append(f"unknown option {name}")
            after_option = "=" not in extra
        elif after_option:  # most likely the unknown option's value
            after_option = False
        else:
            parts.append(f"unexpected argument {extra!r}")
    return "; ".join(parts) or f"unrecognized arguments: {' '.join(extras)}"


class SuggestingParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors say what was probably meant (then exits as usual)."""

    def error(self, message: str) -> NoReturn:
        """argparse's usage error, with a suggestion (then it exits, as argparse does)."""
        super().error(explain(self, message)[0])


class ParserExit(Exception):
    """argparse finished early (``--help``, ``--version``) with this status."""

    def __init__(self, status: int, message: str | None) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


class FlowArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of calling ``sys.exit``, and suggests."""

    def error(self, message: str) -> NoReturn:
        """Raise a ``UsageError`` (with a suggestion) instead of exiting."""
        text, unknown = explain(self, message)
        error = UsageError(text, self)
        error.unknown = unknown
        raise error

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Raise ``ParserExit`` (after --help, --version) instead of exiting."""
        raise ParserExit(status, message)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """``parse_known_args``; what is left over is a ``UsageError`` of the command it
        was given to, naming the options it probably meant."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            chosen = getattr(parsed, PARSER_DEST, None)
            where = chosen if isinstance(chosen, argparse.ArgumentParser) else self
            raise UsageError(explain_unrecognized(where, extras), where)
        return parsed


def _suggesting(cls: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    """``cls`` with suggestions in its errors (for a host program's parser class)."""
    if issubclass(cls, FlowArgumentParser | SuggestingParser):
        return cls
    return type(f"Suggesting{cls.__name__}", (SuggestingParser, cls), {})


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
        "--jsonl",
        dest="flow_jsonl",
        action="store_true",
        default=default(False),
        help="print JSON Lines: one object a line, lists streamed as pages arrive",
    )
    group.add_argument(
        "--debug",
        dest="flow_debug",
        action="store_true",
        default=default(False),
        help="log each request and response to standard error (secrets redacted)",
    )
    group.add_argument(
        "--quiet",
        dest="flow_quiet",
        action="store_true",
        default=default(False),
        help="show no progress on standard error",
    )
    group.add_argument(
        "--no-color",
        dest="flow_no_color",
        action="store_true",
        default=default(False),
        help="no colour, even on a terminal (also: NO_COLOR=1)",
    )


class _LazyParsers(dict[str, Any]):
    """name -> parser, where a lazy group's parser is made on first access: ``flow``
    has dozens of groups, and a command needs the parser of one."""

    def __init__(self) -> None:
        super().__init__()
        self.factories: dict[str, Callable[[], argparse.ArgumentParser]] = {}

    def __getitem__(self, name: str) -> Any:
        factory = self.factories.pop(name, None)
        if factory is not None:
            return factory()
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default  # noqa: SIM401 - builds the parser

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[name] for name in list(self)]

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(name, self[name]) for name in list(self)]


class LazySubcommands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands whose parsers are made and filled in only when they are chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._name_parser_map = _LazyParsers()
        self.choices = self._name_parser_map
        self.loaders: dict[str, Callable[[], None]] = {}

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """argparse's ``add_parser``, with the help line normalised and the global options."""
        if "help" in kwargs:
            kwargs["help"] = help_line(kwargs["help"])
        if "help" in kwargs and "description" not in kwargs:
            kwargs["description"] = kwargs["help"]
        parser: argparse.ArgumentParser = super().add_parser(name, **kwargs)
        add_global_options(parser, root=False)
        return parser

    def add_lazy_parser(
        self, name: str, loader: Callable[[argparse.ArgumentParser], None], **kwargs: Any
    ) -> None:
        """A subcommand whose parser is made, and whose arguments ``loader`` adds,
        when (and if) it is run."""
        help = help_line(kwargs.pop("help", None))
        if help is not None:
            self._choices_actions.append(self._ChoicesPseudoAction(name, (), help))
            kwargs.setdefault("description", help)
        parsers = self._name_parser_map
        assert isinstance(parsers, _LazyParsers)

        def make() -> argparse.ArgumentParser:
            dict.__delitem__(parsers, name)  # argparse refuses a name it already has
            parser = self.add_parser(name, **kwargs)
            self.loaders[name] = lambda: loader(parser)
            return parser

        dict.__setitem__(parsers, name, None)
        parsers.factories[name] = make

    def load(self, name: str) -> None:
        """Make the parser of ``name`` and run its loader, if that has not happened yet."""
        if name in self._name_parser_map:
            self._name_parser_map[name]
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
            name = str(values[0])
            self.load(name)
            chosen = self._name_parser_map.get(name)
            if chosen is not None:  # a deeper command overwrites it as it is parsed
                setattr(namespace, PARSER_DEST, chosen)
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
        action=LazySubcommands,
        title="commands",
        metavar="COMMAND",
        dest=argparse.SUPPRESS,
        parser_class=_suggesting(type(parser)),
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
