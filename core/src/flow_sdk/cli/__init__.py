"""The ``flow`` command, and the API plugins use to add commands to it.

Running it::

    from flow_sdk.cli import main
    exit_code = main(["orgs", "list", "--json"])   # returns; never calls sys.exit

Mounting the whole tree into another argparse program (``mytool flow agents list``)::

    import argparse
    from flow_sdk.cli import CLISettings, is_flow_command, mount, run

    parser = argparse.ArgumentParser(prog="mytool")
    sub = parser.add_subparsers()
    mount(sub, "flow", settings=CLISettings(profile="ci", plugins=["components"]))
    args = parser.parse_args()
    if is_flow_command(args):
        raise SystemExit(run(args))

``CLISettings`` fixes what the host chooses (profile, config directory, the
plugin allow/deny lists, streams); ``build_parser(settings)`` gives a
stand-alone parser for ``run``. Command groups load lazily on whichever parser
runs them, so a mounted tree costs nothing until ``mytool flow …`` is used.
``mytool flow completion bash`` completes the mounted tree as ``mytool flow …``;
``host_completion_script(shell, parser)`` completes the host's own commands too.

Adding commands from a plugin (the hook ``flow_sdk_cli_commands``)::

    @hookimpl
    def flow_sdk_cli_commands(commands):
        commands.add_group("datasets", "tables of rows", "flow_sdk_datasets.cli:register")

    # flow_sdk_datasets/cli.py, imported only when `flow datasets …` runs
    from flow_sdk.cli import add_command, add_resource_commands

    def register(parser):
        add_resource_commands(parser, namespace="datasets", columns=("id", "name", "row_count"))
        rows = add_command(parser, "rows", show_rows, help="print a dataset's rows")
        rows.add_argument("id")

    def show_rows(args, ctx):
        ctx.output.emit(list(ctx.client().datasets.rows(args.id)))

The full guide is core/CLI-PLUGINS.md. Exit codes: 0 ok, 1 error, 2 usage,
4 not authenticated, 130 interrupted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._app import (
    EXIT_AUTH,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    FlowApp,
    build_parser,
    is_flow_command,
    main,
    mount,
    run,
)
from ._context import CLISettings, CommandContext, NotAuthenticatedError
from ._output import Output, Progress, ProgressBar, Waiting
from ._parser import Handler, UsageError, add_command
from ._registry import CORE_COMMANDS, CommandRegistry
from ._resources import (
    add_body_arguments,
    add_resource_commands,
    body_from_args,
    limited,
    positive_int,
)

if TYPE_CHECKING:
    from ._completion import host_completion_script

__all__ = [
    "CORE_COMMANDS",
    "EXIT_AUTH",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CLISettings",
    "CommandContext",
    "CommandRegistry",
    "FlowApp",
    "Handler",
    "NotAuthenticatedError",
    "Output",
    "Progress",
    "ProgressBar",
    "UsageError",
    "Waiting",
    "add_body_arguments",
    "add_command",
    "add_resource_commands",
    "body_from_args",
    "build_parser",
    "host_completion_script",
    "is_flow_command",
    "limited",
    "main",
    "mount",
    "positive_int",
    "run",
]


def __getattr__(name: str) -> Any:
    # Completion is imported when asked for: `flow` starts without it.
    if name == "host_completion_script":
        from ._completion import host_completion_script

        return host_completion_script
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
