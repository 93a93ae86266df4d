"""``client.component_backups``: snapshots of a component with all its versions."""

from __future__ import annotations

from typing import Any, NoReturn

from flow_sdk.plugin import (
    CLIClientError,
    Component,
    Listing,
    ModeT,
    ResourceNamespace,
    Steps,
    endpoint,
    paginated,
    send,
)

from .models import Backup

__all__ = ["ComponentBackupsNamespace"]


class ComponentBackupsNamespace(ResourceNamespace[ModeT, Backup]):
    """Backups are immutable: create, list, get, delete and restore them."""

    path = "component-backups"
    model = Backup

    @endpoint
    def create(  # type: ignore[override]
        self,
        component_type: str,
        component_id: str,
        *,
        idempotency_key: str | None = None,
    ) -> Steps[Backup]:
        """Snapshot a component and every version it has now."""
        body = {"component_type": component_type, "component_id": component_id}
        created: Backup = yield from ResourceNamespace[ModeT, Backup].create.steps(
            self, body, idempotency_key=idempotency_key
        )
        return created

    @paginated
    def list(  # type: ignore[override]
        self,
        *,
        component_type: str | None = None,
        component_id: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Listing[Backup]:
        """Every backup, oldest first, lazily; only those of one component if given."""
        return self._list(
            page_size=page_size,
            limit=limit,
            component_type=component_type,
            component_id=component_id,
        )

    @endpoint
    def get(self, backup_id: str) -> Steps[Backup]:  # type: ignore[override]
        """One backup with the versions it holds."""
        return (yield from send("GET", self._item(backup_id), type=Backup))

    @endpoint
    def delete(  # type: ignore[override]
        self, backup_id: str, *, if_match: int | str | None = None
    ) -> Steps[None]:
        """Delete a backup; the component itself is not touched."""
        yield from ResourceNamespace[ModeT, Backup].delete.steps(self, backup_id, if_match=if_match)

    @endpoint
    def update(self, *args: Any, **kwargs: Any) -> Steps[NoReturn]:  # type: ignore[override]
        """Backups are immutable; take a new one with ``create(...)`` instead."""
        raise CLIClientError(
            "a backup cannot be updated",
            hint="take a new backup with create(component_type, component_id)",
        )
        yield  # a method of steps, though it sends nothing

    @endpoint
    def restore(self, backup_id: str, *, idempotency_key: str | None = None) -> Steps[Component]:
        """Bring the component back to its state in the backup, as a new version.

        Nothing is lost: versions written since the backup stay in the
        history, and the restored content is added on top. A component that
        was deleted is re-created, with the same id and the backup's versions.
        """
        return (
            yield from send(
                "POST",
                self._item(backup_id, "restore"),
                idempotency_key=idempotency_key,
                type=Component,
            )
        )
