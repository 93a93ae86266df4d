"""Session-wide test settings: no test reads or writes the user's real config or data.

FLOW_CONFIG_DIR and FLOW_DATA_DIR point at temporary directories for the
whole session (set before any test module is imported), and the FLOW_*
credential variables of the developer's shell are removed. Tests that write
config should still use the ``flow_config_dir`` fixture for a directory of their own.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_session_dir: str | None = None

_CLEARED = (
    "FLOW_API_KEY",
    "FLOW_ACCESS_TOKEN",
    "FLOW_PLATFORM_URL",
    "FLOW_ORG_ID",
    "FLOW_WORKSPACE_ID",
    "FLOW_PROFILE",
    "FLOW_PLUGINS",
    "FLOW_DISABLE_PLUGINS",
)


def pytest_configure(config: pytest.Config) -> None:
    global _session_dir
    _session_dir = tempfile.mkdtemp(prefix="flow-tests-")
    for name, sub in (("FLOW_CONFIG_DIR", "config"), ("FLOW_DATA_DIR", "data")):
        path = os.path.join(_session_dir, sub)
        os.makedirs(path, exist_ok=True)
        os.environ[name] = path
    os.environ["XDG_CONFIG_HOME"] = os.path.join(_session_dir, "xdg-config")
    os.environ["XDG_DATA_HOME"] = os.path.join(_session_dir, "xdg-data")
    for name in _CLEARED:
        os.environ.pop(name, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _session_dir:
        shutil.rmtree(_session_dir, ignore_errors=True)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``@pytest.mark.anyio``) run on asyncio, the loop the SDK targets."""
    return "asyncio"
