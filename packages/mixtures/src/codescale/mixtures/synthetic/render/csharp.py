"""C#: Allman braces, PascalCase methods and properties, immutable classes for records, ``IReadOnlyList<T>``
parameters, interpolated strings and ``ArgumentException`` for failures.

The output stays within C# 7 (no ``record`` types, no top-level statements) so that Mono's ``mcs`` compiles it as
well as the .NET SDK does.
"""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import (
    FLOAT,
    STR,
    Append,
    Call,
    Contains,
    Expr,
    Field,
    ForEach,
    Format,
    Function,
    Index,
    Length,
    Let,
    LetChecked,
    ListLit,
    ListOf,
    Name,
    Print,
    Program,
    Record,
    RecordType,
    ToFloat,
    Type,
    Upper,
)
from codescale.mixtures.synthetic.naming import camel, pascal
from codescale.mixtures.synthetic.render.base import ATOM, is_empty_test, plain_text, quote
from codescale.mixtures.synthetic.render.braces import BraceRenderer


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CSharpRenderer(BraceRenderer):
    language = "csharp"
    exception_class = "ArgumentException"
    index_declarator = "var"

    def open(self, header: str) -> None:
        self.line(header)
        self.line("{")
        self.depth += 1

    def else_header(self, header: str) -> None:
        self.depth -= 1
        self.line("}")
        self.line(header)
        self.line("{")
        self.depth += 1

    def ident(self, name: Name) -> str:
        return camel(name)

    def type_name(self, t: Type, parameter: bool = False) -> str:
        if isinstance(t, ListOf):
            return f"{'IReadOnlyList' if parameter else 'List'}<{self.type_name(t.element)}>"
        if isinstance(t, RecordType):
            return pascal(t.name)
        return {"int": "int", "float": "double", "bool": "bool", "str": "string"}[t.kind]

    def program(self, program: Program) -> None:
        self.line("using System;")
        self.line("using System.Collections.Generic;")
        self.line()
        for record in program.records:
            self.record(record)
            self.line()
        self.open(f"public static class {pascal(program.container)}")
        for function in program.functions:
            self.function(function)
            self.line()
        self.braced("public static void Main()", program.main)
        self.close()

    def summary(self, text: str) -> None:
        self.line("/// <summary>")
        self.line(f"/// {_xml(text)}")
        self.line("/// </summary>")

    def record(self, record: Record) -> None:
        self.summary(record.doc)
        self.open(f"public sealed class {pascal(record.name)}")
        params = ", ".join(f"{self.type_name(f.type)} {camel(f.name)}" for f in record.fields)
        self.open(f"public {pascal(record.name)}({params})")
        for f in record.fields:
            self.line(f"{pascal(f.name)} = {camel(f.name)};")
        self.close()
        for f in record.fields:
            self.line()
            self.line(f"public {self.type_name(f.type)} {pascal(f.name)} {{ get; }}")
        self.close()

    def function(self, f: Function) -> None:
        self.summary(f.doc)
        params = ", ".join(f"{self.type_name(p.type, parameter=True)} {camel(p.name)}" for p in f.params)
        self.braced(f"public static {self.type_name(f.returns)} {pascal(f.name)}({params})", f.body)

    # -- statements -----------------------------------------------------------------------------------------------

    def stmt_Let(self, s: Let) -> None:
        self.line(f"var {camel(s.name)} = {self.expr(s.value)};")

    def stmt_Append(self, s: Append) -> None:
        self.line(f"{camel(s.list_name)}.Add({self.expr(s.value)});")

    def test(self, e: Expr) -> str:
        empty = is_empty_test(e)
        return f"{self.operand(empty, ATOM)}.Count == 0" if empty is not None else self.expr(e)

    def stmt_ForEach(self, s: ForEach) -> None:
        self.braced(f"foreach (var {camel(s.item)} in {self.expr(s.sequence)})", s.body)

    def stmt_LetChecked(self, s: LetChecked) -> None:
        name = camel(s.name)
        if s.fallback is None:
            self.line(f"var {name} = {self.expr(s.call)};")
            return
        self.line(f"{self.type_name(s.type)} {name};")
        self.try_catch(s, f"catch ({self.exception_class})")

    def stmt_Print(self, s: Print) -> None:
        value = self.expr(s.value)
        if isinstance(s.value.type, ListOf):
            value = f'string.Join(", ", {value})'
        self.line(f"Console.WriteLine({value});")

    # -- expressions ----------------------------------------------------------------------------------------------

    def expr_ToFloat(self, e: ToFloat) -> str:
        return f"(double){self.operand(e.operand, ATOM)}"

    def expr_Length(self, e: Length) -> str:
        return f"{self.operand(e.operand, ATOM)}.{'Length' if e.operand.type == STR else 'Count'}"

    def expr_Index(self, e: Index) -> str:
        return f"{self.operand(e.sequence, ATOM)}[{self.expr(e.position)}]"

    def expr_Field(self, e: Field) -> str:
        return f"{self.operand(e.record, ATOM)}.{pascal(e.field)}"

    def expr_Call(self, e: Call) -> str:
        return f"{pascal(e.function)}({', '.join(self.expr(a) for a in e.args)})"

    def expr_ListLit(self, e: ListLit) -> str:
        items = ", ".join(self.expr(item) for item in e.items)
        return f"new {self.type_name(e.type)}" + (f" {{ {items} }}" if items else "()")

    def expr_Format(self, e: Format) -> str:
        pieces = []
        for part in e.parts:
            if isinstance(part, str):
                pieces.append(part.replace("{", "{{").replace("}", "}}"))
            else:
                pieces.append(f"{{{self.expr(part)}{':F2' if part.type == FLOAT else ''}}}")
        if (text := plain_text(e.parts)) is not None:
            return quote(text)
        return "$" + quote("".join(pieces))

    def expr_Upper(self, e: Upper) -> str:
        return f"{self.operand(e.operand, ATOM)}.ToUpperInvariant()"

    def expr_Contains(self, e: Contains) -> str:
        return f"{self.operand(e.haystack, ATOM)}.Contains({self.expr(e.needle)})"
