"""``flow local init|serve|reset|approve``: the embedded platform from the command line.

Imported only when ``flow local …`` runs. The platform is the SQLite file of
``local://NAME`` (``--name``, default ``default``) in the data directory, so
``flow local approve`` works while another process runs ``flow local serve``
on the same file. With ``--platform-url http://127.0.0.1:PORT`` (a platform
that ``flow local serve`` serves), ``init``, ``reset`` and ``approve`` go
through its control plane instead, with the local admin secret of the data
directory (the file ``admin-secret``, mode 0600).
"""

from __future__ import annotations

import argparse
import errno
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from flow_sdk import CLIClientError
from flow_sdk.cli import add_command

__all__ = ["register"]

DEFAULT_PROFILE = "local"
DEFAULT_PORT = 8765
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _add_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--name",
        default="default",
        help="which local platform: local://NAME, a file NAME.sqlite3 (default: default)",
    )


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected 0 to 65535, got {value}")
    return value


def register(parser: argparse.ArgumentParser) -> None:
    """Add the ``flow local`` commands (init, serve, console, reset, approve) to ``parser``."""
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
    serve.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT}; 0 picks any free one)",
    )
    serve.add_argument(
        "--console",
        action="store_true",
        help="once serving, print (and open) a one-time link into its web console",
    )
    serve.add_argument("--no-open", action="store_true", help="with --console: only print the link")
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=None,
        metavar="N",
        help="the largest request body accepted (default 16 MiB; 64 KiB before authentication)",
    )
    reset = add_command(
        parser, "reset", run_reset, help="wipe the local platform's data and seed it again"
    )
    _add_name(reset)
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    console = add_command(
        parser,
        "console",
        run_console,
        help="print (and open) one-time link into the web console of `flow local serve`",
    )
    console.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"the served port (default {DEFAULT_PORT})"
    )
    console.add_argument("--no-open", action="store_true", help="only print the link")
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


def _served(args: argparse.Namespace) -> str | None:
    """The URL given with --platform-url when it is a served local platform (loopback http)."""
    given = getattr(args, "flow_platform_url", None)
    if not given:
        return None
    parts = urlsplit(str(given))
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS and parts.port:
        return str(given).rstrip("/")
    return None


def _control(ctx: Any, url: str, method: str, path: str) -> Any:
    """A control-plane call on a served platform, with the data directory's admin secret."""
    import httpx

    from ._app import ADMIN_HEADER
    from ._platform import data_dir, read_admin_secret

    secret = read_admin_secret(data_dir(ctx.environ), create=False)
    try:
        response = httpx.request(
            method, f"{url}{path}", headers={ADMIN_HEADER: secret}, timeout=30, trust_env=False
        )
    except httpx.TransportError as exc:
        raise CLIClientError(
            f"cannot reach the local platform at {url}: {exc}",
            hint="is `flow local serve` running there?",
        ) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 400:
        detail = answer.get("detail") if isinstance(answer, dict) else response.text
        hint = (
            "the secret must be the admin-secret file of the data directory the server uses "
            "(same FLOW_DATA_DIR)"
            if response.status_code == 403
            else "run `flow login` again to get a new code"
        )
        raise CLIClientError(f"{url} answered {response.status_code}: {detail}", hint=hint)
    return answer


def _key_works_at(url: str, key: str | None) -> bool:
    import httpx

    if not key:
        return False
    try:
        reply = httpx.post(
            f"{url}/api/v1/auth/token", json={"api_key": key}, timeout=30, trust_env=False
        )
    except httpx.TransportError:
        return False
    return reply.status_code == 200


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
    # --profile, else the profile a host program chose when it mounted `flow`, else "local"
    profile = getattr(args, "flow_profile", None) or ctx.settings.profile or DEFAULT_PROFILE
    existing = ctx.store.profile_values(profile) if profile in ctx.store.profile_names() else {}
    served = _served(args)
    if served is not None:
        _init_served(ctx, served, profile, existing)
        return
    platform = _platform(args)
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


def _init_served(ctx: Any, url: str, profile: str, existing: dict[str, Any]) -> None:
    reused = existing.get("platform_url") == url and _key_works_at(url, existing.get("api_key"))
    info = _control(ctx, url, "GET", "/_local/dev")
    if reused:
        key = existing["api_key"]
    else:
        key = _control(ctx, url, "POST", "/_local/dev-key")["api_key"]
    ctx.store.save_profile(
        profile,
        platform_url=url,
        api_key=key,
        org_id=info["org_id"],
        workspace_id=info["workspace_id"],
    )
    ctx.store.use_profile(profile)
    ctx.forget_config()
    ctx.output.message(
        f"{'reusing' if reused else 'created'} an API key for the local platform served at "
        f"{url}; profile {profile!r} selected"
    )
    ctx.output.emit(
        {
            "profile": profile,
            "platform_url": url,
            "org_id": info["org_id"],
            "workspace_id": info["workspace_id"],
            "user_id": info["user_id"],
            "api_key": "stored in the credentials file (0600)",
        }
    )


def run_serve(args: argparse.Namespace, ctx: Any) -> None:
    """Serve the platform on 127.0.0.1:PORT until interrupted."""
    from ._asgi import serve
    from ._platform import ADMIN_SECRET_FILE, data_dir

    port = _free(args.port)  # a busy port is one clear line before anything is set up
    platform = _platform(args)
    directory = platform.path.parent if platform.path is not None else data_dir(ctx.environ)
    ctx.output.message(
        f"serving {platform.url} ({platform.store.where}) on http://127.0.0.1:{port}; "
        f"use --platform-url http://127.0.0.1:{port} (Ctrl-C stops); its control plane "
        f"(/_local) needs the secret in {directory / ADMIN_SECRET_FILE} "
        f"in the X-Flow-Local-Admin header"
    )
    if args.console:
        base = f"http://127.0.0.1:{port}"
        _when_serving(port, lambda: _console_link(ctx, base, no_open=args.no_open))
    try:
        serve(port, url=platform.url, max_body_bytes=args.max_body_bytes)
    except OSError as exc:  # taken between the check and the start
        if exc.errno in _IN_USE:
            raise _port_in_use(port) from None
        raise


_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}


def _port_in_use(port: int) -> CLIClientError:
    return CLIClientError(
        f"port {port} on 127.0.0.1 is already in use (another `flow local serve`, "
        f"or another program)",
        hint="pass --port 0 to serve on any free port (the URL is printed), or --port N "
        "for another one",
    )


def _free(port: int) -> int:
    """``port`` if it can be served on (0: a free port, chosen now); else a CLIClientError.

    The socket is bound as ``serve`` binds it, then closed for ``serve`` to bind again.
    """
    from ._asgi import _bound

    try:
        probe = _bound("127.0.0.1", port)
    except OSError as exc:
        if exc.errno in _IN_USE:
            raise _port_in_use(port) from None
        if exc.errno == errno.EACCES:
            raise CLIClientError(
                f"port {port} on 127.0.0.1 needs privileges this user does not have",
                hint="pass --port 0 to serve on any free port, or a port above 1023",
            ) from None
        raise CLIClientError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}",
            hint="pass --port 0 to serve on any free port",
        ) from None
    with probe:
        chosen: int = probe.getsockname()[1]
    return chosen


def run_reset(args: argparse.Namespace, ctx: Any) -> int | None:
    """Wipe the platform's data, seed it again, and give the `local` profile the new key."""
    served = _served(args)
    platform: Any = None
    if served is None:
        platform = _platform(args)
        url: str = platform.url
    else:
        url = served
    if not args.yes and not ctx.confirm(f"wipe every resource in {url}?"):
        raise CLIClientError(f"not resetting {url}", hint="pass --yes to reset without a question")
    info = platform.reset() if platform is not None else _control(ctx, url, "POST", "/_local/reset")
    updated = []
    for name in ctx.store.profile_names():
        if ctx.store.profile_values(name).get("platform_url") == url:
            ctx.store.save_profile(name, api_key=info["api_key"])
            updated.append(name)
    ctx.forget_config()
    stored_in = ", ".join(updated) or "none"
    ctx.output.message(f"reset {url}; new dev API key stored in profile(s): {stored_in}")
    ctx.output.emit({k: v for k, v in info.items() if k != "api_key"})
    return None


def run_console(args: argparse.Namespace, ctx: Any) -> None:
    """Print a one-time console link for the served platform; open it where a display is."""
    import httpx

    base = _served(args) or f"http://127.0.0.1:{args.port}"
    try:
        httpx.get(f"{base}/_local/health", timeout=5, trust_env=False)
    except httpx.TransportError:
        raise CLIClientError(
            f"no local platform is served at {base}",
            hint=f"start one with `flow local serve --port {args.port} --console` (it opens "
            "the console once it is up), or pass --port N of the one you serve",
        ) from None
    _console_link(ctx, base, no_open=args.no_open)


def _console_link(ctx: Any, base: str, *, no_open: bool) -> None:
    """Print a one-time link into the console served at ``base``; open it where a display
    is (unless ``no_open``)."""
    from ._console import LINK_SECONDS, login_link
    from ._platform import data_dir, read_admin_secret

    link = login_link(base, read_admin_secret(data_dir(ctx.environ)))
    ctx.output.message(
        f"open this link within {LINK_SECONDS / 60:g} minutes; it works once and keeps this "
        f"browser signed in to the console of `flow local serve`:\n{link}"
    )
    environ = ctx.environ
    display = sys.platform in ("darwin", "win32") or bool(
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    )
    if display and not no_open:
        import webbrowser

        webbrowser.open(link)


def _when_serving(port: int, then: Callable[[], None], timeout: float = 60.0) -> None:
    """Call ``then`` in a background thread once 127.0.0.1:``port`` accepts connections."""
    import socket
    import threading

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            return
        then()

    threading.Thread(target=wait, name="flow-local-console-link", daemon=True).start()


def run_approve(args: argparse.Namespace, ctx: Any) -> None:
    """Approve (or deny) a CLI login request by its user code or id."""
    from ._auth_routes import approve_login
    from ._http import HTTPError
    from ._platform import DEV_USER_ID

    served = _served(args)
    if served is not None:
        verb = "deny" if args.deny else "approve"
        path = f"/_local/cli-login-requests/{quote(args.code, safe='')}/{verb}"
        result = _control(ctx, served, "POST", path)
        ctx.output.message(f"{'denied' if args.deny else 'approved'} login {result['user_code']}")
        ctx.output.emit(
            {"id": result["id"], "user_code": result["user_code"], "status": result["status"]}
        )
        return
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
