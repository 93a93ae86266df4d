"""The SDK's hints, reworded for someone at the command line.

The SDK speaks Python (``pass a larger timeout_s=...``, ``if_match=...``); the
``flow`` command rewrites a hint where it prints an error, so it names the
command's own flags (``--timeout``, ``--if-match VERSION``) and, for settings
that have no flag, the ``FLOW_*`` environment variables.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable

__all__ = ["cli_hint"]

# name=VALUE as the SDK writes it: timeout_s=..., format='csv', if_match=...
_KEYWORD = re.compile(
    r"(?<![\w.-])(?P<name>[a-z][a-z0-9]*(?:_[a-z0-9]+)*)="
    r"(?P<value>\.\.\.|'[^']*'|\"[^\"]*\"|[\w.-]+)"
)
# Python spellings with no flag of their own, and what to type instead.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"set (FLOW_\w+) or pass \w+=\.\.\. to FlowConfig"),
        r"set \1, or select one",
    ),
    (re.compile(r"\braise max_retries\b"), "set FLOW_MAX_RETRIES higher"),
    (re.compile(r"\bmax_retries=(\d+)"), r"FLOW_MAX_RETRIES=\1"),
    (re.compile(r"\bpass a number of seconds, e\.g\. timeout=(\d+)"), r"set FLOW_TIMEOUT=\1"),
)
# SDK keywords whose flag has another name than the keyword with dashes.
_ALIASES = {"timeout_s": ("--timeout", "--wait-timeout"), "limit": ("--limit",)}


def _flags(parser: argparse.ArgumentParser | None) -> dict[str, str | None]:
    """The options of the running command: flag -> metavar (None for a switch)."""
    if parser is None:
        return {}
    flags: dict[str, str | None] = {}
    for action in parser._actions:
        metavar = action.metavar if isinstance(action.metavar, str) else None
        takes_value = action.nargs != 0
        for option in action.option_strings:
            if option.startswith("--"):
                value = metavar or (action.dest.upper() if takes_value else None)
                flags[option] = value if takes_value else None
    return flags


def _flag_for(name: str, flags: dict[str, str | None]) -> str | None:
    candidates: Iterable[str] = (f"--{name.replace('_', '-')}", *_ALIASES.get(name, ()))
    if name.endswith("_s"):
        candidates = (*candidates, f"--{name[:-2].replace('_', '-')}")
    for flag in candidates:
        if flag in flags:
            return flag
    return None


def cli_hint(hint: str, parser: argparse.ArgumentParser | None = None) -> str:
    """``hint`` with the SDK's keyword arguments replaced by the command's flags."""
    flags = _flags(parser)

    def keyword(match: re.Match[str]) -> str:
        name, value = match.group("name"), match.group("value")
        flag = _flag_for(name, flags)
        if flag is None:
            return match.group(0)
        if value == "...":
            metavar = flags[flag]
            return f"{flag} {metavar}" if metavar and name not in _ALIASES else flag
        if value[:1] in "'\"":
            value = value[1:-1]
        return f"{flag} {value}"

    text = _KEYWORD.sub(keyword, hint)
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    for name in ("idempotency_key", "if_match"):  # named bare: "use a new idempotency_key"
        flag = _flag_for(name, flags)
        if flag is not None:
            text = re.sub(rf"(?<![\w-]){name}(?![\w=])", flag, text)
    return text
