"""``CommandRegistry``: the command groups of ``flow``, from the core and the plugins.

A group is a name, a one-line help and one or more *register* functions
("module:function" or a callable) that fill in the group's argparse parser.
Registers are imported and run only when their group is the one being run,
so a plugin whose command code is broken breaks only its own group, and
``flow --help`` imports nothing beyond the plugins' hook modules.

Core commands cannot be replaced: a plugin that tries is refused and the
refusal is reported (``flow plugins``), never fatal. ``local`` is a
placeholder that the flow-sdk-local plugin fills in.
"""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .._errors import PluginError
from .._specs import Factory

__all__ = ["CORE_COMMANDS", "CommandGroup", "CommandRegistry", "Register"]

logger = logging.getLogger("flow_sdk")

Register = Factory
"""``"module:function"`` or a callable taking the group's ``argparse.ArgumentParser``."""

CORE_COMMANDS = frozenset(
    {
        "login",
        "logout",
        "auth",
        "orgs",
        "workspaces",
        "profiles",
        "plugins",
        "api",
        "completion",
        "help",
    }
)
"""Names no plugin may take."""

PLACEHOLDERS = {"local": "flow-sdk-local"}
"""Groups the core answers with "install X" until a plugin provides them."""

CORE_OWNER = "flow-sdk-core"
_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Contribution:
    """One register function and who contributed it."""

    register: Register
    plugin: str
    distribution: str | None


@dataclass
class CommandGroup:
    """A top-level ``flow`` command and the functions that fill in its parser."""

    name: str
    help: str
    owner: Contribution
    extensions: list[Contribution] = field(default_factory=list)

    @property
    def core(self) -> bool:
        """True for the groups of flow-sdk-core itself."""
        return self.owner.plugin == CORE_OWNER


class CommandRegistry:
    """Collects the command groups of ``flow``; passed to ``flow_sdk_cli_commands``.

    Plugins call ``add_group`` for their own groups and ``extend_group`` to add
    verbs to a group another plugin (or a component type) owns.
    """

    def __init__(self) -> None:
        self.groups: dict[str, CommandGroup] = {}
        self.errors: list[PluginError] = []
        self._pending: list[tuple[str, Contribution]] = []
        self._plugin = CORE_OWNER
        self._distribution: str | None = CORE_OWNER

    def __repr__(self) -> str:
        return f"CommandRegistry({sorted(self.groups)})"

    # the API plugins use

    def add_group(self, name: str, help: str, register: Register) -> None:
        """Add the command group ``flow NAME``; ``register(parser)`` fills it in when run."""
        who = self._contribution(register)
        if not self._valid_name(name, who, "add_group"):
            return
        existing = self.groups.get(name)
        if who.plugin != CORE_OWNER and name in CORE_COMMANDS:
            self._refuse(
                f"plugin {self._owner_text(who)} tried to add `flow {name}`, a core command; "
                "refused",
                hint=f"rename the group in {self._owner_text(who)}; core commands cannot "
                "be replaced",
            )
            return
        if existing is not None and not (existing.core and name in PLACEHOLDERS):
            self._refuse(
                f"plugin {self._owner_text(who)} tried to add `flow {name}`, which "
                f"{self._owner_text(existing.owner)} already provides; refused",
                hint="use commands.extend_group(...) to add verbs to another plugin's group",
            )
            return
        self.groups[name] = CommandGroup(name, help, who)

    def extend_group(self, name: str, register: Register) -> None:
        """Add verbs to the group ``flow NAME`` that another plugin provides.

        The group may be registered later in the same start-up; a verb whose
        name the group already has is refused when the group loads.
        """
        who = self._contribution(register)
        if not self._valid_name(name, who, "extend_group"):
            return
        self._pending.append((name, who))

    # used by the flow command itself

    def add_core_group(self, name: str, help: str, register: Register) -> None:
        """A group of the core; plugins cannot replace it."""
        self.groups[name] = CommandGroup(name, help, Contribution(register, CORE_OWNER, CORE_OWNER))

    def plugin_context(self, plugin: str, distribution: str | None) -> _Registering:
        """Attribute the groups added inside the ``with`` block to ``plugin``."""
        return _Registering(self, plugin, distribution)

    def finish(self) -> None:
        """Attach extensions to their groups, reporting those whose group does not exist."""
        for name, who in self._pending:
            group = self.groups.get(name)
            if group is None:
                self._refuse(
                    f"plugin {self._owner_text(who)} extends `flow {name}`, which no "
                    "installed plugin provides; its verbs are left out",
                    hint=f"install the plugin that provides `flow {name}`",
                )
            elif name in PLACEHOLDERS and group.core:
                self._refuse(
                    f"plugin {self._owner_text(who)} extends `flow {name}`, which needs "
                    f"{PLACEHOLDERS[name]}; its verbs are left out",
                    hint=f"pip install {PLACEHOLDERS[name]}",
                )
            else:
                group.extensions.append(who)
        self._pending = []

    def commands_of(self, plugin: str) -> tuple[str, ...]:
        """The groups ``plugin`` provides, then ``+name`` for those it extends."""
        own = [g.name for g in self.groups.values() if g.owner.plugin == plugin]
        extended = [
            f"+{g.name}"
            for g in self.groups.values()
            if any(e.plugin == plugin for e in g.extensions)
        ]
        return tuple(sorted(own) + sorted(extended))

    # helpers

    def _contribution(self, register: Register) -> Contribution:
        if not (isinstance(register, str) and ":" in register) and not callable(register):
            raise TypeError(f"register must be 'module:function' or a callable, not {register!r}")
        return Contribution(register, self._plugin, self._distribution)

    def _valid_name(self, name: str, who: Contribution, method: str) -> bool:
        if isinstance(name, str) and _NAME.fullmatch(name):
            return True
        self._refuse(
            f"plugin {self._owner_text(who)} called {method} with the invalid group name "
            f"{name!r}; refused",
            hint="group names are lower-case words joined by dashes, e.g. code-blocks",
        )
        return False

    @staticmethod
    def _owner_text(who: Contribution) -> str:
        return who.distribution or who.plugin

    def _refuse(self, message: str, *, hint: str) -> None:
        error = PluginError(message, hint=hint)
        self.errors.append(error)
        logger.warning("%s", message)


class _Registering:
    def __init__(self, registry: CommandRegistry, plugin: str, distribution: str | None) -> None:
        self._registry = registry
        self._who = (plugin, distribution)

    def __enter__(self) -> CommandRegistry:
        self._registry._plugin, self._registry._distribution = self._who
        return self._registry

    def __exit__(self, *exc_info: object) -> None:
        self._registry._plugin, self._registry._distribution = CORE_OWNER, CORE_OWNER


def load_group(
    group: CommandGroup,
    parser: argparse.ArgumentParser,
    *,
    resolve: Callable[[Register], Callable[[argparse.ArgumentParser], object]],
    warn: Callable[[str], None],
) -> None:
    """Import and run a group's register functions on its parser.

    The owner's failure is the command's failure (a ``PluginError`` naming the
    distribution); an extension's failure leaves its verbs out with a warning.
    """
    try:
        resolve(group.owner.register)(parser)
    except Exception as exc:
        owner = group.owner.distribution or group.owner.plugin
        raise PluginError(
            f"the `flow {group.name}` commands from {owner} failed to load: {exc!r}",
            hint=f"reinstall or upgrade {owner}, or disable it with "
            f"FLOW_DISABLE_PLUGINS={group.owner.plugin}",
        ) from exc
    for extension in group.extensions:
        try:
            resolve(extension.register)(parser)
        except Exception as exc:
            owner = extension.distribution or extension.plugin
            warn(
                f"the verbs that {owner} adds to `flow {group.name}` failed to load and are "
                f"left out: {exc!r}"
            )
