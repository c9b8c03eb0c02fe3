"""Java 17: one public class per program, nested ``record`` types, ``List<T>`` collections, ``String.format`` and
``IllegalArgumentException`` for failures."""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import (
    BOOL,
    FLOAT,
    INT,
    STR,
    Append,
    Contains,
    Expr,
    Field,
    ForEach,
    Function,
    Index,
    Length,
    Let,
    LetChecked,
    ListLit,
    ListOf,
    Name,
    Program,
    RecordType,
    ToFloat,
    Type,
    Upper,
)
from codescale.mixtures.synthetic.naming import camel, pascal
from codescale.mixtures.synthetic.render.base import ATOM, is_empty_test
from codescale.mixtures.synthetic.render.braces import PrintfRenderer

_BOXED = {INT: "Integer", FLOAT: "Double", BOOL: "Boolean", STR: "String"}


class JavaRenderer(PrintfRenderer):
    language = "java"
    exception_class = "IllegalArgumentException"
    index_declarator = "int"
    format_verbs = {INT: "%d", FLOAT: "%.2f", BOOL: "%b", STR: "%s"}
    sprintf, printf, println = "String.format", "System.out.printf", "System.out.println"
    printf_newline = "%n"

    def ident(self, name: Name) -> str:
        return camel(name)

    def type_name(self, t: Type, boxed: bool = False) -> str:
        if isinstance(t, ListOf):
            return f"List<{self.type_name(t.element, boxed=True)}>"
        if isinstance(t, RecordType):
            return pascal(t.name)
        if boxed:
            return _BOXED[t]
        return {"int": "int", "float": "double", "bool": "boolean", "str": "String"}[t.kind]

    def program(self, program: Program) -> None:
        body_start = len(self.lines)
        self.open(f"public class {pascal(program.container)}")
        for record in program.records:
            self.line(f"/** {record.doc} */")
            components = ", ".join(f"{self.type_name(f.type)} {camel(f.name)}" for f in record.fields)
            self.line(f"record {pascal(record.name)}({components}) {{}}")
            self.line()
        for function in program.functions:
            self.function(function)
            self.line()
        self.braced("public static void main(String[] args)", program.main)
        self.close()
        text = "\n".join(self.lines[body_start:])
        imports = [f"import java.util.{name};" for name in ("ArrayList", "List") if f"{name}<" in text]
        self.lines[body_start:body_start] = [*imports, ""] if imports else []

    def function(self, f: Function) -> None:
        self.line(f"/** {f.doc} */")
        params = ", ".join(f"{self.type_name(p.type)} {camel(p.name)}" for p in f.params)
        self.braced(f"static {self.type_name(f.returns)} {camel(f.name)}({params})", f.body)

    # -- statements -----------------------------------------------------------------------------------------------

    def stmt_Let(self, s: Let) -> None:
        self.line(f"{self.type_name(s.type)} {camel(s.name)} = {self.expr(s.value)};")

    def stmt_Append(self, s: Append) -> None:
        self.line(f"{camel(s.list_name)}.add({self.expr(s.value)});")

    def test(self, e: Expr) -> str:
        empty = is_empty_test(e)
        return f"{self.operand(empty, ATOM)}.isEmpty()" if empty is not None else self.expr(e)

    def stmt_ForEach(self, s: ForEach) -> None:
        self.braced(f"for ({self.type_name(s.item_type)} {camel(s.item)} : {self.expr(s.sequence)})", s.body)

    def stmt_LetChecked(self, s: LetChecked) -> None:
        declaration = f"{self.type_name(s.type)} {camel(s.name)}"
        if s.fallback is None:
            self.line(f"{declaration} = {self.expr(s.call)};")
            return
        self.line(f"{declaration};")
        self.try_catch(s, f"catch ({self.exception_class} e)")

    # -- expressions ----------------------------------------------------------------------------------------------

    def expr_ToFloat(self, e: ToFloat) -> str:
        return f"(double) {self.operand(e.operand, ATOM)}"

    def expr_Length(self, e: Length) -> str:
        method = "length" if e.operand.type == STR else "size"
        return f"{self.operand(e.operand, ATOM)}.{method}()"

    def expr_Index(self, e: Index) -> str:
        return f"{self.operand(e.sequence, ATOM)}.get({self.expr(e.position)})"

    def expr_Field(self, e: Field) -> str:
        return f"{self.operand(e.record, ATOM)}.{camel(e.field)}()"

    def expr_ListLit(self, e: ListLit) -> str:
        if not e.items:
            return "new ArrayList<>()"
        return f"List.of({', '.join(self.expr(item) for item in e.items)})"

    def expr_Upper(self, e: Upper) -> str:
        return f"{self.operand(e.operand, ATOM)}.toUpperCase()"

    def expr_Contains(self, e: Contains) -> str:
        return f"{self.operand(e.haystack, ATOM)}.contains({self.expr(e.needle)})"
