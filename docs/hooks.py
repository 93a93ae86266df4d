"""MkDocs hooks: the `flow` command reference, generated from the command tree at build time.

The page ``cli.md`` holds a marker; this hook replaces it with every command, its
help line, usage and options, read from the real parser (plugin groups included,
each loaded), so the reference cannot drift from the command.
"""

from __future__ import annotations

import argparse
import io
from typing import Any

MARKER = "<!-- flow-command-reference -->"


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    from flow_sdk.cli._parser import LazySubcommands

    for action in parser._actions:
        if isinstance(action, LazySubcommands | argparse._SubParsersAction):
            return action
    return None


def _helps(action: Any) -> dict[str, str]:
    return {choice.dest: choice.help or "" for choice in action._choices_actions}


def _walk(parser: argparse.ArgumentParser, path: list[str], out: io.StringIO) -> None:
    sub = _subcommands(parser)
    if sub is None:
        return
    helps = _helps(sub)
    for name in sorted(sub.choices):
        if name in helps or name in sub.loaders:
            if hasattr(sub, "load"):
                sub.load(name)
            child = sub.choices[name]
            if child is None or name not in helps:
                continue
            command = " ".join([*path, name])
            depth = min(len(path) + 1, 4)
            out.write(f"\n{'#' * (depth + 1)} `{command}`\n\n")
            if helps[name]:
                out.write(f"{helps[name]}\n\n")
            usage = child.format_usage().strip().removeprefix("usage: ")
            out.write(f"```text\n{usage}\n```\n\n")
            options = [
                action
                for action in child._actions
                if action.option_strings
                and action.help != argparse.SUPPRESS
                and "--help" not in action.option_strings
            ]
            positionals = [
                action
                for action in child._actions
                if not action.option_strings and not isinstance(action, argparse._SubParsersAction)
            ]
            rows = [
                (f"`{a.metavar or a.dest}`", a.help or "")
                for a in positionals
                if a.help != argparse.SUPPRESS
            ] + [(f"`{', '.join(a.option_strings)}`", a.help or "") for a in options]
            if rows:
                out.write("| argument | meaning |\n|---|---|\n")
                for left, right in rows:
                    out.write(f"| {left} | {right.replace('|', '/')} |\n")
            _walk(child, [*path, name], out)


def reference() -> str:
    """The markdown for every `flow` command."""
    from flow_sdk.cli import build_parser

    out = io.StringIO()
    _walk(build_parser(), ["flow"], out)
    return out.getvalue()


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, reference())
    return markdown
