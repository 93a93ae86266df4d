"""Fixtures for flow-sdk-components' tests.

``flow_client``, ``local_platform`` and ``flow_cli`` (the ``flow`` command
in-process against that platform) come from flow-sdk-local's pytest plugin.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from components_support import DOUBLE_CODE


@pytest.fixture
def double_block(flow_client: Any) -> Any:
    """A code block that doubles ``n`` and prints a line."""
    return flow_client.code_blocks.create(name="double", spec={"code": DOUBLE_CODE})
