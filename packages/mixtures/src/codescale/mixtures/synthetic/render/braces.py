"""Shared spellings of the brace languages (Java, JavaScript, TypeScript, C#, Go, Rust).

Blocks are ``header {`` ... ``}`` (C# overrides :meth:`open` for Allman braces), ``else if`` chains fold, logic
operators are ``&&``/``||``/``!``, and ``count += 1`` becomes ``count++`` where the language has it.
"""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import Assign, If, Not, Stmt, While
from codescale.mixtures.synthetic.render.base import ATOM, Renderer, is_increment


class BraceRenderer(Renderer):
    operators = {"and": "&&", "or": "||"}
    has_increment = True
    statement_end = ";"

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
