"""``flow plugins new NAME``: write a new plugin distribution that works as written.

The files come from ``templates/plugin`` beside this module: each
``{{key}}`` in a path or a text is replaced by the names derived from NAME,
and the ``.tmpl`` suffix (which keeps linters and pytest away from the
templates) is dropped. The result installs and passes its own tests
unchanged; tests/embedding/test_scaffold.py installs one in a fresh
environment and runs them.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import asdict, dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .._catalog import distribution_for
from .._errors import CLIClientError
from .._version import __version__
from ._registry import CORE_COMMANDS, PLACEHOLDERS

__all__ = ["PluginNames", "plugin_names", "render_plugin", "write_plugin"]

TEMPLATE_SUFFIX = ".tmpl"
MAX_NAME_LENGTH = 40
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
CONSOLE_PANELS = frozenset({"overview", "platform"})
"""The local console's own panels: a plugin's panel (``/console/NAME``) cannot take them."""


@dataclass(frozen=True)
class PluginNames:
    """Every name a new plugin uses, derived from the one its author chose."""

    name: str  # the `flow NAME` group and the resource path: "reading-list"
    distribution: str  # "flow-sdk-reading-list"
    package: str  # "flow_sdk_reading_list"
    attribute: str  # client.reading_list, and the entry-point name
    class_prefix: str  # "ReadingList"
    title: str  # "Reading list"
    id_prefix: str  # ids look like reading_list_3f9a…
    sdk_requirement: str  # "flow-sdk-core>=0.1,<0.2"
    local_requirement: str  # "flow-sdk-local>=0.1,<0.2"


def _compatible(distribution: str) -> str:
    """``dist>=MAJOR.MINOR,<MAJOR.MINOR+1``: this SDK's series (0.x breaks on minor)."""
    major, minor = (int(part) for part in __version__.split(".")[:2])
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f"{distribution}>={major}.{minor},<{upper}"


def plugin_names(name: str) -> PluginNames:
    """The names for a plugin called ``name``; a ``CLIClientError`` saying why one cannot be."""
    hint = "use lower-case words joined by dashes, e.g. `flow plugins new bookmarks`"
    if name.startswith("flow-sdk-"):
        raise CLIClientError(
            f"give the plugin's own name, not its distribution name: {name!r}",
            hint=f"run `flow plugins new {name.removeprefix('flow-sdk-')}`",
        )
    if not _NAME.match(name) or len(name) > MAX_NAME_LENGTH:
        raise CLIClientError(f"{name!r} cannot name a plugin", hint=hint)
    attribute = name.replace("-", "_")
    from ..cli_client import _reserved_names

    if name in CORE_COMMANDS or name in PLACEHOLDERS or attribute in _reserved_names():
        raise CLIClientError(
            f"{name!r} is taken by the SDK itself (a core command or CLIClient attribute)",
            hint="choose another name",
        )
    if name in CONSOLE_PANELS:
        raise CLIClientError(
            f"{name!r} is a panel of the local web console (/console/{name})",
            hint="choose another name",
        )
    if keyword.iskeyword(attribute):
        raise CLIClientError(f"{name!r} is a Python keyword", hint="choose another name")
    owner = distribution_for(attribute)
    if owner is not None:
        raise CLIClientError(
            f"{owner} already provides client.{attribute} and `flow {name}`",
            hint="choose another name, or extend that group with commands.extend_group",
        )
    words = name.split("-")
    return PluginNames(
        name=name,
        distribution=f"flow-sdk-{name}",
        package=f"flow_sdk_{attribute}",
        attribute=attribute,
        class_prefix="".join(word.capitalize() for word in words),
        title=" ".join(words).capitalize(),
        id_prefix=attribute[:16].rstrip("_"),
        sdk_requirement=_compatible("flow-sdk-core"),
        local_requirement=_compatible("flow-sdk-local"),
    )


def _fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _templates(root: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        path = f"{prefix}{entry.name}"
        if entry.is_dir():
            found += _templates(entry, f"{path}/")
        elif path.endswith(TEMPLATE_SUFFIX):
            found.append((path.removesuffix(TEMPLATE_SUFFIX), entry))
    return found


def render_plugin(names: PluginNames) -> dict[str, str]:
    """Each file of the new distribution: relative path → text."""
    values = asdict(names)
    root = resources.files(__package__ or "flow_sdk.cli") / "templates" / "plugin"
    return {
        _fill(path, values): _fill(entry.read_text(encoding="utf-8"), values)
        for path, entry in _templates(root)
    }


def write_plugin(name: str, directory: str | Path | None = None) -> tuple[PluginNames, Path]:
    """Write the plugin ``name`` into ``directory`` (default ``./flow-sdk-NAME``).

    The directory must be absent or empty: nothing is ever overwritten.
    """
    names = plugin_names(name)
    target = Path(directory) if directory is not None else Path.cwd() / names.distribution
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CLIClientError(
            f"{target} already exists and is not an empty directory; nothing was written",
            hint="choose another place with --directory DIR, or remove it",
        )
    files = render_plugin(names)
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return names, target
