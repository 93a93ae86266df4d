"""``client.component_backups``: snapshots of a component with all its versions."""

from __future__ import annotations

from typing import Any, NoReturn

from flow_sdk import CLIClientError, Component, Paginator, ResourceNamespace

from .models import Backup

__all__ = ["ComponentBackupsNamespace"]


class ComponentBackupsNamespace(ResourceNamespace[Backup]):
    """Backups are immutable: create, list, get, delete and restore them."""

    path = "component-backups"
    model = Backup

    def create(  # type: ignore[override]
        self,
        component_type: str,
        component_id: str,
        *,
        idempotency_key: str | None = None,
    ) -> Backup:
        """Snapshot a component and every version it has now."""
        body = {"component_type": component_type, "component_id": component_id}
        return super().create(body, idempotency_key=idempotency_key)

    def list(  # type: ignore[override]
        self,
        *,
        component_type: str | None = None,
        component_id: str | None = None,
        page_size: int = 50,
        limit: int | None = None,
    ) -> Paginator[Backup]:
        """Every backup, oldest first, lazily; only those of one component if given."""
        return super().list(
            page_size=page_size,
            limit=limit,
            component_type=component_type,
            component_id=component_id,
        )

    def get(self, backup_id: str) -> Backup:
        """One backup with the versions it holds."""
        return super().get(backup_id)

    def delete(self, backup_id: str, *, if_match: int | str | None = None) -> None:
        """Delete a backup; the component itself is not touched."""
        super().delete(backup_id, if_match=if_match)

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Backups are immutable; take a new one with ``create(...)`` instead."""
        raise CLIClientError(
            "a backup cannot be updated",
            hint="take a new backup with create(component_type, component_id)",
        )

    def restore(self, backup_id: str, *, idempotency_key: str | None = None) -> Component:
        """Bring the component back to its state in the backup, as a new version.

        Nothing is lost: versions written since the backup stay in the
        history, and the restored content is added on top. A component that
        was deleted is re-created, with the same id and the backup's versions.
        """
        return self._request(  # type: ignore[no-any-return]
            "POST",
            self._item(backup_id, "restore"),
            idempotency_key=idempotency_key,
            type=Component,
        )
