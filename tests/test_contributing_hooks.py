"""Every plugin hook is documented in CONTRIBUTING.md and exercised by a test (as datasette
checks its own hooks): a new hook cannot land undocumented or untested, and the guide
cannot describe a hook that no longer exists."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import flow_sdk.hookspecs
import flow_sdk_local.hookspecs
import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SPEC_MODULES = (flow_sdk.hookspecs, flow_sdk_local.hookspecs)
SPEC_MARKER = f"{flow_sdk.hookspecs.PROJECT_NAME}_spec"  # what pluggy's hookspec sets


def hooks_of(module: ModuleType) -> dict[str, list[str]]:
    """The hook specifications in ``module``: name → argument names."""
    found: dict[str, list[str]] = {}
    for name, value in vars(module).items():
        if callable(value) and hasattr(value, SPEC_MARKER) and value.__module__ == module.__name__:
            code = value.__code__
            found[name] = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    return found


HOOKS = {name: args for module in SPEC_MODULES for name, args in hooks_of(module).items()}


def writing_a_plugin() -> str:
    """The "Writing a plugin" section of CONTRIBUTING.md."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    match = re.search(r"^## Writing a plugin\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, 'CONTRIBUTING.md has no "## Writing a plugin" section'
    return match.group(1)


def python_examples(section: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_hooks_are_found() -> None:
    assert {"flow_sdk_namespaces", "flow_sdk_transport", "flow_sdk_local_routes"} <= set(HOOKS)
    assert HOOKS["flow_sdk_transport"] == ["platform_url", "plugin_manager"]


def documentation_problem(hook: str, args: list[str], section: str) -> str | None:
    """Why ``section`` does not document ``hook`` properly, or None."""
    signature = f"{hook}({', '.join(args)})"
    if signature not in section:
        return f"CONTRIBUTING.md should document `{signature}`"
    examples = [code for code in python_examples(section) if f"def {hook}(" in code]
    if not any("@hookimpl" in code for code in examples):
        return f"CONTRIBUTING.md should show an @hookimpl example implementing {hook}"
    return None


def missing_test(hook: str, sources: dict[Path, str]) -> str | None:
    """None when some test implements or calls ``hook``; else what to do."""
    used = re.compile(rf"def {hook}\(|\.{hook}\(|hook\.{hook}\b")
    if any(used.search(text) for text in sources.values()):
        return None
    return f"no test implements or calls {hook}: add one under tests/"


def sources_of_tests() -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for path in TESTS.rglob("*.py")
        if path.resolve() != Path(__file__).resolve()
    }


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_is_documented_with_its_arguments_and_an_example(hook: str) -> None:
    assert documentation_problem(hook, HOOKS[hook], writing_a_plugin()) is None


def test_every_hook_the_guide_describes_exists() -> None:
    described = set(re.findall(r"^\*\*`(flow_sdk_\w+)\(", writing_a_plugin(), re.M))
    assert described, "the guide describes each hook in a **`name(args)`** paragraph"
    assert described - set(HOOKS) == set(), "the guide describes hooks that do not exist"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_has_a_test(hook: str) -> None:
    assert missing_test(hook, sources_of_tests()) is None


def test_a_new_undocumented_untested_hook_would_be_caught() -> None:
    made_up = ModuleType("made_up_hookspecs")

    @flow_sdk.hookspecs.hookspec
    def flow_sdk_made_up(client: object) -> None:
        """A hook nobody documented or tested."""

    flow_sdk_made_up.__module__ = made_up.__name__
    made_up.flow_sdk_made_up = flow_sdk_made_up  # type: ignore[attr-defined]
    assert hooks_of(made_up) == {"flow_sdk_made_up": ["client"]}
    problem = documentation_problem("flow_sdk_made_up", ["client"], writing_a_plugin())
    assert problem == "CONTRIBUTING.md should document `flow_sdk_made_up(client)`"
    assert missing_test("flow_sdk_made_up", sources_of_tests()) is not None
