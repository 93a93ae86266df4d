"""``client.component_deployments`` and ``client.workflow_deployments``.

One implementation, two route prefixes: a deployment puts one version of a
component (or workflow) into one ring. The platform moves it from
``pending`` to ``active`` (or ``failed``) in the background; the methods here
return at once unless asked to wait. Waiting polls through the client, so
``CLIClient`` sleeps between polls and ``AsyncCLIClient`` awaits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NoReturn

import msgspec
from flow_sdk.plugin import (
    CLIClientError,
    Listing,
    ModeT,
    ResourceNamespace,
    Steps,
    endpoint,
    paginated,
    poll,
    send,
)

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


def _reason_body(reason: str | None) -> dict[str, str] | None:
    """The body of promote and rollback: ``{"reason": …}`` when one is given, else none."""
    return None if reason is None else {"reason": reason}


class DeploymentsNamespace(ResourceNamespace[ModeT, Deployment]):
    """What component and workflow deployments share; subclasses set ``path``."""

    model = Deployment
    #: The word used in messages: "component" or "workflow".
    noun: ClassVar[str] = "component"

    @paginated
    def list(  # type: ignore[override]
        self,
        *,
        component_type: str | None = None,
        component_id: str | None = None,
        ring_id: str | None = None,
        status: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Listing[Deployment]:
        """Every deployment, lazily; only those matching the filters given."""
        return self._list(
            page_size=page_size,
            limit=limit,
            component_type=component_type,
            component_id=component_id,
            ring_id=ring_id,
            status=status,
        )

    @endpoint
    def get(self, deployment_id: str) -> Steps[Deployment]:  # type: ignore[override]
        """One deployment, with its ring's history for this component."""
        return (yield from send("GET", self._item(deployment_id), type=Deployment))

    @endpoint
    def delete(  # type: ignore[override]
        self, deployment_id: str, *, if_match: int | str | None = None
    ) -> Steps[None]:
        """Take the component out of the ring (its history stays with the ring)."""
        yield from ResourceNamespace[ModeT, Deployment].delete.steps(
            self, deployment_id, if_match=if_match
        )

    @endpoint
    def update(self, *args: Any, **kwargs: Any) -> Steps[NoReturn]:  # type: ignore[override]
        """Deployments are not edited in place: deploy another version, or roll back."""
        raise CLIClientError(
            "a deployment cannot be updated",
            hint="deploy another version to the same ring with deploy(...), "
            "or go back with rollback(deployment_id)",
        )
        yield  # a method of steps, though it sends nothing

    @endpoint
    def create(
        self,
        /,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Steps[Deployment]:
        """Deploy from a raw body ``{component_type, component_id, component_version, ring_id,
        reason}``.

        ``deploy(...)`` is the same with named arguments and an optional wait.
        """
        created: Deployment = yield from ResourceNamespace[ModeT, Deployment].create.steps(
            self, data, idempotency_key=idempotency_key, **fields
        )
        return created

    def _deploy(
        self,
        body: dict[str, Any],
        *,
        wait: bool,
        timeout_s: float,
        on_progress: Progress | None,
        idempotency_key: str | None,
    ) -> Steps[Deployment]:
        body = {key: value for key, value in body.items() if value is not None}
        deployment = yield from type(self).create.steps(self, body, idempotency_key=idempotency_key)
        return (yield from self._maybe_wait(deployment, wait, timeout_s, on_progress))

    @endpoint
    def promote(
        self,
        deployment_id: str,
        *,
        wait: bool = False,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Progress | None = None,
        idempotency_key: str | None = None,
        reason: str | None = None,
    ) -> Steps[Deployment]:
        """Deploy the same version to the next ring; returns that ring's deployment.

        Refused (``CLIConflictError``) from the last ring. With ``wait=True``
        returns once the new deployment is active. ``reason`` (1 to 500 characters,
        no control characters) goes into the history with who promoted.
        """
        return (
            yield from self._move(
                "promote", deployment_id, wait, timeout_s, on_progress, idempotency_key, reason
            )
        )

    @endpoint
    def rollback(
        self,
        deployment_id: str,
        *,
        wait: bool = False,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Progress | None = None,
        idempotency_key: str | None = None,
        reason: str | None = None,
    ) -> Steps[Deployment]:
        """Put back the version that was in this ring before the current one.

        Refused (``CLIConflictError``) when the ring has had no other version.
        ``reason`` (1 to 500 characters, no control characters) goes into the
        history with who rolled back.
        """
        return (
            yield from self._move(
                "rollback", deployment_id, wait, timeout_s, on_progress, idempotency_key, reason
            )
        )

    def _move(
        self,
        verb: str,
        deployment_id: str,
        wait: bool,
        timeout_s: float,
        on_progress: Progress | None,
        idempotency_key: str | None,
        reason: str | None,
    ) -> Steps[Deployment]:
        """``POST …/{id}/promote`` or ``…/rollback``, waited for when asked."""
        deployment = yield from send(
            "POST",
            self._item(deployment_id, verb),
            json=_reason_body(reason),
            idempotency_key=idempotency_key,
            type=Deployment,
        )
        return (yield from self._maybe_wait(deployment, wait, timeout_s, on_progress))

    @endpoint
    def wait(
        self,
        deployment_id: str,
        *,
        status: str = "active",
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        on_progress: Progress | None = None,
    ) -> Steps[Deployment]:
        """Poll until the deployment has ``status``; returns it then.

        ``on_progress`` sees the deployment first and then each change. Raises
        ``DeploymentFailedError`` if it fails first (unless ``status="failed"``)
        and ``CLITimeoutError`` after ``timeout_s`` seconds. The client waits
        between polls (``sleep=`` on the client replaces how, e.g. in tests);
        on ``AsyncCLIClient`` the event loop runs on meanwhile.
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

        def fetch() -> Steps[Deployment]:
            return (yield from type(self).get.steps(self, deployment_id))

        return (
            yield from poll(
                fetch,
                settled,
                timeout_s=timeout_s,
                what=f"deployment {deployment_id} to become {status}",
                on_progress=on_progress,
                describe=_describe,
                hint="pass a larger timeout_s=..., or check its status later with get(...)",
            )
        )

    def _maybe_wait(
        self,
        deployment: Deployment,
        wait: bool,
        timeout_s: float,
        on_progress: Progress | None,
    ) -> Steps[Deployment]:
        if not wait:
            return deployment
        return (
            yield from type(self).wait.steps(
                self, deployment.id, timeout_s=timeout_s, on_progress=on_progress
            )
        )


class ComponentDeploymentsNamespace(DeploymentsNamespace[ModeT]):
    """Deployments of catalog components (agents, tools, …) to rings."""

    path = "component-deployments"

    @endpoint
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
        reason: str | None = None,
    ) -> Steps[Deployment]:
        """Deploy ``version`` (default: the latest) of a component to a ring.

        Deploying to a ring that already runs the component replaces its
        version there and keeps the old one in the ring's history. A version
        that does not exist is refused (``CLIValidationError``). ``reason``
        goes into the history with who deployed.
        """
        body = {
            "component_type": component_type,
            "component_id": component_id,
            "component_version": version,
            "ring_id": ring_id,
            "reason": reason,
        }
        return (
            yield from self._deploy(
                body,
                wait=wait,
                timeout_s=timeout_s,
                on_progress=on_progress,
                idempotency_key=idempotency_key,
            )
        )


class WorkflowDeploymentsNamespace(DeploymentsNamespace[ModeT]):
    """Deployments of workflows to rings (the same behaviour as components)."""

    path = "workflow-deployments"
    noun = "workflow"

    @paginated
    def list(  # type: ignore[override]
        self,
        *,
        workflow_id: str | None = None,
        ring_id: str | None = None,
        status: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Listing[Deployment]:
        """Every workflow deployment, lazily; only those matching the filters given."""
        return DeploymentsNamespace.list.listing(
            self,
            component_id=workflow_id,
            ring_id=ring_id,
            status=status,
            page_size=page_size,
            limit=limit,
        )

    @endpoint
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
        reason: str | None = None,
    ) -> Steps[Deployment]:
        """Deploy ``version`` (default: the latest) of a workflow to a ring (``reason``:
        why, recorded in the history)."""
        body = {
            "component_id": workflow_id,
            "component_version": version,
            "ring_id": ring_id,
            "reason": reason,
        }
        return (
            yield from self._deploy(
                body,
                wait=wait,
                timeout_s=timeout_s,
                on_progress=on_progress,
                idempotency_key=idempotency_key,
            )
        )
