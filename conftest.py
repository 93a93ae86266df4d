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
