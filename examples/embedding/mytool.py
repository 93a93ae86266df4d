"""mytool: a small argparse program with its own commands and the ``flow`` commands mounted.

    python mytool.py hello --name Ada         # mytool's own command
    python mytool.py flow local init          # the embedded local platform, profile "mytool"
    python mytool.py flow agents create --set name=triage
    python mytool.py flow agents list
    source <(python mytool.py completion bash)  # completes mytool's commands and flow's

mytool chooses what ``flow`` uses: its own profile (so it never disturbs the
user's ``default`` one) and exactly two plugins (flow-sdk-local and
flow-sdk-components); ``mytool flow --profile NAME …`` still overrides the
profile for one command. The ``flow`` tree costs nothing until
``mytool flow …`` runs: command groups load when they are chosen.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from flow_sdk.cli import CLISettings, host_completion_script, is_flow_command, mount, run

PROFILE = "mytool"
PLUGINS = ("local", "components")  # entry-point names (distribution names work too)


def build_parser(settings: CLISettings | None = None) -> argparse.ArgumentParser:
    """mytool's parser: ``hello``, and the whole ``flow`` tree under ``flow``."""
    parser = argparse.ArgumentParser(prog="mytool", description="A tool that embeds flow.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    hello = commands.add_parser("hello", help="say hello (mytool's own command)")
    hello.add_argument("--name", default="world")
    hello.set_defaults(handler=say_hello)

    completion = commands.add_parser(
        "completion", help="print a completion script for mytool (its commands and flow's)"
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    completion.set_defaults(handler=print_completion)

    mount(
        commands,
        "flow",
        settings=settings or CLISettings(profile=PROFILE, plugins=PLUGINS),
        help="the Flow platform, with mytool's profile and plugins",
    )
    return parser


def say_hello(args: argparse.Namespace) -> int:
    print(f"hello, {args.name}")  # mytool is the program: it prints; the SDK never does
    return 0


def print_completion(args: argparse.Namespace) -> int:
    print(host_completion_script(args.shell, build_parser()), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run mytool; returns the exit code (``flow``'s own codes for ``mytool flow …``)."""
    args = build_parser().parse_args(argv)
    if is_flow_command(args):
        return run(args)  # 0 ok, 1 error, 2 usage, 4 not logged in, 130 interrupted
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
