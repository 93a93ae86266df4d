"""``flow plugins`` (what is installed and whether it works, and ``new`` to start one)
and the ``flow local`` placeholder."""

from __future__ import annotations

import argparse
from typing import Any

from .._errors import CLIClientError
from ._context import CommandContext
from ._parser import HANDLER_DEST, add_command

__all__ = ["plugin_rows", "register_local", "register_plugins", "run_new"]

LOCAL_DISTRIBUTION = "flow-sdk-local"
PLUGIN_COLUMNS = (
    "name",
    "distribution",
    "version",
    "status",
    "namespaces",
    "component_types",
    "commands",
    "reason",
)


def plugin_rows(app: Any) -> list[dict[str, Any]]:
    """One row per plugin found: what it provides, and its status with the reason."""
    registry = app.registry
    rows = []
    for info in app.host.infos:
        reason = info.error
        if info.status == "disabled":
            reason = _why_disabled(app, info.name, info.distribution)
        rows.append(
            {
                "name": info.name,
                "distribution": info.distribution,
                "version": info.version,
                "status": info.status,
                "namespaces": list(info.namespaces),
                "component_types": list(info.component_types),
                "commands": list(registry.commands_of(info.name)),
                "reason": reason,
            }
        )
    return rows


def _why_disabled(app: Any, name: str, distribution: str | None) -> str:
    """Which switch left a plugin out: the host program's lists or the environment's."""
    ids = {name, distribution}
    settings, env = app.settings, app.settings.env

    def listed(names: Any) -> bool:
        return bool(ids & {str(n) for n in names or ()})

    def env_list(variable: str) -> list[str] | None:
        raw = env.get(variable)
        return None if raw is None else [p.strip() for p in raw.split(",") if p.strip()]

    if listed(settings.disable_plugins):
        return f"disabled by {settings.prog}'s own list of plugins to leave out"
    if listed(env_list("FLOW_DISABLE_PLUGINS")):
        return "disabled by FLOW_DISABLE_PLUGINS"
    if settings.plugins is not None:
        return f"not among the plugins {settings.prog} chose to use"
    return "not in FLOW_PLUGINS (the plugins to use)"


def _problems(app: Any) -> list[str]:
    messages = [error.message for error in app.host.errors]
    messages += [error.message for error in app.registry.errors]
    return list(dict.fromkeys(messages))


def _table_value(value: Any) -> Any:
    return ", ".join(value) if isinstance(value, list) else value


def run_plugins(args: argparse.Namespace, ctx: CommandContext) -> None:
    """List the plugins found, what each provides and its status; then the problems."""
    app = ctx.app
    rows = plugin_rows(app)
    problems = _problems(app)
    if ctx.output.jsonl:  # one plugin a line; the problems are warnings
        ctx.output.print_json(rows)
        for problem in problems:
            ctx.output.warning(problem)
        return
    if ctx.output.json:
        ctx.output.print_json({"plugins": rows, "problems": problems})
        return
    if not rows:
        ctx.output.message(
            "no plugins are installed or enabled; pip install flow-sdk-local flow-sdk-components"
        )
    ctx.output.table([{k: _table_value(v) for k, v in row.items()} for row in rows], PLUGIN_COLUMNS)
    for problem in problems:
        ctx.output.warning(problem)


def run_new(args: argparse.Namespace, ctx: CommandContext) -> None:
    """``flow plugins new NAME [--directory DIR]``: write a plugin distribution to start from."""
    from ._scaffold import write_plugin

    names, target = write_plugin(args.name, args.directory)
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    ctx.output.emit(
        {
            "distribution": names.distribution,
            "package": names.package,
            "namespace": f"client.{names.attribute}",
            "command": f"flow {names.name}",
            "directory": str(target),
            "files": files,
        }
    )
    ctx.output.success(
        f"wrote {names.distribution} in {target}; try it: cd {target} && "
        "pip install -e '.[test]' && pytest"
    )


def register_plugins(parser: argparse.ArgumentParser) -> None:
    """``flow plugins`` and ``flow plugins list``: the same listing; ``flow plugins new``."""
    parser.set_defaults(**{HANDLER_DEST: run_plugins})
    add_command(parser, "list", run_plugins, help="list the plugins (the default)")
    new = add_command(
        parser,
        "new",
        run_new,
        help="write a new plugin distribution (namespace, commands, local routes, tests)",
    )
    new.add_argument(
        "name", metavar="NAME", help="lower-case words joined by dashes, e.g. bookmarks"
    )
    new.add_argument(
        "--directory",
        "-d",
        metavar="DIR",
        help="where to write it (default: ./flow-sdk-NAME); must be absent or empty",
    )


def run_local_missing(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Say which distribution provides ``flow local`` and why it is not there."""
    for info in ctx.app.host.infos if ctx.app is not None else ():
        if info.distribution == LOCAL_DISTRIBUTION and info.status != "loaded":
            reason = f"failed to load: {info.error}" if info.status == "failed" else "is disabled"
            raise CLIClientError(
                f"`flow local` comes from {LOCAL_DISTRIBUTION}, which is installed but {reason}",
                hint=f"reinstall it (pip install --force-reinstall {LOCAL_DISTRIBUTION})"
                if info.status == "failed"
                else "check FLOW_PLUGINS / FLOW_DISABLE_PLUGINS",
            )
    raise CLIClientError(
        "`flow local` comes from the plugin distribution flow-sdk-local, which is not "
        "installed or not enabled",
        hint="pip install flow-sdk-local (and check FLOW_PLUGINS / FLOW_DISABLE_PLUGINS)",
    )


def register_local(parser: argparse.ArgumentParser) -> None:
    """The placeholder that says which distribution provides ``flow local``."""
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(**{HANDLER_DEST: run_local_missing})
