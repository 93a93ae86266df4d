"""``flow orgs``, ``flow workspaces`` and ``flow profiles``: where commands act, and as whom."""

from __future__ import annotations

import argparse
from typing import Any

from .._errors import CLIClientError, CLINotFoundError
from ._context import CommandContext
from ._parser import add_command

__all__ = ["register_orgs", "register_profiles", "register_workspaces"]


def _mark(rows: list[dict[str, Any]], current: str | None) -> list[dict[str, Any]]:
    return [{"current": "*" if row.get("id") == current else "", **row} for row in rows]


def _warn_if_overridden(ctx: CommandContext, field: str) -> None:
    variable = f"FLOW_{field.upper()}"
    if ctx.environ.get(variable):
        ctx.output.warning(f"{variable} is set and overrides this choice until you unset it")


# orgs


def register_orgs(parser: argparse.ArgumentParser) -> None:
    """``flow orgs list|use``."""
    add_command(parser, "list", run_orgs_list, help="list the orgs you can access")
    use = add_command(parser, "use", run_orgs_use, help="select an org for this profile")
    use.add_argument("id", metavar="ORG_ID")


def run_orgs_list(args: argparse.Namespace, ctx: CommandContext) -> None:
    """The orgs the credentials reach, the selected one marked."""
    orgs = ctx.client().list_orgs()
    current = ctx.config.org_id
    if ctx.output.json:
        ctx.output.print_json(orgs)
    else:
        ctx.output.emit(_mark(orgs, current), columns=("current", "id", "name", "slug"))


def run_orgs_use(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Select an org (and its workspace when it has only one) for the profile."""
    client = ctx.client()
    if args.id not in {str(o.get("id")) for o in client.list_orgs()}:
        raise CLINotFoundError(
            f"no org {args.id!r} among the orgs you can access",
            hint="`flow orgs list` shows them",
        )
    workspaces = [str(w["id"]) for w in client.list_workspaces(args.id)]
    workspace = workspaces[0] if len(workspaces) == 1 else None
    ctx.store.save_profile(ctx.profile, org_id=args.id, workspace_id=workspace)
    ctx.output.success(
        f"Profile {ctx.profile!r} now uses org {args.id}"
        + (f" and workspace {workspace}" if workspace else "")
    )
    if workspace is None:
        ctx.output.message("Select a workspace: `flow workspaces list`, `flow workspaces use ID`")
    _warn_if_overridden(ctx, "org_id")
    if ctx.output.json:
        ctx.output.print_json(
            {"profile": ctx.profile, "org_id": args.id, "workspace_id": workspace}
        )


# workspaces


def register_workspaces(parser: argparse.ArgumentParser) -> None:
    """``flow workspaces list|use``."""
    ls = add_command(parser, "list", run_workspaces_list, help="list the workspaces of an org")
    ls.add_argument("--org", metavar="ORG_ID", help="this org instead of the selected one")
    use = add_command(
        parser, "use", run_workspaces_use, help="select a workspace (and its org) for this profile"
    )
    use.add_argument("id", metavar="WORKSPACE_ID")
    use.add_argument("--org", metavar="ORG_ID", help="the workspace's org (found if omitted)")


def _org_or_fail(args: argparse.Namespace, ctx: CommandContext) -> str:
    org = args.org or ctx.config.org_id
    if not org:
        raise CLIClientError(
            "no org is selected",
            hint="pass --org ORG_ID, or select one: `flow orgs list`, `flow orgs use ID`",
        )
    return str(org)


def run_workspaces_list(args: argparse.Namespace, ctx: CommandContext) -> None:
    """The workspaces of the selected org (or ``--org``), the selected one marked."""
    workspaces = ctx.client().list_workspaces(_org_or_fail(args, ctx))
    if ctx.output.json:
        ctx.output.print_json(workspaces)
    else:
        ctx.output.emit(
            _mark(workspaces, ctx.config.workspace_id),
            columns=("current", "id", "name", "slug", "org_id"),
        )


def run_workspaces_use(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Select a workspace, finding its org when ``--org`` is not given."""
    client = ctx.client()
    if args.org:
        orgs = [args.org]
    else:
        known = [str(o["id"]) for o in client.list_orgs()]
        current = ctx.config.org_id
        # the selected org first, then the others
        orgs = ([current] if current in known else []) + [o for o in known if o != current]
    for org in orgs:
        if args.id in {str(w.get("id")) for w in client.list_workspaces(str(org))}:
            ctx.store.save_profile(ctx.profile, org_id=org, workspace_id=args.id)
            ctx.output.success(f"Profile {ctx.profile!r} now uses workspace {args.id} (org {org})")
            _warn_if_overridden(ctx, "workspace_id")
            if org != ctx.config.org_id:
                _warn_if_overridden(ctx, "org_id")
            if ctx.output.json:
                ctx.output.print_json(
                    {"profile": ctx.profile, "org_id": org, "workspace_id": args.id}
                )
            return
    raise CLINotFoundError(
        f"no workspace {args.id!r} in "
        + (f"org {args.org}" if args.org else "the orgs you can access"),
        hint="`flow workspaces list` shows the workspaces of the selected org",
    )


# profiles


def register_profiles(parser: argparse.ArgumentParser) -> None:
    """``flow profiles list|use``."""
    add_command(parser, "list", run_profiles_list, help="list the profiles and what each holds")
    use = add_command(parser, "use", run_profiles_use, help="select the profile to use by default")
    use.add_argument("name", metavar="NAME")


def run_profiles_list(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Every profile: its platform, tenant and kind of credentials (never the secret)."""
    store = ctx.store
    current = store.current_profile()
    rows = []
    for name in store.profile_names():
        values = store.profile_values(name)
        rows.append(
            {
                "current": "*" if name == current else "",
                "name": name,
                "platform_url": values.get("platform_url"),
                "org_id": values.get("org_id"),
                "workspace_id": values.get("workspace_id"),
                "credentials": (
                    "api key"
                    if values.get("api_key")
                    else "token"
                    if values.get("access_token")
                    else "none"
                ),
            }
        )
    if ctx.output.json:
        ctx.output.print_json([{**row, "current": row["current"] == "*"} for row in rows])
        return
    ctx.output.emit(rows, empty="no profiles yet: `flow login` or `flow local init` makes one")


def run_profiles_use(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Select the profile later commands use by default."""
    ctx.store.use_profile(args.name)
    ctx.output.success(f"Using profile {args.name!r}")
    if ctx.output.json:
        ctx.output.print_json({"profile": args.name})
    if ctx.environ.get("FLOW_PROFILE"):
        ctx.output.warning("FLOW_PROFILE is set and overrides this choice until you unset it")
