"""The local platform's solutions: the resource, and bundles out of and into the catalog.

Imported only when a local platform is built (from the ``flow_sdk_local_routes``
hook). Components are not copied here: they live in flow-sdk-local's generic
component catalog (documents of kind ``component``, each write recorded in its
version history), which export reads and import writes, in one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from flow_sdk_local import (
    NAME_PATTERN,
    ComponentTypeName,
    FieldError,
    HTTPError,
    QueryParam,
    Request,
    Response,
    is_blank,
)

from ._bundle import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_VERSION,
    BundleError,
    SolutionBundle,
    decode_bundle,
)

if TYPE_CHECKING:
    from flow_sdk_local import App, Document, Transaction

__all__ = ["install"]

COMPONENT_KIND = "component"
MAX_COMPONENTS = 1000


Name = Annotated[
    str,
    msgspec.Meta(
        description="not blank", extra_json_schema={"minLength": 1, "pattern": NAME_PATTERN}
    ),
]
"""A solution's name; ``validate`` refuses a blank one ("must not be empty")."""
_OPTIONAL_NAME = f"^({NAME_PATTERN[1:-1]})?$"
NAME_QUERY = QueryParam(
    "name",
    Annotated[str, msgspec.Meta(pattern=_OPTIONAL_NAME)],
    "a new name for the imported solution (empty: the bundle's)",
    error="must not be blank",
)


class ComponentRefWire(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A component of the workspace, by type and id."""

    type: ComponentTypeName
    id: str


Refs = Annotated[
    list[ComponentRefWire],
    msgspec.Meta(
        description="each names a component of this workspace, once (422 otherwise)",
        extra_json_schema={"maxItems": MAX_COMPONENTS},
    ),
]


class SolutionOut(msgspec.Struct, kw_only=True):
    """A named group of catalog components."""

    id: str
    name: str
    description: str = ""
    components: list[ComponentRefWire] = []
    version: int
    created_at: str
    updated_at: str


class SolutionCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Every referenced component must exist in the workspace."""

    name: Name
    description: str = ""
    components: Refs = []


class SolutionUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change (``null``: unchanged); ``components`` is replaced as a
    whole."""

    name: Name | None = None
    description: str | None = None
    components: Refs | None = None


DateTime = Annotated[datetime, msgspec.Meta(tz=True)]
"""An RFC 3339 date-time with its offset (as export writes them)."""


class BundleRefIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A reference from the bundled solution to a bundled component (bundle ids)."""

    type: ComponentTypeName
    id: str


class BundleVersionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One entry of a bundled component's history."""

    version: int
    name: str
    description: str = ""
    spec: dict[str, Any] = {}
    created_at: DateTime | None = None


class BundleComponentIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A bundled component with its whole history (at least one version)."""

    type: ComponentTypeName
    id: str
    name: str
    description: str = ""
    spec: dict[str, Any] = {}
    version: int = 1
    versions: Annotated[list[BundleVersionIn], msgspec.Meta(min_length=1)]


class BundleSolutionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The bundled solution; its name is the imported one's unless ``?name=`` is given."""

    id: str
    name: Name
    description: str = ""
    components: list[BundleRefIn] = []


class SolutionBundleIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A bundle as ``…/export`` returns it. The route reads the format version first (422
    ``newer_format`` for a newer one); each component appears once, and the solution names
    only bundled components (422 ``malformed`` otherwise)."""

    format: Literal["flow-solution-bundle"]
    format_version: Annotated[int, msgspec.Meta(ge=1, le=BUNDLE_FORMAT_VERSION)]
    solution: BundleSolutionIn
    components: Annotated[list[BundleComponentIn], msgspec.Meta(max_length=MAX_COMPONENTS)] = []
    exported_at: DateTime | None = None


class ImportedComponentOut(msgspec.Struct, kw_only=True):
    """A component the import created: its id in the bundle and here."""

    type: str
    source_id: str
    id: str


class ImportResultOut(msgspec.Struct, kw_only=True):
    """The solution an import created, and each component's id in the bundle and here."""

    solution: SolutionOut
    components: list[ImportedComponentOut]


def component_scope(org_id: str, workspace_id: str, component_type: str) -> str:
    """The store scope of a component: the catalog's collection path parameters, joined."""
    return f"{org_id}/{workspace_id}/{component_type}"


def _unprocessable(loc: list[str | int], msg: str, code: str = "validation_error") -> HTTPError:
    return HTTPError(422, [FieldError(loc, msg)], code)


def _remap(value: Any, id_map: dict[str, str]) -> Any:
    """``value`` with every string (values and keys) that is a bundled component's old id
    replaced by its new id."""
    if isinstance(value, str):
        return id_map.get(value, value)
    if isinstance(value, list):
        return [_remap(item, id_map) for item in value]
    if isinstance(value, dict):
        return {id_map.get(key, key): _remap(item, id_map) for key, item in value.items()}
    return value


def install(app: App) -> None:
    """Add the solutions resource, export and import to ``app``."""
    store = app.platform.store

    def check_refs(request: Request, refs: list[dict[str, Any]]) -> None:
        if len(refs) > MAX_COMPONENTS:
            raise _unprocessable(
                ["body", "components"], f"a solution holds at most {MAX_COMPONENTS} components"
            )
        seen: set[tuple[str, str]] = set()
        with store.transaction(write=False) as tx:
            for index, ref in enumerate(refs):
                key = (ref["type"], ref["id"])
                loc: list[str | int] = ["body", "components", index]
                if key in seen:
                    raise _unprocessable(loc, f"{ref['type']} {ref['id']!r} is listed twice")
                seen.add(key)
                if ref["type"] not in app.component_types:
                    raise _unprocessable(
                        [*loc, "type"], f"unknown component type {ref['type']!r}", "unknown_type"
                    )
                scope = component_scope(request.org_id, request.workspace_id, ref["type"])
                if tx.get(COMPONENT_KIND, scope, ref["id"]) is None:
                    raise _unprocessable(
                        [*loc, "id"],
                        f"no {ref['type']} {ref['id']!r} in this workspace",
                        "unknown_component",
                    )

    def validate(request: Request, data: dict[str, Any], existing: Document | None) -> Any:
        if existing is not None:  # a field sent as null keeps its value
            for field in ("name", "description", "components"):
                if data.get(field) is None:
                    data[field] = existing.data.get(field)
        if is_blank(str(data.get("name") or "")):
            raise _unprocessable(["body", "name"], "must not be empty")
        data["description"] = data.get("description") or ""
        data["components"] = data.get("components") or []
        check_refs(request, data["components"])
        return data

    solutions = app.resource(
        "solutions",
        model=SolutionOut,
        create=SolutionCreate,
        update=SolutionUpdate,
        id_prefix="sol",
        validate=validate,
        tags=("solutions",),
    )

    def export_solution(request: Request) -> SolutionBundle:
        """A self-contained bundle: the solution and its components with their histories."""
        doc = solutions.load(request)
        components: list[dict[str, Any]] = []
        with store.transaction(write=False) as tx:
            for ref in doc.data.get("components", []):
                scope = component_scope(request.org_id, request.workspace_id, ref["type"])
                component = tx.get(COMPONENT_KIND, scope, ref["id"])
                if component is None:
                    raise HTTPError(
                        409,
                        f"solution {doc.id!r} references {ref['type']} {ref['id']!r}, which no "
                        "longer exists; update the solution's components and export again",
                        "dangling_reference",
                    )
                components.append(_exported_component(tx, component, ref["type"]))
        bundle = {
            "format": BUNDLE_FORMAT,
            "format_version": BUNDLE_FORMAT_VERSION,
            "exported_at": datetime.fromtimestamp(app.now(), UTC),
            "solution": {
                "id": doc.id,
                "name": doc.data.get("name", ""),
                "description": doc.data.get("description", ""),
                "components": doc.data.get("components", []),
            },
            "components": components,
        }
        return msgspec.convert(bundle, SolutionBundle)

    def import_bundle(request: Request) -> Response:
        """Recreate a bundle's components (new ids, full histories) and its solution."""
        try:
            bundle = decode_bundle(request.data)
        except BundleError as exc:
            loc: list[str | int] = (
                ["body", "format_version"] if exc.code == "newer_format" else ["body"]
            )
            raise HTTPError(422, [FieldError(loc, str(exc))], exc.code) from None
        if len(bundle.components) > MAX_COMPONENTS:
            raise _unprocessable(
                ["body", "components"], f"a bundle holds at most {MAX_COMPONENTS} components"
            )
        for index, component in enumerate(bundle.components):
            if component.type not in app.component_types:
                known = ", ".join(sorted(app.component_types)) or "none"
                raise _unprocessable(
                    ["body", "components", index, "type"],
                    f"component type {component.type!r} is not registered on this platform "
                    f"(registered: {known}); install the plugin that provides it",
                    "unknown_type",
                )
        name = NAME_QUERY.value(request) or bundle.solution.name
        if is_blank(name):
            raise _unprocessable(["query", "name"], "must not be empty")
        id_map = {c.id: f"cmp_{secrets.token_hex(8)}" for c in bundle.components}
        imported: list[ImportedComponentOut] = []
        with store.transaction() as tx:
            for component in bundle.components:
                new_id = id_map[component.id]
                scope = component_scope(request.org_id, request.workspace_id, component.type)
                for number, entry in enumerate(_history(component), start=1):
                    data = {
                        "name": entry.name,
                        "description": entry.description,
                        "spec": _remap(entry.spec, id_map),
                        "type": component.type,
                    }
                    if number == 1:
                        tx.insert(COMPONENT_KIND, scope, new_id, data, history=True)
                    else:
                        tx.update(COMPONENT_KIND, scope, new_id, data, history=True)
                imported.append(
                    ImportedComponentOut(type=component.type, source_id=component.id, id=new_id)
                )
            refs = [{"type": ref.type, "id": id_map[ref.id]} for ref in bundle.solution.components]
            doc = tx.insert(
                solutions.kind,
                solutions.scope_key(request),
                f"sol_{secrets.token_hex(8)}",
                {"name": name, "description": bundle.solution.description, "components": refs},
            )
        result = ImportResultOut(solution=solutions.render(doc), components=imported)
        return Response(201, result)

    app.add_route(
        "POST",
        f"{solutions.item_path}/export",
        export_solution,
        response=SolutionBundle,
        summary="Export a solution and every component it references, with their histories",
        tags=("solutions",),
    )
    route = app.add_route(
        "POST",
        f"{solutions.collection_path}/import",
        import_bundle,
        body=dict[str, Any],
        response=ImportResultOut,
        status=201,
        query=(NAME_QUERY,),
        summary=f"Import a bundle (format {BUNDLE_FORMAT!r} up to version "
        f"{BUNDLE_FORMAT_VERSION}, as export returns it): new ids, references mapped",
        tags=("solutions",),
    )
    route.documented_body = SolutionBundleIn


def _history(component: Any) -> Iterator[Any]:
    """The component's versions oldest first (the bundle keeps them in order)."""
    return iter(sorted(component.versions, key=lambda v: v.version))


def _exported_component(tx: Transaction, doc: Document, component_type: str) -> dict[str, Any]:
    versions = [
        {
            "version": number,
            "name": data.get("name", ""),
            "description": data.get("description", ""),
            "spec": data.get("spec", {}),
            "created_at": created_at,
        }
        for number, data, created_at in tx.versions(COMPONENT_KIND, doc.scope, doc.id)
    ]
    if not versions:  # a component written without history: its present state is its history
        versions = [
            {
                "version": doc.version,
                "name": doc.data.get("name", ""),
                "description": doc.data.get("description", ""),
                "spec": doc.data.get("spec", {}),
                "created_at": doc.updated_at,
            }
        ]
    return {
        "type": component_type,
        "id": doc.id,
        "name": doc.data.get("name", ""),
        "description": doc.data.get("description", ""),
        "spec": doc.data.get("spec", {}),
        "version": doc.version,
        "versions": versions,
    }
