"""Repository-wide pytest policy: in CI, a skipped test is a failure.

CI must never pass on tests that did not run (a missing PostgreSQL server, a
missing optional dependency): locally a skip says what is missing, in CI
(``CI`` set) it fails the run.
"""

from __future__ import annotations

import os

import pytest


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _in_ci():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        lines = "\n".join(f"  {report.nodeid}: {report.longrepr}" for report in skipped)
        print(f"\nCI forbids skipped tests; {len(skipped)} skipped:\n{lines}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


#: A test that runs longer than this is stuck: the run stops with every thread's
#: traceback instead of hanging until CI's own limit, with nothing to show.
TEST_TIME_LIMIT_S = 600


def _stop_stuck_run(config: pytest.Config, nodeid: str) -> None:
    import faulthandler
    import sys

    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=True)  # so the traceback reaches the terminal
    sys.stderr.write(f"\n{nodeid} ran over {TEST_TIME_LIMIT_S}s; every thread's stack:\n")
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    os._exit(1)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    import threading

    watchdog = threading.Timer(TEST_TIME_LIMIT_S, _stop_stuck_run, (item.config, item.nodeid))
    watchdog.daemon = True
    watchdog.start()
    try:
        yield
    finally:
        watchdog.cancel()
