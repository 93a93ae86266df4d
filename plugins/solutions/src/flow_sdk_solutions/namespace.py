"""``client.solutions``: groups of components, and their bundles for moving them around."""

from __future__ import annotations

import builtins
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec
from flow_sdk.plugin import (
    CLIValidationError,
    Listing,
    ModeT,
    ResourceNamespace,
    Steps,
    endpoint,
    paginated,
    send,
)

from ._bundle import BundleError, SolutionBundle, decode_bundle
from ._models import ImportResult, Solution

__all__ = ["SolutionsNamespace"]

BundleLike = SolutionBundle | Mapping[str, Any] | str | os.PathLike[str]


def _ref(item: Any) -> dict[str, str]:
    """``{type, id}`` from a mapping or from anything with ``type`` and ``id`` attributes."""
    if isinstance(item, Mapping):
        kind, ident = item.get("type"), item.get("id")
    else:
        kind, ident = getattr(item, "type", None), getattr(item, "id", None)
    if not isinstance(kind, str) or not isinstance(ident, str):
        raise CLIValidationError(
            f"a component reference needs a type and an id, got {item!r}",
            hint='pass {"type": "agent", "id": "cmp_..."} or a Component',
        )
    return {"type": kind, "id": ident}


def _refs(components: Iterable[Any]) -> builtins.list[dict[str, str]]:
    return [_ref(item) for item in components]


def _bundle_error(exc: BundleError) -> CLIValidationError:
    hint = (
        "upgrade the SDK: pip install -U flow-sdk-solutions"
        if exc.code == "newer_format"
        else "export the solution again; a bundle is written by `export` and read as it is"
    )
    return CLIValidationError(str(exc), code=exc.code, hint=hint)


class SolutionsNamespace(ResourceNamespace[ModeT, Solution]):
    """Solutions of the selected workspace, and their export to and import from bundles.

    Written once for both clients: on ``AsyncCLIClient`` every method is awaited
    and ``list`` is iterated with ``async for``.
    """

    path = "solutions"
    model = Solution

    @paginated
    def list(  # type: ignore[override]
        self, *, name: str | None = None, page_size: int = 50, limit: int | None = None
    ) -> Listing[Solution]:
        """Every solution (only those called ``name``, if given), fetched lazily page by page."""
        return self._list(page_size=page_size, limit=limit, name=name)

    @endpoint
    def create(  # type: ignore[override]
        self,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        components: Iterable[Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[Solution]:
        """Create a solution grouping ``components`` (``{type, id}`` mappings or Components).

        Every referenced component must exist in this workspace (422 otherwise).
        Retried safely with the same ``idempotency_key`` (generated when omitted).
        """
        fields: dict[str, Any] = {}
        if name is not None:
            fields["name"] = name
        if description is not None:
            fields["description"] = description
        if components is not None:
            fields["components"] = _refs(components)
        created: Solution = yield from ResourceNamespace[ModeT, Solution].create.steps(
            self, data, idempotency_key=idempotency_key, **fields
        )
        return created

    @endpoint
    def update(  # type: ignore[override]
        self,
        solution_id: str,
        data: Mapping[str, Any] | msgspec.Struct | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        components: Iterable[Any] | None = None,
        if_match: int | str | None = None,
    ) -> Steps[Solution]:
        """Change the name, description or the list of components (replaced as a whole).

        With ``if_match=<version>`` a concurrent change is a 409.
        """
        fields: dict[str, Any] = {}
        if name is not None:
            fields["name"] = name
        if description is not None:
            fields["description"] = description
        if components is not None:
            fields["components"] = _refs(components)
        updated: Solution = yield from ResourceNamespace[ModeT, Solution].update.steps(
            self, solution_id, data, if_match=if_match, **fields
        )
        return updated

    @endpoint
    def export(self, solution_id: str) -> Steps[SolutionBundle]:
        """A self-contained bundle: the solution and every component it references,
        each with its full version history. ``bundle.to_dict()`` is its JSON.
        """
        return (yield from send("POST", self._item(solution_id, "export"), type=SolutionBundle))

    @endpoint
    def export_to_file(self, solution_id: str, path: str | os.PathLike[str]) -> Steps[Path]:
        """Export the solution and write its bundle as JSON to ``path`` (atomically).

        The file is written once the bundle has arrived (a small local write,
        the one thing here that is not a request).
        """
        target = Path(path)
        bundle = yield from type(self).export.steps(self, solution_id)
        content = msgspec.json.format(msgspec.json.encode(bundle), indent=2)
        _write_atomically(target, content + b"\n")
        return target

    @endpoint
    def import_(
        self,
        bundle: BundleLike,
        *,
        name: str | None = None,
        idempotency_key: str | None = None,
    ) -> Steps[ImportResult]:
        """Recreate a bundle's solution and components in this workspace, with new ids.

        ``bundle`` is what ``export`` returned, its JSON as a mapping, or the path
        of a file ``export_to_file`` wrote. References (the solution's, and ids in
        component specs) are mapped to the new ids; ``name`` renames the solution.
        A bundle from a newer format is refused before anything is sent.
        """
        raw = _bundle_json(bundle)
        try:
            decode_bundle(raw)
        except BundleError as exc:
            raise _bundle_error(exc) from None
        params = {"name": name} if name is not None else None
        return (
            yield from send(
                "POST",
                self._collection() + "/import",
                json=raw,
                params=params,
                idempotency_key=idempotency_key,
                type=ImportResult,
            )
        )


def _bundle_json(bundle: BundleLike) -> Any:
    if isinstance(bundle, SolutionBundle):
        return bundle.to_dict()
    if isinstance(bundle, Mapping):
        return msgspec.to_builtins(dict(bundle))
    path = Path(bundle)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CLIValidationError(
            f"cannot read the bundle {str(path)!r}: {exc.strerror or exc}",
            hint="pass the path of a file written by `flow solutions export`",
        ) from None
    try:
        return msgspec.json.decode(content)
    except msgspec.DecodeError as exc:
        raise CLIValidationError(
            f"{path.name} is not JSON: {exc}",
            code="malformed",
            hint="pass the path of a file written by `flow solutions export`",
        ) from None


def _write_atomically(target: Path, content: bytes) -> None:
    """Write to a temporary file beside ``target``, then rename: no half-written bundle."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
