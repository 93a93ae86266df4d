"""``client.component_deployments`` and ``client.workflow_deployments``.

One implementation, two route prefixes: a deployment puts one version of a
component (or workflow) into one ring. The platform moves it from
``pending`` to ``active`` (or ``failed``) in the background; the methods here
return at once unless asked to wait.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NoReturn

import msgspec
from flow_sdk import CLIClientError, Paginator, ResourceNamespace, poll_until

from .errors import DeploymentFailedError
from .models import Deployment

__all__ = [
    "DEFAULT_WAIT_TIMEOUT_S",
    "ComponentDeploymentsNamespace",
    "DeploymentsNamespace",
    "WorkflowDeploymentsNamespace",
]

DEFAULT_WAIT_TIMEOUT_S = 60.0
Progress = Callable[[Deployment], None]


def _describe(deployment: Deployment) -> str:
    text = (
        f"deployment {deployment.id} of {deployment.component_type} "
        f"{deployment.component_id} v{deployment.component_version} "
        f"in ring {deployment.ring_id} is {deployment.status}"
    )
    return f"{text} ({deployment.error})" if deployment.error else text


class DeploymentsNamespace(ResourceNamespace[Deployment]):
    """What component and workflow deployments share; subclasses set ``path``."""

    model = Deployment
    #: The word used in messages: "component" or "workflow".
    noun: ClassVar[str] = "component"

    def list(  # type: ignore[override]
        self,
        *,
        component_type: str | None = None,
        component_id: str | None = None,
        ring_id: str | None = None,
        status: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Paginator[Deployment]:
        """Every deployment, lazily; only those matching the filters given."""
        return super().list(
            page_size=page_size,
            limit=limit,
            component_type=component_type,
            component_id=component_id,
            ring_id=ring_id,
            status=status,
        )

    def get(self, deployment_id: str) -> Deployment:
        """One deployment, with its ring's history for this component."""
        return super().get(deployment_id)

    def delete(self, deployment_id: str, *, if_match: int | str | None = None) -> None:
        """Take the component out of the ring (its history stays with the ring)."""
        super().delete(deployment_id, if_match=if_match)

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Deployments are not edited in place: deploy another version, or roll back."""
        raise CLIClientError(
            "a deployment cannot be updated",
            hint="deploy another version to the same ring with deploy(...), "
            "or go back with rollback(deployment_id)",
        )

    def create(
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Deployment:
        """Deploy from a raw body ``{component_type, component_id, component_version, ring_id}``.

        ``deploy(...)`` is the same with named arguments and an optional wait.
        """
        return super().create(data, idempotency_key=idempotency_key, **fields)

    def _deploy(
        self,
        body: dict[str, Any],
        *,
        wait: bool,
        timeout_s: float,
        on_progress: Progress | None,
        idempotency_key: str | None,
    ) -> Deployment:
        body = {key: value for key, value in body.items() if value is not None}
        deployment = self.create(body, idempotency_key=idempotency_key)
        return self._maybe_wait(deployment, wait, timeout_s, on_progress)

    def promote(
        self,
        deployment_id: str,
        *,
        wait: bool = False,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Progress | None = None,
        idempotency_key: str | None = None,
    ) -> Deployment:
        """Deploy the same version to the next ring; returns that ring's deployment.

        Refused (``CLIConflictError``) from the last ring. With ``wait=True``
        returns once the new deployment is active.
        """
        deployment: Deployment = self._request(
            "POST",
            self._item(deployment_id, "promote"),
            idempotency_key=idempotency_key,
            type=Deployment,
        )
        return self._maybe_wait(deployment, wait, timeout_s, on_progress)

    def rollback(
        self,
        deployment_id: str,
        *,
        wait: bool = False,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Progress | None = None,
        idempotency_key: str | None = None,
    ) -> Deployment:
        """Put back the version that was in this ring before the current one.

        Refused (``CLIConflictError``) when the ring has had no other version.
        """
        deployment: Deployment = self._request(
            "POST",
            self._item(deployment_id, "rollback"),
            idempotency_key=idempotency_key,
            type=Deployment,
        )
        return self._maybe_wait(deployment, wait, timeout_s, on_progress)

    def wait(
        self,
        deployment_id: str,
        *,
        status: str = "active",
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Progress | None = None,
    ) -> Deployment:
        """Poll until the deployment has ``status``; returns it then.

        ``on_progress`` sees the deployment first and then each change. Raises
        ``DeploymentFailedError`` if it fails first (unless ``status="failed"``)
        and ``CLITimeoutError`` after ``timeout_s`` seconds.
        """

        def settled(deployment: Deployment) -> bool:
            if deployment.status == status:
                return True
            if deployment.status == "failed":
                raise DeploymentFailedError(
                    f"{_describe(deployment)}, not {status}",
                    deployment=deployment,
                    hint=f"see the error above, then deploy a {self.noun} version that exists",
                )
            return False

        return poll_until(
            lambda: self.get(deployment_id),
            settled,
            timeout_s=timeout_s,
            what=f"deployment {deployment_id} to become {status}",
            on_progress=on_progress,
            describe=_describe,
            hint="pass a larger timeout_s=..., or check its status later with get(...)",
        )

    def _maybe_wait(
        self,
        deployment: Deployment,
        wait: bool,
        timeout_s: float,
        on_progress: Progress | None,
    ) -> Deployment:
        if not wait:
            return deployment
        return self.wait(deployment.id, timeout_s=timeout_s, on_progress=on_progress)


class ComponentDeploymentsNamespace(DeploymentsNamespace):
    """Deployments of catalog components (agents, tools, …) to rings."""

    path = "component-deployments"

    def deploy(
        self,
        component_type: str,
        component_id: str,
        *,
        ring_id: str,
        version: int | None = None,
        wait: bool = False,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Progress | None = None,
        idempotency_key: str | None = None,
    ) -> Deployment:
        """Deploy ``version`` (default: the latest) of a component to a ring.

        Deploying to a ring that already runs the component replaces its
        version there and keeps the old one in the ring's history. A version
        that does not exist is refused (``CLIValidationError``).
        """
        body = {
            "component_type": component_type,
            "component_id": component_id,
            "component_version": version,
            "ring_id": ring_id,
        }
        return self._deploy(
            body,
            wait=wait,
            timeout_s=timeout_s,
            on_progress=on_progress,
            idempotency_key=idempotency_key,
        )


class WorkflowDeploymentsNamespace(DeploymentsNamespace):
    """Deployments of workflows to rings (the same behaviour as components)."""

    path = "workflow-deployments"
    noun = "workflow"

    def list(  # type: ignore[override]
        self,
        *,
        workflow_id: str | None = None,
        ring_id: str | None = None,
        status: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Paginator[Deployment]:
        """Every workflow deployment, lazily; only those matching the filters given."""
        return super().list(
            component_id=workflow_id,
            ring_id=ring_id,
            status=status,
            page_size=page_size,
            limit=limit,
        )

    def deploy(
        self,
        workflow_id: str,
        *,
        ring_id: str,
        version: int | None = None,
        wait: bool = False,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Progress | None = None,
        idempotency_key: str | None = None,
    ) -> Deployment:
        """Deploy ``version`` (default: the latest) of a workflow to a ring."""
        body = {"component_id": workflow_id, "component_version": version, "ring_id": ring_id}
        return self._deploy(
            body,
            wait=wait,
            timeout_s=timeout_s,
            on_progress=on_progress,
            idempotency_key=idempotency_key,
        )
