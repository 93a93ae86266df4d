"""The library's source holds no print, exit, stdin read or logging configuration.

A static check over every first-party package (the core and each plugin), so
a new module cannot slip one in where no runtime test happens to pass. The
few places that are programs rather than library code are listed below with
the reason; everything else must log through ``logging.getLogger("flow_sdk")``
and report through return values and exceptions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [ROOT / "core" / "src", *(ROOT / "plugins").glob("*/src"), ROOT / "examples" / "plugin" / "src"]
)

# (path relative to the repository, rule): why that file may do it.
ALLOWED: dict[tuple[str, str], str] = {
    # The flow command is a program: it writes to the streams its caller chose
    # (sys.stdout/stderr by default), reads stdin for `--file -` and keys, and
    # adds a handler to "flow_sdk" for the duration of one --debug command.
    ("core/src/flow_sdk/cli/_context.py", "process streams"): "the CLI's default streams",
    ("core/src/flow_sdk/cli/_app.py", "process streams"): "the CLI's default stderr",
    ("core/src/flow_sdk/cli/_app.py", "adds a logging handler"): "--debug, one command long",
    ("core/src/flow_sdk/cli/_app.py", "sets a logging level"): "--debug, one command long",
    ("core/src/flow_sdk/cli/__main__.py", "exits"): "python -m flow_sdk.cli",
    # httpx and httpcore log each request's full URL: a filter redacts their
    # records (it adds no handler and changes no level).
    ("core/src/flow_sdk/_redact.py", "logs outside the flow_sdk logger"): "redacting filter",
    # A code block runs in its own child process, whose output is captured.
    ("plugins/components/src/flow_sdk_components/_child.py", "process streams"): "child process",
    # `python -m flow_sdk_local.openapi > docs/openapi.json` prints the document.
    ("plugins/local/src/flow_sdk_local/openapi.py", "process streams"): "a -m program",
    ("plugins/local/src/flow_sdk_local/openapi.py", "exits"): "a -m program",
}

LOGGING_SETUP = {"basicConfig", "dictConfig", "fileConfig", "disable", "captureWarnings"}
ROOT_LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log"}


def library_files() -> Iterator[Path]:
    for source in SOURCES:
        yield from sorted(source.rglob("*.py"))


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def violations(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(rule, line) for everything in ``tree`` that a library must not do."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if _dotted(exc) == "SystemExit":
                yield "exits", node.lineno
        if isinstance(node, ast.Attribute) and _dotted(node) in (
            "sys.stdout",
            "sys.stderr",
            "sys.stdin",
            "sys.__stdout__",
            "sys.__stderr__",
            "sys.__stdin__",
        ):
            yield "process streams", node.lineno
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name == "print":
            yield "prints", node.lineno
        elif name in ("sys.exit", "os._exit", "exit", "quit", "os.abort"):
            yield "exits", node.lineno
        elif name == "input":
            yield "reads stdin", node.lineno
        elif name.startswith("logging.") and name.split(".")[-1] in LOGGING_SETUP:
            yield "configures logging", node.lineno
        elif name in {f"logging.{f}" for f in ROOT_LOGGING}:
            yield "logs to the root logger", node.lineno
        elif name.endswith(".addHandler"):
            yield "adds a logging handler", node.lineno
        elif name.endswith(".setLevel"):
            yield "sets a logging level", node.lineno
        elif name == "logging.getLogger":
            arg = node.args[0] if node.args else None
            named = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            if not (named and (arg.value == "flow_sdk" or arg.value.startswith("flow_sdk."))):  # type: ignore[union-attr]
                yield "logs outside the flow_sdk logger", node.lineno
        elif name == "warnings.warn":
            yield "warns on stderr", node.lineno


def test_the_check_finds_each_kind_of_violation() -> None:
    code = "\n".join(
        [
            "import logging, sys, os",
            "print('x')",
            "sys.exit(1)",
            "raise SystemExit(2)",
            "input()",
            "sys.stdin.read()",
            "logging.basicConfig()",
            "logging.config.dictConfig({})",
            "logging.warning('x')",
            "logging.getLogger().addHandler(None)",
            "logging.getLogger('mine')",
            "logging.getLogger('flow_sdk').setLevel(10)",
        ]
    )
    found = {rule for rule, _ in violations(ast.parse(code))}
    assert found == {
        "prints",
        "exits",
        "reads stdin",
        "process streams",
        "configures logging",
        "logs to the root logger",
        "adds a logging handler",
        "logs outside the flow_sdk logger",
        "sets a logging level",
    }
    assert list(violations(ast.parse("import logging\nlogging.getLogger('flow_sdk.x')"))) == []


def test_every_first_party_package_is_checked() -> None:
    packages = {p.parent.name for p in library_files() if p.name == "__init__.py"}
    assert {"flow_sdk", "flow_sdk_local", "flow_sdk_components", "flow_sdk_example"} <= packages


@pytest.mark.parametrize("path", list(library_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_library_code_does_not_print_exit_read_stdin_or_configure_logging(path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    found = [
        f"{relative}:{line}: {rule}"
        for rule, line in violations(tree)
        if (relative, rule) not in ALLOWED
    ]
    assert found == [], "log to logging.getLogger('flow_sdk') and raise errors instead"


def test_every_exception_is_still_needed() -> None:
    used = set()
    for path in library_files():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used |= {(relative, rule) for rule, _ in violations(tree)}
    assert set(ALLOWED) - used == set()
