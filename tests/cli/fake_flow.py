"""``flow`` as a real process against the fake platform (for terminal and pipe tests).

    python fake_flow.py [--widgets N] -- widgets list --all --jsonl

logs in to a fresh fake platform (in this process, in $FLOW_CONFIG_DIR), adds
N widgets, then runs ``flow`` with the given arguments on the process's own
stdin, stdout and stderr (a pseudo-terminal, a pipe…) and exits with its code.
It also has ``flow demo progress`` (a progress bar over ``--total`` units).
When $FAKE_FLOW_REPORT names a file, the requests the platform received are
written there at exit, one ``METHOD PATH`` a line.
"""

from __future__ import annotations

import atexit
import io
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from flow_cli_fakes import API_KEY, URL, FakePlatform, FakePlatformPlugin
from flow_sdk import hookimpl
from flow_sdk.cli import CLISettings, add_command, main


class DemoPlugin:
    """``flow demo progress --total N``: a bar over N units, one every 10 ms."""

    __name__ = "demo"

    @hookimpl
    def flow_sdk_cli_commands(self, commands: Any) -> None:
        commands.add_group("demo", "commands that show progress", register_demo)


def register_demo(parser: Any) -> None:
    bar = add_command(parser, "progress", run_progress, help="show a progress bar")
    bar.add_argument("--total", type=int, default=40)


def run_progress(args: Any, ctx: Any) -> None:
    with ctx.progress(total=args.total, unit="rows", description="working") as bar:
        for _ in range(args.total):
            time.sleep(0.01)
            bar.update()
    ctx.output.success(f"done: {args.total} rows")


def run(argv: list[str]) -> int:
    widgets = 0
    if argv[:1] == ["--widgets"]:
        widgets, argv = int(argv[1]), argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    platform = FakePlatform()
    plugins = [FakePlatformPlugin(platform), DemoPlugin()]
    quiet = CLISettings(
        plugins=plugins,
        stdin=io.StringIO(API_KEY),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert main(["login", "--with-api-key", "--platform-url", URL], settings=quiet) == 0
    items = platform.resources.setdefault(("org_dev", "ws_dev", "widgets"), {})
    for i in range(widgets):
        items[f"res_w{i:05d}"] = {
            "id": f"res_w{i:05d}",
            "name": f"widget-{i}",
            "version": 1,
            "updated_at": "2026-12-06T18:03:12.123456+00:00",
            "history": [],
        }
    platform.requests.clear()
    report = os.environ.get("FAKE_FLOW_REPORT")
    if report:

        def write_report() -> None:
            lines = [f"{r.method} {r.url.path}?{r.url.query.decode()}" for r in platform.requests]
            Path(report).write_text("".join(f"{line}\n" for line in lines))

        atexit.register(write_report)
    return main(argv, settings=CLISettings(plugins=plugins))


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
