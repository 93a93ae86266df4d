"""The local platform's routes for rings, deployments and backups.

Imported only when a local platform is built (the hook ``flow_sdk_local_routes``),
so flow-sdk-local is needed here and nowhere else in this distribution.
"""

from __future__ import annotations

from typing import Any

__all__ = ["install"]


def install(app: Any) -> None:
    """Add every route of this distribution to the local platform ``app``."""
    from . import backups, deployments, rings

    rings.install(app)
    deployments.install(app)
    backups.install(app)
