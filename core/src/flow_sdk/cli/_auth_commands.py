"""``flow login``, ``flow logout`` and ``flow auth status``.

An API key is read from stdin (``--with-api-key``) or ``FLOW_API_KEY``, never
from a flag, so it stays out of shell history and process lists. It is
exchanged once to prove it works, then stored with the token in the
profile's 0600 credentials file. Without a key, ``flow login`` uses the
browser login request: it shows a code and a URL, opens the URL in a browser
when this machine has one (not with ``--no-browser``, nor without a display),
and polls at once. A ``local://`` platform has no page a browser could open,
so there it shows the ``flow local approve CODE`` command that approves the
request instead.
"""

from __future__ import annotations

import argparse
import getpass
import time
from datetime import datetime
from typing import Any

from .._config import FlowConfig
from .._errors import CLIAuthenticationError, CLIClientError
from .._urls import API_PREFIX, path_segment
from ._context import CommandContext, NotAuthenticatedError
from ._output import format_table
from ._parser import HANDLER_DEST, add_command

__all__ = ["register_auth", "register_login", "register_logout"]

LOGIN_REQUESTS = f"{API_PREFIX}/auth/cli-login-requests"
MAX_POLL_INTERVAL = 30.0
LOCAL_SCHEME = "local://"


# flow login


def register_login(parser: argparse.ArgumentParser) -> None:
    """``flow login``: an API key, or a browser login request."""
    parser.description = (
        "Log in and store the credentials in the profile (default: the selected one). "
        "With --with-api-key the key is read from standard input; with FLOW_API_KEY set it "
        "is taken from there; otherwise a browser login request is made."
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--with-api-key",
        action="store_true",
        help="read an org API key (fl_…) from standard input (never from a flag)",
    )
    how.add_argument(
        "--no-wait",
        action="store_true",
        help="create a browser login request, print it and exit; finish with --complete ID",
    )
    how.add_argument(
        "--complete",
        metavar="ID",
        help="finish the browser login request ID (made earlier with --no-wait)",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="do not open the login page in a browser (it is printed either way)",
    )
    parser.add_argument("--org", metavar="ORG_ID", help="select this org after logging in")
    parser.add_argument(
        "--workspace", metavar="WORKSPACE_ID", help="select this workspace after logging in"
    )
    parser.set_defaults(**{HANDLER_DEST: run_login})


def _read_api_key(ctx: CommandContext) -> str:
    stdin = ctx.stdin
    try:
        interactive = stdin.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if interactive:
        key = getpass.getpass("API key: ", stream=ctx.output.stderr)
    else:
        key = stdin.readline()
    key = key.strip()
    if not key:
        raise CLIClientError(
            "no API key on standard input",
            hint="pipe it in: flow login --with-api-key < key.txt (or set FLOW_API_KEY)",
        )
    return key


def run_login(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Log in with an API key, or make (or finish) a browser login request."""
    url = ctx.config.platform_url
    if args.with_api_key or (
        ctx.environ.get("FLOW_API_KEY") and not (args.no_wait or args.complete)
    ):
        key = _read_api_key(ctx) if args.with_api_key else ctx.environ["FLOW_API_KEY"]
        _login_with_api_key(args, ctx, url, key)
        return
    if args.complete:
        _finish_login_request(args, ctx, url, args.complete)
        return
    request = ctx.client_for(FlowConfig(platform_url=url))._call("POST", LOGIN_REQUESTS)
    if not isinstance(request, dict) or not request.get("id"):
        raise CLIClientError(f"{url} answered the login request with something unexpected")
    approve = _how_to_approve(url, request)
    if args.no_wait:
        shown = {k: request.get(k) for k in ("id", "user_code", "verification_url", "expires_at")}
        ctx.output.emit(shown)
        ctx.output.message(
            f"{approve[0].upper()}{approve[1:]}, then run: flow login --complete {request['id']}"
        )
        return
    ctx.output.message(f"To log in, {approve}")
    page = request.get("verification_url")
    browse = not (args.no_browser or url.startswith(LOCAL_SCHEME))
    browse = browse and isinstance(page, str) and page.startswith(("https://", "http://"))
    if browse and ctx.open_browser(str(page)):
        ctx.output.message("(opened in your browser)")
    _finish_login_request(args, ctx, url, str(request["id"]), first=request)


def _how_to_approve(url: str, request: dict[str, Any]) -> str:
    """The step that approves a login request: a browser page, or a command for local://."""
    code = request.get("user_code")
    if url.startswith(LOCAL_SCHEME):
        name = url[len(LOCAL_SCHEME) :].strip("/")
        where = "" if name == "default" else f" --name {name}"
        return (
            f"run `flow local approve {code}{where}` in another terminal "
            f"({url} has no login page a browser could open)"
        )
    return f"open {request.get('verification_url')} and enter the code {code}"


def _finish_login_request(
    args: argparse.Namespace,
    ctx: CommandContext,
    url: str,
    request_id: str,
    *,
    first: dict[str, Any] | None = None,
) -> None:
    """Poll the login request until it is approved, denied or expired."""
    client = ctx.client_for(FlowConfig(platform_url=url))
    path = f"{LOGIN_REQUESTS}/{path_segment(request_id, 'login request id')}"
    interval = _interval((first or {}).get("poll_interval"))
    deadline = _epoch((first or {}).get("expires_at"))
    while True:
        state = client._call("GET", path)
        status = state.get("status") if isinstance(state, dict) else None
        if status == "approved":
            token = state.get("access_token")
            if not token:
                raise CLIAuthenticationError(
                    f"login request {request_id} was approved, but its token was already "
                    "handed out",
                    hint="run `flow login` again to make a new request",
                )
            ctx.progress.done()
            _store_login(args, ctx, url, access_token=str(token), api_key=None)
            return
        if status in ("denied", "expired"):
            ctx.progress.done()
            raise CLIAuthenticationError(
                f"login request {request_id} was {status}",
                hint="run `flow login` again to make a new request",
            )
        if status != "pending":
            raise CLIClientError(f"login request {request_id} has an unknown status {status!r}")
        deadline = deadline or _epoch(state.get("expires_at"))
        if deadline is not None and time.time() > deadline:
            raise CLIAuthenticationError(
                f"login request {request_id} expired before it was approved",
                hint="run `flow login` again to make a new request",
            )
        ctx.progress(f"waiting for approval of login request {request_id} (Ctrl-C to stop)")
        ctx.sleep(interval)


def _interval(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 2.0
    return min(max(seconds, 0.5), MAX_POLL_INTERVAL)


def _epoch(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _login_with_api_key(args: argparse.Namespace, ctx: CommandContext, url: str, key: str) -> None:
    from .._auth import exchange_api_key_for_token
    from ..cli_client import _static_http

    host = ctx.app.host if ctx.app is not None else None
    with _static_http(url, host) as http:
        token, expiry = exchange_api_key_for_token(http, key)
    _store_login(args, ctx, url, access_token=token, api_key=key)
    ctx.keep_token(FlowConfig(platform_url=url, api_key=key), token, expiry)


def _store_login(
    args: argparse.Namespace,
    ctx: CommandContext,
    url: str,
    *,
    access_token: str,
    api_key: str | None,
) -> None:
    """Check the token with /auth/me, pick the tenant, and save the profile."""
    client = ctx.client_for(FlowConfig(platform_url=url, access_token=access_token))
    user = client.get_current_user()
    profile = ctx.profile
    previous = ctx.store.profile_values(profile)
    org_id = args.org or _pick_org(client, user, previous.get("org_id"))
    workspace_id = args.workspace
    if workspace_id is None and org_id is not None:
        workspace_id = _pick_workspace(client, org_id, previous)
    ctx.store.save_profile(
        profile,
        platform_url=url,
        org_id=org_id,
        workspace_id=workspace_id,
        api_key=api_key,
        access_token=access_token,
    )
    if ctx.store.current_profile() is None:
        ctx.store.use_profile(profile)
    ctx.forget_config()
    who = user.get("email") or user.get("name") or user.get("id")
    summary = {
        "profile": profile,
        "platform_url": url,
        "user": who,
        "org_id": org_id,
        "workspace_id": workspace_id,
    }
    if ctx.output.json:
        ctx.output.print_json(summary)
    else:
        ctx.output.success(f"Logged in to {url} as {who} (profile {profile!r})")
        if org_id is None:
            ctx.output.message("No org selected: run `flow orgs list`, then `flow orgs use ID`")
        elif workspace_id is None:
            ctx.output.message(
                "No workspace selected: run `flow workspaces list`, then `flow workspaces use ID`"
            )
    for field, variable in ctx.resolved.overridden.items():
        ctx.output.warning(f"{variable} is set and overrides the profile's {field}")


def _ids(items: Any) -> list[str]:
    return [str(i["id"]) for i in items or () if isinstance(i, dict) and "id" in i]


def _pick_org(client: Any, user: dict[str, Any], current: str | None) -> str | None:
    orgs = _ids(user.get("orgs")) or _ids(client.list_orgs())
    if current in orgs:
        return current
    return orgs[0] if len(orgs) == 1 else None


def _pick_workspace(client: Any, org_id: str, previous: dict[str, Any]) -> str | None:
    workspaces = _ids(client.list_workspaces(org_id))
    if previous.get("org_id") == org_id and previous.get("workspace_id") in workspaces:
        return str(previous["workspace_id"])
    return workspaces[0] if len(workspaces) == 1 else None


# flow logout


def register_logout(parser: argparse.ArgumentParser) -> None:
    """``flow logout``."""
    parser.description = "Forget the credentials stored in the profile; its settings stay."
    parser.set_defaults(**{HANDLER_DEST: run_logout})


def run_logout(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Forget the profile's secrets and the tokens kept for its key."""
    profile = ctx.profile
    key = ctx.store.profile_values(profile).get("api_key")
    removed = ctx.store.forget_secrets(profile)
    if key:
        ctx.store.forget_tokens(str(key))
    if ctx.output.json:
        ctx.output.print_json({"profile": profile, "logged_out": removed})
    elif removed:
        ctx.output.success(f"Logged out of profile {profile!r}")
    else:
        ctx.output.message(f"Profile {profile!r} had no stored credentials")
    for variable in ("FLOW_API_KEY", "FLOW_ACCESS_TOKEN"):
        if ctx.environ.get(variable):
            ctx.output.warning(f"{variable} is still set in the environment; unset it too")


# flow auth status


def register_auth(parser: argparse.ArgumentParser) -> None:
    """``flow auth status``."""
    status = add_command(
        parser,
        "status",
        run_status,
        help="platform, org, workspace, user, and where each setting comes from",
    )
    status.add_argument(
        "--offline", action="store_true", help="do not ask the platform who you are"
    )


def run_status(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Where each setting comes from, and who the platform says you are."""
    resolved = ctx.resolved
    config = resolved.config
    sources = resolved.sources

    def setting(field: str) -> dict[str, Any]:
        return {"value": getattr(config, field), "source": sources.get(field, "default")}

    if config.access_token and not config.api_key:
        credentials = {"value": "access token", "source": sources.get("access_token")}
    elif config.api_key:
        credentials = {"value": "API key", "source": sources.get("api_key")}
    else:
        credentials = {"value": None, "source": None}
    warnings = [
        f"{variable} overrides the {field} stored in profile {ctx.profile!r}"
        for field, variable in sorted(resolved.overridden.items())
    ]
    if resolved.withheld is not None:
        warnings.append(resolved.withheld)
    report: dict[str, Any] = {
        "profile": ctx.profile,
        "profile_source": ctx.profile_source,
        "config_dir": str(ctx.config_dir),
        "platform_url": setting("platform_url"),
        "org_id": setting("org_id"),
        "workspace_id": setting("workspace_id"),
        "credentials": credentials,
        "authenticated": False,
        "user": None,
        "warnings": warnings,
    }
    failure: CLIClientError | None = None
    if credentials["value"] is None:
        failure = NotAuthenticatedError(
            f"not logged in (profile {ctx.profile!r})",
            hint=_hint_for(config.platform_url),
        )
    elif not args.offline:
        try:
            user = ctx.client().get_current_user()
            report["user"] = {k: user.get(k) for k in ("id", "email", "name")}
            report["authenticated"] = True
        except CLIClientError as exc:
            failure = exc
    if ctx.output.json:
        ctx.output.print_json(report)
    else:
        _print_status(ctx, report)
    if failure is not None:
        raise failure
    return 0


def _hint_for(platform_url: str) -> str:
    if platform_url.startswith("local://"):
        return "run `flow local init` for the embedded local platform, or `flow login`"
    return "run `flow login` (or set FLOW_API_KEY)"


def _print_status(ctx: CommandContext, report: dict[str, Any]) -> None:
    rows = [{"setting": "profile", "value": report["profile"], "source": report["profile_source"]}]
    for field in ("platform_url", "org_id", "workspace_id", "credentials"):
        entry = report[field]
        rows.append({"setting": field, "value": entry["value"], "source": entry["source"]})
    user = report["user"]
    if user:
        who = user.get("email") or user.get("name") or user.get("id")
        rows.append({"setting": "user", "value": who, "source": "/api/v1/auth/me"})
    ctx.output.stdout.write(format_table(rows, ("setting", "value", "source")))
    for warning in report["warnings"]:
        ctx.output.warning(warning)
