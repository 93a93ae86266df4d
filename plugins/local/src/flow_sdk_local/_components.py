"""The generic component catalog: ``<tenant>/components/{component_type}`` for every type.

The types are those the installed plugins register through the core hook
``flow_sdk_component_types``; an unknown type is a 404 that lists the known
ones. Every write adds an entry to the component's version history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import msgspec

from ._app import App
from ._http import FieldError, HTTPError, Request
from ._routing import NAME_PATTERN, is_blank

__all__ = [
    "COMPONENT_TYPE_MARK",
    "Component",
    "ComponentCreate",
    "ComponentTypeName",
    "ComponentUpdate",
    "ComponentVersion",
    "component_type_name",
    "install",
]

COMPONENT_TYPE_MARK = "x-flow-component-type"


def component_type_name(*, exclude: Sequence[str] = (), description: str = "") -> Any:
    """The type of a body field naming a registered component type (``exclude``: types the
    route refuses). The route checks it against the registered types, a set known only when
    the platform is built; the OpenAPI document lists them (an enum)."""
    return Annotated[
        str,
        msgspec.Meta(
            description=description or "a component type registered on this platform",
            extra_json_schema={COMPONENT_TYPE_MARK: list(exclude)},
        ),
    ]


ComponentTypeName = component_type_name()


class Component(msgspec.Struct, kw_only=True):
    """A catalog component of any type."""

    id: str
    type: str
    name: str
    description: str = ""
    spec: dict[str, Any] = {}
    version: int
    created_at: str
    updated_at: str


Name = Annotated[
    str,
    msgspec.Meta(
        description="not blank", extra_json_schema={"minLength": 1, "pattern": NAME_PATTERN}
    ),
]
"""A component's name; ``validate`` refuses a blank one ("must not be empty")."""


class ComponentCreate(msgspec.Struct, kw_only=True):
    """A new component of the path's type."""

    name: Name
    description: str = ""
    spec: dict[str, Any] = {}


class ComponentUpdate(msgspec.Struct, kw_only=True):
    """Only the fields sent change; ``null`` puts description or spec back to empty."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: str | None = None
    spec: dict[str, Any] | None = None


class ComponentVersion(msgspec.Struct, kw_only=True):
    """A component as it was at one version."""

    version: int
    name: str
    description: str = ""
    spec: dict[str, Any] = {}
    created_at: str


def install(app: App) -> None:
    """Add the generic catalog, ``<tenant>/components/{component_type}``, to ``app``."""

    def known_type(request: Request) -> None:
        component_type = request.params["component_type"]
        if component_type not in app.component_types:
            known = ", ".join(sorted(app.component_types)) or "none (install flow-sdk-components)"
            raise HTTPError(
                404,
                f"unknown component type {component_type!r}; registered types: {known}",
                "unknown_component_type",
            )

    def validate(request: Request, data: dict[str, Any], existing: Any) -> dict[str, Any]:
        for field in ("name", "description", "spec"):
            if data.get(field) is None:
                if field == "name":
                    raise HTTPError(
                        422, [FieldError(["body", "name"], "must not be null")], "validation_error"
                    )
                data[field] = "" if field == "description" else {}
        if is_blank(str(data["name"])):
            raise HTTPError(
                422, [FieldError(["body", "name"], "must not be empty")], "validation_error"
            )
        data["type"] = request.params["component_type"]
        return data

    app.resource(
        "components/{component_type}",
        kind="component",
        model=Component,
        create=ComponentCreate,
        update=ComponentUpdate,
        id_prefix="cmp",
        history=True,
        version_model=ComponentVersion,
        guard=known_type,
        validate=validate,
        tags=("components",),
    )
