"""Go: ``package main`` with a ``main`` function, mixedCaps names (exported struct types and fields, unexported
functions), slices, ``fmt.Sprintf`` and ``(T, error)`` results checked with ``if err != nil``.

Imports are collected while the body is rendered, because Go refuses unused imports. The output is what ``gofmt``
would print: struct fields are aligned, and spaces around binary operators follow go/printer's rule. That rule
depends on the *depth* of an expression (1 at statement level, one more inside a call with several arguments, an
index, or an operand of a looser operator; parentheses take one level back): at depth 1 an expression mixing ``+``
and ``*`` levels drops the spaces around ``*``, and deeper expressions drop them around both levels
(``append(scaled, value*factor)``, ``x > y*2``).
"""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import (
    BOOL,
    FLOAT,
    INT,
    STR,
    Append,
    Binary,
    Call,
    Contains,
    Expr,
    Fail,
    Field,
    ForEach,
    Format,
    ForRange,
    Function,
    Index,
    Length,
    Let,
    LetChecked,
    ListLit,
    ListOf,
    Name,
    NewRecord,
    Program,
    Record,
    RecordType,
    Return,
    ToFloat,
    Type,
    Upper,
)
from codescale.mixtures.synthetic.naming import go_camel, go_pascal
from codescale.mixtures.synthetic.render.base import ATOM, PRECEDENCE, needs_parentheses, quote
from codescale.mixtures.synthetic.render.braces import PrintfRenderer


class GoRenderer(PrintfRenderer):
    language = "go"
    indent_unit = "\t"
    statement_end = ""
    format_verbs = {INT: "%d", FLOAT: "%.2f", BOOL: "%t", STR: "%s"}
    sprintf, printf, println = "fmt.Sprintf", "fmt.Printf", "fmt.Println"
    printf_newline = "\\n"

    def __init__(self) -> None:
        super().__init__()
        self.imports: set[str] = set()
        self.records: dict[Name, Record] = {}
        self.current: Function | None = None
        self.expression_depth = 1

    def at(self, depth: int, e: Expr) -> str:
        """Render ``e`` at a gofmt expression depth (see the module docstring)."""
        saved, self.expression_depth = self.expression_depth, depth
        try:
            return self.expr(e)
        finally:
            self.expression_depth = saved

    def arguments(self, args: list[Expr] | tuple[Expr, ...], extra: int = 0) -> list[str]:
        """Call arguments: one level deeper when the call has several (``extra`` counts ones rendered elsewhere)."""
        depth = self.expression_depth + (1 if len(args) + extra > 1 else 0)
        return [self.at(depth, a) for a in args]

    def ident(self, name: Name) -> str:
        return go_camel(name)

    def condition(self, text: str) -> str:
        return text

    def type_name(self, t: Type) -> str:
        if isinstance(t, ListOf):
            return f"[]{self.type_name(t.element)}"
        if isinstance(t, RecordType):
            return go_pascal(t.name)
        return {"int": "int", "float": "float64", "bool": "bool", "str": "string"}[t.kind]

    def zero(self, t: Type) -> str:
        if isinstance(t, ListOf):
            return "nil"
        if isinstance(t, RecordType):
            return f"{go_pascal(t.name)}{{}}"
        return {"int": "0", "float": "0", "bool": "false", "str": '""'}[t.kind]

    def program(self, program: Program) -> None:
        self.imports = {"fmt"}
        self.records = {r.name: r for r in program.records}
        for record in program.records:
            self.line(f"// {go_pascal(record.name)} is {record.doc[0].lower()}{record.doc[1:]}")
            self.open(f"type {go_pascal(record.name)} struct")
            width = max(len(go_pascal(f.name)) for f in record.fields)  # gofmt aligns field types
            for f in record.fields:
                self.line(f"{go_pascal(f.name):<{width}} {self.type_name(f.type)}")
            self.close()
            self.line()
        for function in program.functions:
            self.function(function)
            self.line()
        self.current = None
        self.braced("func main()", program.main)
        body = self.lines
        self.lines = ["package main", ""]
        if len(self.imports) == 1:
            self.lines.append(f"import {quote(next(iter(self.imports)))}")
        else:
            self.lines += ["import (", *(f"\t{quote(name)}" for name in sorted(self.imports)), ")"]
        self.lines += ["", *body]

    def function(self, f: Function) -> None:
        self.current = f
        doc = f.doc[0].lower() + f.doc[1:]
        self.line(f"// {go_camel(f.name)} {doc}")
        params = ", ".join(f"{go_camel(p.name)} {self.type_name(p.type)}" for p in f.params)
        result = f"({self.type_name(f.returns)}, error)" if f.fallible else self.type_name(f.returns)
        self.braced(f"func {go_camel(f.name)}({params}) {result}", f.body)

    # -- statements -----------------------------------------------------------------------------------------------

    def stmt_Let(self, s: Let) -> None:
        if isinstance(s.value, ListLit) and not s.value.items:
            self.line(f"var {go_camel(s.name)} {self.type_name(s.type)}")
        else:
            self.line(f"{go_camel(s.name)} := {self.expr(s.value)}")

    def stmt_Append(self, s: Append) -> None:
        target = go_camel(s.list_name)
        self.line(f"{target} = append({target}, {self.at(2, s.value)})")

    def stmt_ForEach(self, s: ForEach) -> None:
        self.braced(f"for _, {go_camel(s.item)} := range {self.expr(s.sequence)}", s.body)

    def stmt_ForRange(self, s: ForRange) -> None:
        i = go_camel(s.index)
        self.braced(f"for {i} := {self.expr(s.start)}; {i} < {self.expr(s.stop)}; {i}++", s.body)

    def stmt_While(self, s) -> None:
        self.braced(f"for {self.expr(s.condition)}", s.body)

    def stmt_Return(self, s: Return) -> None:
        value = self.expr(s.value)
        self.line(f"return {value}, nil" if self.current is not None and self.current.fallible else f"return {value}")

    def stmt_Fail(self, s: Fail) -> None:
        assert self.current is not None
        self.line(f"return {self.zero(self.current.returns)}, {self.error(s.message)}")

    def error(self, message: Format) -> str:
        template, args = self.format_parts(message)
        if not args:
            self.imports.add("errors")
            return f"errors.New({quote(template.replace('%%', '%'))})"
        return f"fmt.Errorf({quote(template)}, {', '.join(args)})"

    def stmt_LetChecked(self, s: LetChecked) -> None:
        name = go_camel(s.name)
        self.line(f"{name}, err := {self.expr(s.call)}")
        self.open("if err != nil")
        if s.fallback is None:
            assert self.current is not None
            self.line(f"return {self.zero(self.current.returns)}, err")
        else:
            self.line(f"{name} = {self.expr(s.fallback)}")
        self.close()

    # -- expressions ----------------------------------------------------------------------------------------------

    def expr_Binary(self, e: Binary) -> str:
        depth, precedence = self.expression_depth, PRECEDENCE[e.op]
        left_depth = depth if isinstance(e.left, Binary) and PRECEDENCE[e.left.op] == precedence else depth + 1
        left = self.go_operand(e.left, precedence, False, e.op, left_depth)
        right = self.go_operand(e.right, precedence, True, e.op, depth + 1)
        op = self.operators.get(e.op, e.op)
        return f"{left} {op} {right}" if precedence < _gofmt_cutoff(e, depth) else f"{left}{op}{right}"

    def go_operand(self, e: Expr, precedence: int, right_side: bool, parent_op: str, depth: int) -> str:
        if needs_parentheses(e, precedence, right_side, parent_op):
            return f"({self.at(max(depth - 1, 1), e)})"
        return self.at(depth, e)

    def expr_ToFloat(self, e: ToFloat) -> str:
        return f"float64({self.expr(e.operand)})"

    def expr_Length(self, e: Length) -> str:
        return f"len({self.expr(e.operand)})"

    def expr_Index(self, e: Index) -> str:
        return f"{self.operand(e.sequence, ATOM)}[{self.at(self.expression_depth + 1, e.position)}]"

    def expr_Field(self, e: Field) -> str:
        return f"{self.operand(e.record, ATOM)}.{go_pascal(e.field)}"

    def expr_Call(self, e: Call) -> str:
        return f"{go_camel(e.function)}({', '.join(self.arguments(e.args))})"

    def expr_NewRecord(self, e: NewRecord) -> str:
        fields = self.records[e.record].fields
        inits = ", ".join(f"{go_pascal(f.name)}: {self.at(1, a)}" for f, a in zip(fields, e.args))
        return f"{go_pascal(e.record)}{{{inits}}}"

    def expr_ListLit(self, e: ListLit) -> str:
        element = e.type.element
        items = [self.at(1, item) for item in e.items]
        if isinstance(element, RecordType):  # the element type is implied inside a composite literal
            items = [item[len(go_pascal(element.name)) :] for item in items]
        return f"{self.type_name(e.type)}{{{', '.join(items)}}}"

    def format_values(self, values: list[Expr]) -> list[str]:
        """Rendered as arguments of a call that also takes the template."""
        return self.arguments(values, extra=1)

    def expr_Upper(self, e: Upper) -> str:
        self.imports.add("strings")
        return f"strings.ToUpper({self.expr(e.operand)})"

    def expr_Contains(self, e: Contains) -> str:
        self.imports.add("strings")
        return f"strings.Contains({', '.join(self.arguments((e.haystack, e.needle)))})"


def _gofmt_cutoff(e: Binary, depth: int) -> int:
    """go/printer's cutoff: operators binding tighter than it are printed without surrounding spaces."""
    levels = _operator_levels(e)
    if 4 in levels and 5 in levels:
        return 5 if depth == 1 else 4
    return 6 if depth == 1 else 4


def _operator_levels(e: Binary) -> set[int]:
    """Precedence levels in ``e``, not looking inside parenthesised operands (go/printer's walkBinary)."""
    precedence = PRECEDENCE[e.op]
    levels = {precedence}
    for child, right_side in ((e.left, False), (e.right, True)):
        if isinstance(child, Binary) and not needs_parentheses(child, precedence, right_side, e.op):
            levels |= _operator_levels(child)
    return levels
