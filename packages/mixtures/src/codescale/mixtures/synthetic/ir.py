"""The program representation every language is rendered from.

A synthetic program is a small, statically typed, imperative program: a few record types, a few functions and a
``main`` that calls each function on sample data and prints the result. The IR is deliberately the intersection of
the seven target languages, so each node has one idiomatic rendering everywhere:

* **Types** are ``int``, ``float``, ``bool``, ``str``, ``list`` of one of those or of a record, and records.
  There is no implicit conversion: mixing ``int`` and ``float`` needs an explicit :class:`ToFloat`, because Go and
  Rust demand it and the other languages render it as a cast or drop it.
* **Names** are tuples of lower-case words (``("unit", "price")``); each renderer applies its own convention
  (``unit_price``, ``unitPrice``, ``UnitPrice``), so the parallel programs differ only where the languages do.
* **Errors** are modelled once: a function marked ``fallible`` may :class:`Fail`; a call to it must be a
  :class:`LetChecked` statement, which either propagates the failure (only inside another fallible function) or
  replaces it with a fallback value. That maps to exceptions in Python/Java/JS/TS/C#, ``(T, error)`` returns in Go
  and ``Result<T, String>`` with ``?`` in Rust.

The builder (``compose.py``) only produces well-typed programs in which every declared variable is used (Go refuses
unused variables), so the renderers never have to repair a program.
"""

from __future__ import annotations

from dataclasses import dataclass

Name = tuple[str, ...]
"""An identifier as lower-case words; renderers choose snake_case, camelCase or PascalCase."""


# --- types -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scalar:
    kind: str  # "int" | "float" | "bool" | "str"


@dataclass(frozen=True, slots=True)
class ListOf:
    element: Type


@dataclass(frozen=True, slots=True)
class RecordType:
    name: Name


Type = Scalar | ListOf | RecordType

INT = Scalar("int")
FLOAT = Scalar("float")
BOOL = Scalar("bool")
STR = Scalar("str")


def is_copy(t: Type) -> bool:
    """Values of this type are copied on assignment in every target language (numbers and booleans)."""
    return isinstance(t, Scalar) and t.kind != "str"


# --- expressions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lit:
    value: int | float | str | bool
    type: Type


@dataclass(frozen=True, slots=True)
class Var:
    name: Name
    type: Type


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic (``+ - * / %``), comparison (``< <= > >= == !=``) or logic (``and or``).

    ``/`` on two ints is integer division (``//`` in Python, ``Math.trunc`` in JavaScript).
    """

    op: str
    left: Expr
    right: Expr
    type: Type


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class ToFloat:
    operand: Expr
    type: Type = FLOAT


@dataclass(frozen=True, slots=True)
class Length:
    """Number of elements of a list, or of characters of an ASCII string."""

    operand: Expr
    type: Type = INT


@dataclass(frozen=True, slots=True)
class Index:
    sequence: Expr
    position: Expr
    type: Type


@dataclass(frozen=True, slots=True)
class Field:
    record: Expr
    field: Name
    type: Type


@dataclass(frozen=True, slots=True)
class Call:
    """A call to a function of the same program that cannot fail."""

    function: Name
    args: tuple[Expr, ...]
    type: Type


@dataclass(frozen=True, slots=True)
class NewRecord:
    record: Name
    args: tuple[Expr, ...]  # in field order
    type: Type


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Expr, ...]
    type: ListOf


@dataclass(frozen=True, slots=True)
class Format:
    """String interpolation: literal text and expressions, in order (f-strings, template literals, ``format!``...)."""

    parts: tuple[str | Expr, ...]
    type: Type = STR


@dataclass(frozen=True, slots=True)
class Upper:
    operand: Expr
    type: Type = STR


@dataclass(frozen=True, slots=True)
class Contains:
    """Substring test: ``needle in haystack``."""

    haystack: Expr
    needle: Expr
    type: Type = BOOL


Expr = (
    Lit | Var | Binary | Not | ToFloat | Length | Index | Field | Call | NewRecord | ListLit | Format | Upper | Contains
)


# --- statements --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Let:
    name: Name
    type: Type
    value: Expr
    mutable: bool = False


@dataclass(frozen=True, slots=True)
class Assign:
    """``name = value``, or ``name op= value`` when ``op`` is set."""

    name: Name
    value: Expr
    op: str | None = None


@dataclass(frozen=True, slots=True)
class Append:
    list_name: Name
    value: Expr


@dataclass(frozen=True, slots=True)
class If:
    condition: Expr
    then: tuple[Stmt, ...]
    otherwise: tuple[Stmt, ...] = ()  # a lone If here renders as ``else if``


@dataclass(frozen=True, slots=True)
class ForEach:
    item: Name
    item_type: Type
    sequence: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class ForRange:
    """``for index in start..stop`` (stop excluded), over ints."""

    index: Name
    start: Expr
    stop: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class While:
    condition: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Return:
    value: Expr


@dataclass(frozen=True, slots=True)
class Fail:
    """Stop a fallible function with an error message (raise, throw, ``return ..., err``, ``return Err(..)``)."""

    message: Format


@dataclass(frozen=True, slots=True)
class LetChecked:
    """Bind the result of a fallible call; on failure propagate it (``fallback`` is None) or use ``fallback``."""

    name: Name
    type: Type
    call: Call
    fallback: Expr | None


@dataclass(frozen=True, slots=True)
class Print:
    value: Expr


Stmt = Let | Assign | Append | If | ForEach | ForRange | While | Return | Fail | LetChecked | Print


# --- declarations ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Param:
    name: Name
    type: Type


@dataclass(frozen=True, slots=True)
class Function:
    name: Name
    params: tuple[Param, ...]
    returns: Type
    body: tuple[Stmt, ...]
    doc: str
    fallible: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    name: Name
    fields: tuple[Param, ...]
    doc: str


@dataclass(frozen=True, slots=True)
class Program:
    """``container`` names the class that wraps everything in Java and C#."""

    container: Name
    records: tuple[Record, ...]
    functions: tuple[Function, ...]
    main: tuple[Stmt, ...]
