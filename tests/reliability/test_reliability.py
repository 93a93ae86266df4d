"""The reliability figures that must be 0 are 0 (``reliability/scenarios.py``, bounded for CI).

``make reliability`` runs the same scenarios at full size and prints the table.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "reliability"))

import scenarios


def test_a_burst_of_faults_is_absorbed_with_no_duplicate_and_no_lost_write(
    local_platform: Any,
) -> None:
    figures = scenarios.faulted_calls(local_platform, calls=1000)
    assert figures["faults injected"] >= 250  # about 30 % of the requests
    assert figures["failed %"] <= 5.0, figures
    assert figures["duplicates"] == 0, figures
    assert figures["lost writes"] == 0, figures


def test_a_platform_that_is_down_sees_about_one_attempt_per_call(local_platform: Any) -> None:
    figures = scenarios.platform_down(local_platform, calls=1000)
    assert figures["attempts per call"] <= 1.2, figures


def test_processes_writing_at_once_lose_nothing(flow_config_dir: Path) -> None:
    figures = scenarios.concurrent_writers(processes=4, writes=10)
    assert figures["processes failed"] == 0, figures
    assert (figures["writes lost"], figures["duplicates"]) == (0, 0), figures


@pytest.mark.parametrize("flow_transport_mode", ["inprocess", "socket"])
def test_no_tenant_reads_another(flow_transport_mode: str, local_platform: Any) -> None:
    figures = scenarios.cross_tenant_reads(local_platform)
    assert figures["attempts"] == 40
    assert figures["cross-tenant reads"] == 0, figures


def test_no_secret_reaches_captured_output(local_platform: Any, flow_cli: Any) -> None:
    figures = scenarios.secrets_in_output(local_platform, flow_cli)
    assert figures["secrets found"] == 0


def test_no_stored_credential_goes_to_a_foreign_host(flow_config_dir: Path) -> None:
    from flow_sdk.cli import CLISettings, main

    def flow(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), settings=CLISettings(stdout=out, stderr=err, sleep=lambda s: None))
        return code, out.getvalue(), err.getvalue()

    figures = scenarios.credentials_to_foreign_hosts(flow)
    assert figures["requests with a credential"] == 0, figures


@pytest.mark.parametrize("flow_transport_mode", ["socket"])
def test_hostile_requests_get_no_5xx_no_hang_no_crash(
    flow_transport_mode: str, local_platform: Any
) -> None:
    figures = scenarios.hostile_requests(local_platform.url, local_platform.token())
    assert figures["requests"] >= 15
    assert (figures["5xx"], figures["hangs"], figures["crashes"]) == (0, 0, 0), figures
