"""Building the ``flow`` parser, running a command, and mapping the outcome to an exit code.

Exit codes: 0 ok, 1 error, 2 usage, 4 not authenticated, 130 interrupted.
This is the only place that configures logging (``--debug``), and only for
the duration of one command.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import platform
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from .._errors import CLIAuthenticationError, CLIClientError, CLIConnectionError
from .._plugins import PluginHost, load_plugins, per_plugin, resolve_factory
from .._redact import redact_text
from .._version import __version__
from ._context import CLISettings, CommandContext
from ._parser import (
    APP_DEST,
    HANDLER_DEST,
    PARSER_DEST,
    FlowArgumentParser,
    ParserExit,
    UsageError,
    add_global_options,
    help_line,
    show_help_handler,
    subcommands,
)
from ._registry import CommandGroup, CommandRegistry, load_group
from ._terminal import Style, wants_color

__all__ = [
    "EXIT_AUTH",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FlowApp",
    "build_parser",
    "main",
    "mount",
    "run",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 4
EXIT_INTERRUPTED = 130

logger = logging.getLogger("flow_sdk")

_CORE_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("login", "log in to a platform and store the credentials", "_auth_commands:register_login"),
    ("logout", "forget the stored credentials of a profile", "_auth_commands:register_logout"),
    ("auth", "show who you are and where each setting comes from", "_auth_commands:register_auth"),
    ("orgs", "list and select organisations", "_tenant_commands:register_orgs"),
    ("workspaces", "list and select workspaces", "_tenant_commands:register_workspaces"),
    ("profiles", "list and select profiles", "_tenant_commands:register_profiles"),
    ("plugins", "the installed plugins and what they provide", "_plugin_commands:register_plugins"),
    ("api", "send a raw request to the platform and print the JSON", "_api_command:register_api"),
    (
        "completion",
        "print a shell completion script (bash, zsh or fish)",
        "_completion:register_completion",
    ),
    (
        "local",
        "the embedded local platform (needs flow-sdk-local)",
        "_plugin_commands:register_local",
    ),
)


def _split(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


class FlowApp:
    """One configured ``flow``: its plugins, its command groups, and how it runs a command."""

    def __init__(self, settings: CLISettings | None = None) -> None:
        self.settings = settings or CLISettings()
        env = self.settings.env
        plugins = self.settings.plugins
        if plugins is None:
            plugins = _split(env.get("FLOW_PLUGINS"))
        disable = list(self.settings.disable_plugins or ())
        disable += _split(env.get("FLOW_DISABLE_PLUGINS")) or []
        self.plugins: Sequence[str | object] | None = plugins
        self.disable_plugins: Sequence[str] = disable
        self._host: PluginHost | None = None
        self._registry: CommandRegistry | None = None

    # plugins and commands

    @property
    def host(self) -> PluginHost:
        """The plugins in use (the same allow and deny lists as the clients it builds)."""
        if self._host is None:
            from ..cli_client import _reserved_names

            with _warnings_to(self._warn):
                self._host = load_plugins(
                    self.plugins,
                    self.disable_plugins,
                    reserved=_reserved_names(),
                    environ=self.settings.env,
                )
        return self._host

    @property
    def registry(self) -> CommandRegistry:
        """Every command group: the core's, the component types', the plugins'."""
        if self._registry is None:
            host = self.host
            with _warnings_to(self._warn):
                self._registry = self._collect_commands(host)
        return self._registry

    def _collect_commands(self, host: PluginHost) -> CommandRegistry:
        registry = CommandRegistry()
        for name, help_text, target in _CORE_GROUPS:
            registry.add_core_group(name, help_text, f"{__package__}.{target}")
        owners = {t: info for info in host.infos for t in info.component_types}
        for ctype, spec in sorted(host.component_types.items()):
            info = owners.get(ctype)
            if spec.attribute not in host.namespaces:
                continue  # the namespace collided or was refused; the plugin is reported
            with registry.plugin_context(
                info.name if info else ctype, info.distribution if info else None
            ):
                registry.add_group(
                    spec.command,
                    help_line(spec.summary) or f"{ctype} components",
                    functools.partial(_component_group, spec.attribute),
                )
        by_name = {info.name: info for info in host.infos}
        for name, call in per_plugin(host.pm, "flow_sdk_cli_commands"):
            info = by_name.get(name)
            dist = info.distribution if info else None
            with registry.plugin_context(name, dist):
                try:
                    call(commands=registry)
                except Exception as exc:
                    registry._refuse(
                        f"plugin {dist or name}: flow_sdk_cli_commands failed: "
                        f"{exc!r}; its commands are left out",
                        hint=f"reinstall or upgrade {dist or name}",
                    )
        registry.finish()
        return registry

    # parsers

    def configure(self, parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        """Make ``parser`` the root of the ``flow`` tree: global options and every group."""
        add_global_options(parser, root=True)
        parser.add_argument("--version", action="version", version=version_text())
        parser.set_defaults(**{APP_DEST: self, HANDLER_DEST: show_help_handler(parser)})
        commands = subcommands(parser)
        groups = self.registry.groups.values()
        core = [g for g in groups if g.core]
        for group in core + sorted((g for g in groups if not g.core), key=lambda g: g.name):
            commands.add_lazy_parser(
                group.name,
                functools.partial(self._load_group, group),
                help=help_line(group.help),
            )
        help_parser = commands.add_parser("help", help="show the help of a command")
        help_parser.add_argument("topic", nargs="*", metavar="COMMAND")
        help_parser.set_defaults(**{HANDLER_DEST: functools.partial(_show_help, parser)})
        return parser

    def _load_group(self, group: CommandGroup, parser: argparse.ArgumentParser) -> None:
        parser.set_defaults(**{HANDLER_DEST: show_help_handler(parser)})
        load_group(group, parser, resolve=resolve_factory, warn=self._warn)

    def _warn(self, message: str) -> None:
        stderr = self.settings.stderr
        if stderr is None:
            import sys

            stderr = sys.stderr
        paint = Style(wants_color(stderr, self.settings.env))
        stderr.write(f"{paint('warning:', 'yellow', 'bold')} {message}\n")

    # running

    def run(self, args: argparse.Namespace) -> int:
        """Run the command that ``args`` selects; returns its exit code."""
        handler = getattr(args, HANDLER_DEST, None)
        ctx = CommandContext(
            args,
            self.settings,
            plugins=self.plugins,
            disable_plugins=self.disable_plugins,
            app=self,
        )
        chosen = getattr(args, PARSER_DEST, None)
        parser = chosen if isinstance(chosen, argparse.ArgumentParser) else None
        paint = ctx.output.err_style
        try:
            with _debug_logging(ctx.output.stderr, enabled=ctx.debug):
                if handler is None:
                    raise CLIClientError(
                        "no command given", hint=f"run `{self.settings.prog} --help`"
                    )
                code = handler(args, ctx)
                return EXIT_OK if code is None else int(code)
        except KeyboardInterrupt:
            ctx.progress.done()
            ctx.output.stderr.write("interrupted\n")
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # `flow … | head`: the reader has what it wanted
            _quiet_stdout(ctx.output.stdout)
            return EXIT_OK
        except ParserExit as exc:  # `flow help …` prints a parser's help
            if exc.message:
                ctx.output.stderr.write(exc.message)
            return exc.status
        except CLIClientError as exc:
            ctx.progress.done()
            if isinstance(exc, UsageError):
                exc.parser = exc.parser or parser
                exc.hint = exc.hint or _usage_hint(exc)
                if exc.parser is not None:
                    ctx.output.stderr.write(exc.parser.format_usage())
            report_error(
                exc, ctx.output.stderr, prog=self.settings.prog, style=paint, parser=parser
            )
            return exit_code_for(exc)
        except Exception as exc:
            ctx.progress.done()
            if ctx.debug:
                ctx.output.stderr.write(redact_text(traceback.format_exc()))
            ctx.output.stderr.write(
                f"{paint(self.settings.prog + ': internal error:', 'red', 'bold')} "
                f"{redact_text(repr(exc))}\n"
                f"{paint('hint:', 'cyan')} run again with --debug to see where, and report it "
                "with that output\n"
            )
            return EXIT_ERROR
        finally:
            try:
                ctx.close()
            except BrokenPipeError:
                _quiet_stdout(ctx.output.stdout)


def version_text() -> str:
    """What ``flow --version`` prints."""
    return f"flow {__version__} (flow-sdk-core {__version__}, Python {platform.python_version()})"


def exit_code_for(exc: BaseException) -> int:
    """2 for a wrong command line, 4 for missing or refused credentials, 1 for any
    other error (a platform that cannot be reached is 1 even while logging in)."""
    if isinstance(exc, UsageError):
        return EXIT_USAGE
    if isinstance(exc, CLIConnectionError):
        return EXIT_ERROR
    return EXIT_AUTH if isinstance(exc, CLIAuthenticationError) else EXIT_ERROR


def report_error(
    exc: CLIClientError,
    stream: TextIO,
    *,
    prog: str = "flow",
    style: Style | None = None,
    parser: argparse.ArgumentParser | None = None,
) -> None:
    """The error as one line, and the hint on the next (naming the command's flags
    where the SDK's hint names a keyword argument)."""
    from ._hints import cli_hint  # only when there is an error to report

    paint = style or Style(False)
    line = exc.message
    if exc.request_id:
        line += f" [request id {exc.request_id}]"
    stream.write(f"{paint(prog + ': error:', 'red', 'bold')} {line}\n")
    if exc.hint:
        stream.write(f"{paint('hint:', 'cyan')} {cli_hint(exc.hint, parser)}\n")


def _quiet_stdout(stream: TextIO) -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final
    flush does not fail again (Python's documented recipe)."""
    import os
    import sys

    if stream is sys.stdout:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass


class _WarningRelay(logging.Handler):
    """Shows the SDK's warnings (a plugin that failed to load…) as one ``warning:`` line."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self._warn = warn

    def emit(self, record: logging.LogRecord) -> None:
        first_line = redact_text(record.getMessage()).splitlines()[0:1]
        if first_line:
            self._warn(f"{first_line[0]} (`flow plugins` shows every plugin's status)")


@contextlib.contextmanager
def _warnings_to(warn: Callable[[str], None]) -> Iterator[None]:
    handler = _WarningRelay(warn)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


@contextlib.contextmanager
def _debug_logging(stream: TextIO, *, enabled: bool) -> Iterator[None]:
    """With --debug, the ``flow_sdk`` logger's records on stderr for this command only."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_RedactingFormatter("debug: %(message)s"))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _component_group(attribute: str, parser: argparse.ArgumentParser) -> None:
    from ._resources import add_resource_commands

    add_resource_commands(
        parser,
        namespace=attribute,
        columns=("id", "name", "version", "updated_at"),
        versions=True,
        list_filters=("name",),
    )


def _stdout_to(stream: TextIO | None) -> contextlib.AbstractContextManager[Any]:
    """While argparse may print (help, version): into ``stream`` when one was chosen."""
    return contextlib.redirect_stdout(stream) if stream is not None else contextlib.nullcontext()


def _show_help(root: argparse.ArgumentParser, args: argparse.Namespace, ctx: Any) -> int:
    topic = list(args.topic)
    try:
        with _stdout_to(ctx.output.stdout):
            root.parse_args([*topic, "--help"])  # raises ParserExit, handled by run()
    except SystemExit as exc:  # a mounting host's parser exits after printing help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    return EXIT_OK


def build_parser(settings: CLISettings | None = None) -> argparse.ArgumentParser:
    """The ``flow`` parser, for ``run(parser.parse_args(argv))``; it raises, never exits."""
    settings = settings or CLISettings()
    parser = FlowArgumentParser(
        prog=settings.prog,
        description="The Flow platform from the command line.",
        epilog="Run `flow COMMAND --help` for a command's options. Without --json, output is "
        "a table on a terminal and JSON otherwise (FLOW_OUTPUT=table|json to choose).",
    )
    return FlowApp(settings).configure(parser)


def mount(
    subparsers: Any,
    name: str = "flow",
    *,
    settings: CLISettings | None = None,
    help: str = "the Flow platform commands",
    **parser_kwargs: Any,
) -> argparse.ArgumentParser:
    """Add the whole ``flow`` tree as the subcommand ``name`` of a host program.

    ``subparsers`` is what the host's ``parser.add_subparsers()`` returned;
    ``settings`` fixes the profile, config directory and plugin set. After
    ``args = host_parser.parse_args()``, call ``run(args)`` when
    ``is_flow_command(args)``; it returns the exit code.
    """
    import dataclasses

    parser = subparsers.add_parser(name, help=help, description=help, **parser_kwargs)
    chosen = settings or CLISettings()
    if chosen.prog == "flow":
        chosen = dataclasses.replace(chosen, prog=parser.prog)
    return FlowApp(chosen).configure(parser)


def is_flow_command(args: argparse.Namespace) -> bool:
    """True when ``args`` came from a parser that ``mount`` or ``build_parser`` made."""
    return isinstance(getattr(args, APP_DEST, None), FlowApp)


def run(args: argparse.Namespace) -> int:
    """Run the ``flow`` command that ``args`` (from a mounted or built parser) selects."""
    app = getattr(args, APP_DEST, None)
    if not isinstance(app, FlowApp):
        raise ValueError(
            "these arguments were not parsed by a parser from flow_sdk.cli.mount() or "
            "build_parser(); check is_flow_command(args) first"
        )
    return app.run(args)


def _usage_hint(error: UsageError) -> str:
    """Name the distribution to install for a first-party command that is missing."""
    from .._catalog import distribution_for_command

    prog = error.parser.prog if error.parser is not None else "flow"
    dist = distribution_for_command(error.unknown) if error.unknown else None
    if error.unknown and dist and " " not in prog:
        return f"`{prog} {error.unknown}` comes with {dist}: pip install {dist}"
    if error.unknown:
        return f"run `{prog} --help` to see the commands"
    return error.hint or f"run `{prog} --help` to see the options"


def main(argv: Sequence[str] | None = None, *, settings: CLISettings | None = None) -> int:
    """Run ``flow`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    import sys

    settings = settings or CLISettings()
    stderr = settings.stderr or sys.stderr
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments == ["--version"]:  # the answer needs no plugin: do not load them
        (settings.stdout or sys.stdout).write(version_text() + "\n")
        return EXIT_OK
    if "--no-color" in arguments:  # also for what is said before the command runs
        import dataclasses

        settings = dataclasses.replace(settings, environ={**settings.env, "NO_COLOR": "1"})
    paint = Style(wants_color(stderr, settings.env))
    try:
        parser = build_parser(settings)
        # argparse prints --help and --version to sys.stdout: send them where the caller chose
        with _stdout_to(settings.stdout):
            args = parser.parse_args(arguments)
    except UsageError as exc:
        prog = settings.prog
        if exc.parser is not None:
            stderr.write(exc.parser.format_usage())
            prog = exc.parser.prog
        # argparse echoes what it did not understand, which may be a pasted secret
        stderr.write(f"{paint(prog + ': error:', 'red', 'bold')} {redact_text(exc.message)}\n")
        stderr.write(f"{paint('hint:', 'cyan')} {_usage_hint(exc)}\n")
        return EXIT_USAGE
    except ParserExit as exc:
        if exc.message:
            stderr.write(exc.message)
        return exc.status
    except CLIClientError as exc:
        report_error(exc, stderr, prog=settings.prog, style=paint)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `flow --help | head`
        _quiet_stdout(settings.stdout or sys.stdout)
        return EXIT_OK
    code: int = run(args)
    return code
