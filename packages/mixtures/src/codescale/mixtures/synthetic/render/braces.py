"""Shared spellings of the brace languages (Java, JavaScript, TypeScript, C#, Go, Rust).

Blocks are ``header {`` ... ``}`` (C# overrides :meth:`open` for Allman braces), ``else if`` chains fold, logic
operators are ``&&``/``||``/``!``, and ``count += 1`` becomes ``count++`` where the language has it. Failures are
exceptions (``throw new E(...)``, caught by ``try``/``catch``) and loops over a range are C's three-clause ``for``;
Go and Rust, which have neither, override those statements. :class:`PrintfRenderer` adds the ``printf``-style
formatting that Java and Go share.
"""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import (
    Assign,
    Expr,
    Fail,
    Format,
    ForRange,
    If,
    LetChecked,
    NewRecord,
    Not,
    Print,
    Stmt,
    Type,
    While,
)
from codescale.mixtures.synthetic.naming import pascal
from codescale.mixtures.synthetic.render.base import ATOM, Renderer, is_increment, quote


class BraceRenderer(Renderer):
    operators = {"and": "&&", "or": "||"}
    has_increment = True
    statement_end = ";"
    exception_class = ""
    """What ``Fail`` throws and a checked call's ``catch`` catches."""
    index_declarator = ""
    """How a range loop declares its index: ``int``, ``var``, ``let``."""

    def open(self, header: str) -> None:
        self.line(header + " {")
        self.depth += 1

    def close(self, trailer: str = "") -> None:
        self.depth -= 1
        self.line("}" + trailer)

    def braced(self, header: str, body: tuple[Stmt, ...]) -> None:
        self.open(header)
        for s in body:
            self.stmt(s)
        self.close()

    def condition(self, text: str) -> str:
        """Go and Rust write conditions bare; the others parenthesise them."""
        return f"({text})"

    def stmt_If(self, s: If) -> None:
        self.open(f"if {self.condition(self.test(s.condition))}")
        for inner in s.then:
            self.stmt(inner)
        while len(s.otherwise) == 1 and isinstance(s.otherwise[0], If):
            s = s.otherwise[0]
            self.else_header(f"else if {self.condition(self.test(s.condition))}")
            for inner in s.then:
                self.stmt(inner)
        if s.otherwise:
            self.else_header("else")
            for inner in s.otherwise:
                self.stmt(inner)
        self.close()

    def else_header(self, header: str) -> None:
        self.depth -= 1
        self.line(f"}} {header} {{")
        self.depth += 1

    def test(self, e) -> str:
        """A condition; subclasses spell ``len(xs) == 0`` idiomatically."""
        return self.expr(e)

    def stmt_While(self, s: While) -> None:
        self.braced(f"while {self.condition(self.expr(s.condition))}", s.body)

    def stmt_Assign(self, s: Assign) -> None:
        target = self.ident(s.name)
        if self.has_increment and is_increment(s.op, s.value):
            self.line(f"{target}{s.op * 2}{self.statement_end}")
        else:
            self.line(f"{target} {s.op or ''}= {self.assigned(s)}{self.statement_end}")

    def assigned(self, s: Assign) -> str:
        return self.expr(s.value)

    def expr_Not(self, e: Not) -> str:
        return f"!{self.operand(e.operand, ATOM)}"

    def stmt_ForRange(self, s: ForRange) -> None:
        i = self.ident(s.index)
        header = f"for ({self.index_declarator} {i} = {self.expr(s.start)}; {i} < {self.expr(s.stop)}; {i}++)"
        self.braced(header, s.body)

    def stmt_Fail(self, s: Fail) -> None:
        self.line(f"throw new {self.exception_class}({self.expr(s.message)});")

    def try_catch(self, s: LetChecked, catch: str) -> None:
        """Assign a checked call to its (already declared) variable, or its fallback when the call throws."""
        assert s.fallback is not None, "a check without fallback propagates; stmt_LetChecked renders it"
        name = self.ident(s.name)
        self.open("try")
        self.line(f"{name} = {self.expr(s.call)};")
        self.else_header(catch)
        self.line(f"{name} = {self.expr(s.fallback)};")
        self.close()

    def expr_NewRecord(self, e: NewRecord) -> str:
        return f"new {pascal(e.record)}({', '.join(self.expr(a) for a in e.args)})"


class PrintfRenderer(BraceRenderer):
    """Java and Go: formatted strings are a ``printf`` template of verbs (``%d``, ``%.2f``) and its arguments."""

    format_verbs: dict[Type, str] = {}
    sprintf = ""
    """The function that returns a formatted string: ``String.format``, ``fmt.Sprintf``."""
    printf, println = "", ""
    printf_newline = ""
    """The line end written inside a ``printf`` template: Java's ``%n``, Go's ``\\n`` escape."""

    def format_parts(self, e: Format) -> tuple[str, list[str]]:
        """The template and its rendered arguments."""
        template, values = [], []
        for part in e.parts:
            if isinstance(part, str):
                template.append(part.replace("%", "%%"))
            else:
                template.append(self.format_verbs[part.type])
                values.append(part)
        return "".join(template), self.format_values(values)

    def format_values(self, values: list[Expr]) -> list[str]:
        return [self.expr(v) for v in values]

    def expr_Format(self, e: Format) -> str:
        template, args = self.format_parts(e)
        if not args:
            return quote(template.replace("%%", "%"))
        return f"{self.sprintf}({quote(template)}, {', '.join(args)})"

    def stmt_Print(self, s: Print) -> None:
        if isinstance(s.value, Format) and any(not isinstance(p, str) for p in s.value.parts):
            template, args = self.format_parts(s.value)
            literal = quote(template)[:-1] + self.printf_newline + '"'
            self.line(f"{self.printf}({literal}, {', '.join(args)}){self.statement_end}")
        else:
            self.line(f"{self.println}({self.expr(s.value)}){self.statement_end}")
