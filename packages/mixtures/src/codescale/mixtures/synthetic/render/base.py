"""What every language renderer shares: an indenting line writer, operator precedence, and the dispatch from IR
nodes to ``expr_<node>`` / ``stmt_<node>`` methods.

A renderer is an object with per-language spellings; rendering a program is a single pass over the IR that appends
lines. Renderers never reorder or rewrite the program, so the seven outputs stay parallel statement by statement;
the only liberties they take are idioms that do not change meaning (``count++``, ``if not values:``,
``values.is_empty()``, a tail expression instead of ``return`` in Rust).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeGuard, get_args

from codescale.mixtures.synthetic.ir import (
    BOOL,
    Binary,
    Call,
    Expr,
    Function,
    Length,
    ListOf,
    Lit,
    Name,
    Program,
    Return,
    Scalar,
    Stmt,
    Type,
    Var,
)

_EXPR_NODES = get_args(Expr)
_STMT_NODES = get_args(Stmt)

# Binding strength of binary operators; atoms (literals, names, calls) bind tightest.
PRECEDENCE = {
    "or": 1,
    "and": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
}
ATOM = 10


def needs_parentheses(e: Expr, parent_precedence: int, right_side: bool = False, parent_op: str = "") -> bool:
    """Whether ``e`` must be parenthesised as an operand of an operator of ``parent_precedence``.

    Comparisons never chain unparenthesised (Python would read ``a < b < c`` as a chain), and a right operand of
    equal precedence keeps its parentheses: every language parses ``a + b + c`` as ``(a + b) + c``, and with floats
    ``a + (b + c)`` is a different computation.
    """
    if not isinstance(e, Binary):
        return False
    own = PRECEDENCE[e.op]
    return own < parent_precedence or (own == parent_precedence and (own == 3 or right_side))


def is_empty_test(e: Expr) -> Expr | None:
    """The list in ``len(list) == 0``, which every language has a more idiomatic spelling for."""
    if (
        isinstance(e, Binary)
        and e.op == "=="
        and isinstance(e.left, Length)
        and isinstance(e.left.operand.type, ListOf)
        and isinstance(e.right, Lit)
        and e.right.value == 0
    ):
        return e.left.operand
    return None


def is_increment(op: str | None, value: Expr) -> TypeGuard[str]:
    return op in ("+", "-") and isinstance(value, Lit) and value.value == 1 and value.type == Scalar("int")


class Renderer:
    """Base class: subclasses define ``ident``, types, and the ``expr_*`` / ``stmt_*`` spellings of their language."""

    language: str = ""
    indent_unit: str = "    "
    operators: dict[str, str] = {}
    statement_end: str = ""
    true_literal, false_literal = "true", "false"

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    _expr_methods: ClassVar[dict[type, Any]]
    _stmt_methods: ClassVar[dict[type, Any]]

    def __init_subclass__(cls, **kwargs) -> None:
        # Dispatch tables from node type to method, built once per class: rendering is a hot loop.
        super().__init_subclass__(**kwargs)
        cls._expr_methods = {node: getattr(cls, "expr_" + node.__name__, None) for node in _EXPR_NODES}
        cls._stmt_methods = {node: getattr(cls, "stmt_" + node.__name__, None) for node in _STMT_NODES}

    # -- output ---------------------------------------------------------------------------------------------------

    def line(self, text: str = "") -> None:
        self.lines.append(self.indent_unit * self.depth + text if text else "")

    def render(self, program: Program) -> str:
        self.lines = []
        self.depth = 0
        self.program(program)
        return "\n".join(self.lines).rstrip() + "\n"

    def program(self, program: Program) -> None:  # pragma: no cover - every renderer overrides it
        raise NotImplementedError

    def block(self, body: tuple[Stmt, ...]) -> None:
        self.depth += 1
        for s in body:
            self.stmt(s)
        self.depth -= 1

    def stmt(self, s: Stmt) -> None:
        self._stmt_methods[type(s)](self, s)

    def stmt_Return(self, s: Return) -> None:
        self.line(f"return {self.expr(s.value)}{self.statement_end}")

    # -- expressions ----------------------------------------------------------------------------------------------

    def expr(self, e: Expr) -> str:
        return self._expr_methods[type(e)](self, e)

    def operand(self, e: Expr, parent_precedence: int, right_side: bool = False, parent_op: str = "") -> str:
        """Render ``e`` as an operand, parenthesised when it binds looser than its parent operator."""
        text = self.expr(e)
        return f"({text})" if needs_parentheses(e, parent_precedence, right_side, parent_op) else text

    def expr_Lit(self, e: Lit) -> str:
        if isinstance(e.value, str):  # a STR literal
            return quote(e.value)
        if e.type == BOOL:
            return self.true_literal if e.value else self.false_literal
        return self.number_literal(e.value)

    def number_literal(self, value: int | float) -> str:
        return repr(value)

    def expr_Var(self, e: Var) -> str:
        return self.ident(e.name)

    def expr_Binary(self, e: Binary) -> str:
        p = PRECEDENCE[e.op]
        left = self.operand(e.left, p)
        right = self.operand(e.right, p, right_side=True, parent_op=e.op)
        return f"{left} {self.operators.get(e.op, e.op)} {right}"

    def expr_Call(self, e: Call) -> str:
        return f"{self.function_name(e.function)}({', '.join(self.expr(a) for a in e.args)})"

    # -- names and types ------------------------------------------------------------------------------------------

    def ident(self, name: Name) -> str:  # pragma: no cover
        raise NotImplementedError

    def type_name(self, t: Type) -> str:  # pragma: no cover
        raise NotImplementedError

    def function_name(self, f: Function | Name) -> str:
        return self.ident(f.name if isinstance(f, Function) else f)


def plain_text(parts: tuple[str | Expr, ...]) -> str | None:
    """The text of a format string without interpolations, or None when it interpolates a value."""
    texts = [p for p in parts if isinstance(p, str)]
    return "".join(texts) if len(texts) == len(parts) else None


def quote(text: str) -> str:
    """A double-quoted string literal valid in all seven languages (the generator only uses printable ASCII)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
