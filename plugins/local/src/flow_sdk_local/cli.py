"""``flow local init|serve|reset|approve``: the embedded platform from the command line.

Imported only when ``flow local …`` runs. The platform is the SQLite file of
``local://NAME`` (``--name``, default ``default``) in the data directory, so
``flow local approve`` works while another process runs ``flow local serve``
on the same file.
"""

from __future__ import annotations

import argparse
from typing import Any

from flow_sdk import CLIClientError
from flow_sdk.cli import add_command

__all__ = ["register"]

DEFAULT_PROFILE = "local"
DEFAULT_PORT = 8765


def _add_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--name",
        default="default",
        help="which local platform: local://NAME, a file NAME.sqlite3 (default: default)",
    )


def register(parser: argparse.ArgumentParser) -> None:
    init = add_command(
        parser,
        "init",
        run_init,
        help="create (or reuse) the local platform and select a `local` profile for it",
    )
    _add_name(init)
    serve = add_command(
        parser, "serve", run_serve, help="serve the local platform on 127.0.0.1 (for other tools)"
    )
    _add_name(serve)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port (default 8765)")
    reset = add_command(
        parser, "reset", run_reset, help="wipe the local platform's data and seed it again"
    )
    _add_name(reset)
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    approve = add_command(
        parser,
        "approve",
        run_approve,
        help="approve a pending `flow login` request as the local developer (no browser)",
    )
    approve.add_argument("code", metavar="CODE", help="the user code (ABCD-EFGH) or request id")
    approve.add_argument("--deny", action="store_true", help="deny it instead")
    _add_name(approve)


def _url(args: argparse.Namespace) -> str:
    given = getattr(args, "flow_platform_url", None)
    if given and given.startswith("local://"):
        return str(given).rstrip("/")
    return f"local://{args.name}"


def _platform(args: argparse.Namespace) -> Any:
    """The platform of the arguments; a bad name or an unusable file is a CLIClientError."""
    from ._platform import platform_for

    return platform_for(_url(args))


def _key_still_works(platform: Any, key: str | None) -> bool:
    from ._auth import check_api_key

    if not key:
        return False
    with platform.store.transaction(write=False) as tx:
        return check_api_key(tx, key) is not None


def run_init(args: argparse.Namespace, ctx: Any) -> None:
    """Create or reuse the platform, store a profile with its API key, select it."""
    platform = _platform(args)
    # --profile, else the profile a host program chose when it mounted `flow`, else "local"
    profile = getattr(args, "flow_profile", None) or ctx.settings.profile or DEFAULT_PROFILE
    existing = ctx.store.profile_values(profile) if profile in ctx.store.profile_names() else {}
    reused = existing.get("platform_url") == platform.url and _key_still_works(
        platform, existing.get("api_key")
    )
    key = existing["api_key"] if reused else platform.mint_dev_key()
    info = platform.dev_info()
    ctx.store.save_profile(
        profile,
        platform_url=platform.url,
        api_key=key,
        org_id=info["org_id"],
        workspace_id=info["workspace_id"],
    )
    ctx.store.use_profile(profile)
    ctx.forget_config()
    ctx.output.message(
        f"{'reusing' if reused else 'created'} an API key for the local platform {platform.url} "
        f"({platform.store.where}); profile {profile!r} selected"
    )
    ctx.output.emit(
        {
            "profile": profile,
            "platform_url": platform.url,
            "database": platform.store.where,
            "org_id": info["org_id"],
            "workspace_id": info["workspace_id"],
            "user_id": info["user_id"],
            "api_key": "stored in the credentials file (0600)",
        }
    )


def run_serve(args: argparse.Namespace, ctx: Any) -> None:
    """Serve the platform on 127.0.0.1:PORT until interrupted."""
    from ._asgi import serve

    platform = _platform(args)
    ctx.output.message(
        f"serving {platform.url} ({platform.store.where}) on http://127.0.0.1:{args.port}; "
        f"use --platform-url http://127.0.0.1:{args.port} (Ctrl-C stops)"
    )
    serve(args.port, url=platform.url)


def run_reset(args: argparse.Namespace, ctx: Any) -> int | None:
    """Wipe the platform's data, seed it again, and give the `local` profile the new key."""
    platform = _platform(args)
    if not args.yes and not ctx.confirm(f"wipe every resource in {platform.url}?"):
        raise CLIClientError(
            f"not resetting {platform.url}", hint="pass --yes to reset without a question"
        )
    info = platform.reset()
    updated = []
    for name in ctx.store.profile_names():
        if ctx.store.profile_values(name).get("platform_url") == platform.url:
            ctx.store.save_profile(name, api_key=info["api_key"])
            updated.append(name)
    ctx.forget_config()
    stored_in = ", ".join(updated) or "none"
    ctx.output.message(f"reset {platform.url}; new dev API key stored in profile(s): {stored_in}")
    ctx.output.emit({k: v for k, v in info.items() if k != "api_key"})
    return None


def run_approve(args: argparse.Namespace, ctx: Any) -> None:
    """Approve (or deny) a CLI login request by its user code or id."""
    from ._auth_routes import approve_login
    from ._http import HTTPError
    from ._platform import DEV_USER_ID

    platform = _platform(args)
    try:
        with platform.store.transaction() as tx:
            result = approve_login(
                tx, args.code, DEV_USER_ID, platform.clock.now(), approve=not args.deny
            )
    except HTTPError as exc:
        raise CLIClientError(
            str(exc.detail), hint="run `flow login` again to get a new code"
        ) from None
    ctx.output.message(f"{'denied' if args.deny else 'approved'} login {result['user_code']}")
    ctx.output.emit(
        {"id": result["id"], "user_code": result["user_code"], "status": result["status"]}
    )
