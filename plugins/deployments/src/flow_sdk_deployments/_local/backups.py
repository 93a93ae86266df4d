"""``<tenant>/component-backups``: immutable snapshots of a component and its versions.

Restoring writes the backup's newest content as a new version on top of
whatever the component has now, so no version written since is lost; a
component that was deleted is re-created with the same id, its backed-up
versions replayed in order, and the restored content on top.
"""

from __future__ import annotations

from typing import Any

from flow_sdk import Component
from flow_sdk_local import Document, FieldError, HTTPError, Request, Transaction, conflict

from ..models import Backup
from .bodies import BackupCreate
from .catalog import COMPONENT_KIND, check_type, component_scope, load_component, versions_of
from .kinds import BACKUP_KIND

__all__ = ["install"]

_BOOKKEEPING = ("version", "created_at")


def _content(version: dict[str, Any]) -> dict[str, Any]:
    """A backed-up version as the catalog stores it (without its number and time)."""
    return {key: value for key, value in version.items() if key not in _BOOKKEEPING}


def install(app: Any) -> None:
    """Add the component-backup routes (snapshot on create, restore) to the local platform."""

    def snapshot(request: Request, data: dict[str, Any], existing: Document | None) -> None:
        ctype, cid = data["component_type"], data["component_id"]
        check_type(app.component_types, ctype)
        with request.store.transaction() as tx:
            component = load_component(tx, resource.scope_key(request), ctype, cid)
            if component is None:
                raise HTTPError(
                    422,
                    [FieldError(["body", "component_id"], f"no {ctype} {cid!r} in this workspace")],
                    "validation_error",
                )
            versions = [
                {**content, "version": number, "created_at": created}
                for number, content, created in versions_of(tx, component)
            ]
        data["component_name"] = component.data.get("name", "")
        data["versions"] = versions

    resource = app.resource(
        "component-backups",
        kind=BACKUP_KIND,
        model=Backup,
        create=BackupCreate,
        id_prefix="bak",
        filters=("component_type", "component_id"),
        validate=snapshot,
        operations=("list", "get", "create", "delete"),
        tags=("deployments",),
    )

    def render_component(doc: Document) -> Any:
        catalog = app.resources.get(COMPONENT_KIND)
        return catalog.render(doc) if catalog is not None else doc.public()

    def restore(request: Request) -> Any:
        """Bring the component back to the backup's content, as a new version."""
        backup = resource.load(request)
        ctype, cid = backup.data["component_type"], backup.data["component_id"]
        if ctype not in app.component_types:
            raise conflict(
                f"component type {ctype!r} is not registered on this platform; install the "
                "plugin that provides it, then restore again",
                "unknown_component_type",
            )
        versions = sorted(backup.data["versions"], key=lambda v: int(v["version"]))
        if not versions:
            raise conflict(f"backup {backup.id} holds no version to restore", "empty_backup")
        scope = resource.scope_key(request)
        with request.store.transaction() as tx:
            doc = _restore(tx, component_scope(scope, ctype), cid, versions)
        return render_component(doc)

    app.add_route(
        "POST",
        f"{resource.item_path}/restore",
        restore,
        response=Component,
        tags=("deployments",),
    )


def _restore(
    tx: Transaction, scope: str, component_id: str, versions: list[dict[str, Any]]
) -> Document:
    latest = _content(versions[-1])
    if tx.get(COMPONENT_KIND, scope, component_id) is None:
        first, *rest = versions
        tx.insert(COMPONENT_KIND, scope, component_id, _content(first), history=True)
        for version in rest:
            tx.update(COMPONENT_KIND, scope, component_id, _content(version), history=True)
    restored = tx.update(COMPONENT_KIND, scope, component_id, latest, history=True)
    assert restored is not None
    return restored
