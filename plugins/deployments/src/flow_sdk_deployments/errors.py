"""Errors specific to deployments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flow_sdk import CLIClientError

if TYPE_CHECKING:
    from .models import Deployment

__all__ = ["DeploymentFailedError"]


class DeploymentFailedError(CLIClientError):
    """A deployment that was awaited ended ``failed`` instead of reaching its status.

    ``deployment`` is the failed record; its ``error`` says why.
    """

    def __init__(self, message: str, *, deployment: Deployment | None = None, **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.deployment = deployment
