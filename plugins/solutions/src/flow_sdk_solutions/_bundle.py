"""The solution bundle: a self-contained, versioned JSON document of a solution.

Shared by the SDK (which checks the format before sending a bundle) and the
local platform (which writes and reads bundles), so both agree on one format.

Format version 1::

    {"format": "flow-solution-bundle", "format_version": 1, "exported_at": "...",
     "solution": {"id", "name", "description", "components": [{"type", "id"}]},
     "components": [{"type", "id", "name", "description", "spec", "version",
                     "versions": [{"version", "name", "description", "spec", "created_at"}]}]}

``versions`` is the component's full history, oldest first; its last entry is
the component as it is now. Every component the solution references is in
``components``, so the bundle needs nothing else to be imported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from flow_sdk.plugin import whole_floats_as_ints

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_FORMAT_VERSION",
    "BundleComponent",
    "BundleError",
    "BundleRef",
    "BundleSolution",
    "BundleVersion",
    "SolutionBundle",
    "decode_bundle",
]

BUNDLE_FORMAT = "flow-solution-bundle"
BUNDLE_FORMAT_VERSION = 1


class _Record(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON values."""
        result = msgspec.to_builtins(self)
        assert isinstance(result, dict)
        return result


class BundleRef(_Record):
    """A reference from the solution to one bundled component."""

    type: str
    id: str


class BundleVersion(_Record):
    """One entry of a component's history."""

    version: int
    name: str
    description: str = ""
    spec: dict[str, Any] = {}
    created_at: datetime | None = None


class BundleComponent(_Record):
    """A component with its whole history."""

    type: str
    id: str
    name: str
    description: str = ""
    spec: dict[str, Any] = {}
    version: int = 1
    versions: list[BundleVersion] = []


class BundleSolution(_Record):
    """The solution itself, its references in the bundle's ids."""

    id: str
    name: str
    description: str = ""
    components: list[BundleRef] = []


class SolutionBundle(_Record):
    """A whole bundle (see the module docstring for the format)."""

    format: str
    format_version: int
    solution: BundleSolution
    components: list[BundleComponent] = []
    exported_at: datetime | None = None


class BundleError(ValueError):
    """A bundle that cannot be imported; ``code`` says why (``newer_format``, ``malformed``)."""

    def __init__(self, message: str, code: str) -> None:
        self.code = code
        super().__init__(message)


def decode_bundle(raw: Any) -> SolutionBundle:
    """A checked bundle from decoded JSON; ``BundleError`` says what is wrong with it.

    A bundle written by a newer format is refused before anything else is
    looked at, since its fields may mean something this code does not know.
    """
    if not isinstance(raw, dict):
        raise BundleError("a solution bundle is a JSON object", "malformed")
    if raw.get("format") != BUNDLE_FORMAT:
        raise BundleError(
            f"not a solution bundle: 'format' is {raw.get('format')!r}, expected {BUNDLE_FORMAT!r}",
            "malformed",
        )
    version = raw.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError("'format_version' must be a positive integer", "malformed")
    if version > BUNDLE_FORMAT_VERSION:
        raise BundleError(
            f"this bundle has format version {version}, newer than the {BUNDLE_FORMAT_VERSION} "
            "this platform reads; upgrade to a release that reads it (pip install -U "
            "flow-sdk-solutions) or export the solution again from an older one",
            "newer_format",
        )
    try:
        bundle = msgspec.convert(whole_floats_as_ints(raw), SolutionBundle)
    except msgspec.ValidationError as exc:
        raise BundleError(f"malformed solution bundle: {exc}", "malformed") from None
    _check_consistent(bundle)
    return bundle


def _check_consistent(bundle: SolutionBundle) -> None:
    keys: set[tuple[str, str]] = set()
    for index, component in enumerate(bundle.components):
        key = (component.type, component.id)
        if key in keys:
            raise BundleError(
                f"malformed solution bundle: component {component.type}/{component.id} "
                f"appears twice (at `$.components[{index}]`)",
                "malformed",
            )
        keys.add(key)
        if not component.versions:
            raise BundleError(
                "malformed solution bundle: `$.components"
                f"[{index}].versions` is empty (it holds the component's history)",
                "malformed",
            )
    for index, ref in enumerate(bundle.solution.components):
        if (ref.type, ref.id) not in keys:
            raise BundleError(
                f"malformed solution bundle: the solution references {ref.type}/{ref.id} "
                f"(at `$.solution.components[{index}]`), which is not in `$.components`",
                "malformed",
            )
