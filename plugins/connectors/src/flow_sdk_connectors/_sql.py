"""Splitting, classifying and vetting SQL with a real parser (sqlglot).

The local platform uses this to preview DDL without touching the database
and to refuse a query that would write. Parsing is the first line of
defence; the drivers add the second (a read-only connection or transaction,
one transaction for a DDL batch), so a statement the parser misjudges still
cannot write where it must not.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokenizer_core import TokenType

__all__ = [
    "DDL_KINDS",
    "ClassifiedStatement",
    "SqlRefused",
    "check_read_only",
    "classify",
    "split_statements",
]

#: The kinds of statement that DDL execution accepts.
DDL_KINDS = frozenset({"create", "alter", "drop", "truncate", "rename", "comment"})

# Node types that write or change state wherever they appear in a query's tree.
_WRITING_NODES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Comment,
    exp.Command,
    exp.Copy,
    exp.Into,
    exp.Lock,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Pragma,
    exp.Set,
    exp.Grant,
    exp.Analyze,
)

# Statement roots a read-only query may have.
_QUERY_ROOTS: tuple[type[exp.Expression], ...] = (exp.Select, exp.SetOperation, exp.Values)


class SqlRefused(ValueError):
    """The SQL cannot be accepted; the message says why and what to do."""


@dataclass(frozen=True)
class ClassifiedStatement:
    """One statement of a batch: its own text, what it does, whether it loses data."""

    sql: str
    kind: str
    destructive: bool

    @property
    def is_ddl(self) -> bool:
        """True for the kinds DDL execution accepts."""
        return self.kind in DDL_KINDS


def split_statements(sql: str, dialect: str) -> list[str]:
    """The statements of ``sql``, each as its original text, without the ``;``.

    Splits on the tokenizer's semicolons, so a ``;`` inside a string, a quoted
    name or a dollar-quoted body does not split; for SQLite a piece is also
    extended until ``sqlite3.complete_statement`` agrees, which keeps a
    ``CREATE TRIGGER … BEGIN …; END`` whole.
    """
    if "\x00" in sql:
        raise SqlRefused("the SQL holds a NUL character, which no statement may contain")
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(sql)
    except SqlglotError as exc:
        raise SqlRefused(f"could not read the SQL: {_first_line(exc)}") from None
    pieces: list[str] = []
    start: int | None = None
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if start is None:
                continue
            if dialect == "sqlite" and not sqlite3.complete_statement(sql[start : token.end + 1]):
                continue
            pieces.append(sql[start : token.start].strip())
            start = None
            continue
        if start is None:
            start = token.start
    if start is not None:
        pieces.append(sql[start:].strip())
    return [piece for piece in pieces if piece]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _parse_one(statement: str, dialect: str) -> exp.Expr:
    try:
        parsed = [e for e in sqlglot.parse(statement, read=dialect) if e is not None]
    except SqlglotError as exc:
        raise SqlRefused(f"could not parse {_excerpt(statement)!r}: {_first_line(exc)}") from None
    if len(parsed) > 1 and isinstance(parsed[0], exp.Command):
        # The parser fell back to a bare command and split what the splitter
        # (the tokenizer, and SQLite's own completeness check) kept whole.
        return parsed[0]
    if len(parsed) != 1:
        raise SqlRefused(f"could not parse {_excerpt(statement)!r} as one statement")
    return parsed[0]


def _excerpt(statement: str, limit: int = 60) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _classify_alter(node: exp.Alter) -> tuple[str, bool]:
    actions = node.args.get("actions") or []
    renames = (exp.AlterRename, exp.RenameColumn)
    if actions and all(isinstance(a, renames) for a in actions):
        return "rename", False
    destructive = False
    for action in actions:
        if isinstance(action, exp.Drop):
            destructive = True  # DROP COLUMN / DROP CONSTRAINT
        elif isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
            destructive = True  # a type change may truncate or reject existing values
    return "alter", destructive


def _classify_command(node: exp.Command) -> tuple[str, bool]:
    """Statements the parser only recognised by their first keyword.

    Unknown detail means unknown risk: a CREATE that is not OR REPLACE only
    adds; anything else that changes the schema is taken as destructive.
    """
    keyword = str(node.this or "").strip().lower()
    rest = str(node.expression or "").strip().lower()
    if keyword == "create":
        return "create", rest.startswith("or replace")
    if keyword in ("drop", "alter", "truncate"):
        return keyword, True
    if keyword == "comment":
        return "comment", False
    return keyword or "unknown", False


def _classify_node(node: exp.Expr) -> tuple[str, bool]:
    if isinstance(node, exp.Create):
        return "create", bool(node.args.get("replace"))
    if isinstance(node, exp.Drop):
        return "drop", True
    if isinstance(node, exp.Alter):
        return _classify_alter(node)
    if isinstance(node, exp.TruncateTable):
        return "truncate", True
    if isinstance(node, exp.Comment):
        return "comment", False
    if isinstance(node, exp.Command):
        return _classify_command(node)
    return type(node).__name__.lower(), False


def classify(sql: str, dialect: str) -> list[ClassifiedStatement]:
    """Each statement of ``sql`` with its kind and whether it is destructive.

    Touches no database. Raises ``SqlRefused`` for SQL that does not parse
    or holds no statement.
    """
    statements = split_statements(sql, dialect)
    if not statements:
        raise SqlRefused("the SQL holds no statement; pass one or more DDL statements")
    result = []
    for statement in statements:
        kind, destructive = _classify_node(_parse_one(statement, dialect))
        result.append(ClassifiedStatement(statement, kind, destructive))
    return result


def check_read_only(sql: str, dialect: str) -> str:
    """The one statement of ``sql`` if it only reads; ``SqlRefused`` otherwise."""
    statements = split_statements(sql, dialect)
    if len(statements) != 1:
        raise SqlRefused(
            f"a query must be exactly one statement, got {len(statements)}; "
            "send each SELECT on its own"
        )
    statement = statements[0]
    node = _parse_one(statement, dialect)
    if not isinstance(node, _QUERY_ROOTS):
        kind, _ = _classify_node(node)
        raise SqlRefused(
            f"queries are read-only: a {kind.upper()} statement is refused; "
            "use SELECT (and execute_ddl for schema changes)"
        )
    for child in node.walk():
        if isinstance(child, _WRITING_NODES):
            raise SqlRefused(
                "queries are read-only: this SELECT contains "
                f"{type(child).__name__.upper()}, which writes or locks"
            )
    return statement
