"""JavaScript (ES2020, runs on Node): JSDoc-typed functions, a class per record, template literals, ``Error``
exceptions. TypeScript (``typescript.py``) reuses this renderer and adds static types."""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import (
    FLOAT,
    INT,
    Append,
    Binary,
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
from codescale.mixtures.synthetic.render.base import ATOM, PRECEDENCE, is_empty_test, plain_text, quote
from codescale.mixtures.synthetic.render.braces import BraceRenderer


class JavaScriptRenderer(BraceRenderer):
    language = "javascript"
    indent_unit = "  "
    operators = {"and": "&&", "or": "||", "==": "===", "!=": "!=="}
    exception_class = "Error"
    index_declarator = "let"

    def ident(self, name: Name) -> str:
        return camel(name)

    def type_name(self, t: Type) -> str:
        """The TypeScript spelling, also used in JSDoc comments."""
        if isinstance(t, ListOf):
            return f"{self.type_name(t.element)}[]"
        if isinstance(t, RecordType):
            return pascal(t.name)
        return {"int": "number", "float": "number", "bool": "boolean", "str": "string"}[t.kind]

    def program(self, program: Program) -> None:
        for record in program.records:
            self.record(record)
            self.line()
        for function in program.functions:
            self.function(function)
            self.line()
        self.braced("function main()", program.main)
        self.line()
        self.line("main();")

    def record(self, record: Record) -> None:
        self.line(f"/** {record.doc} */")
        self.open(f"class {pascal(record.name)}")
        fields = [camel(f.name) for f in record.fields]
        self.open(f"constructor({', '.join(fields)})")
        for field in fields:
            self.line(f"this.{field} = {field};")
        self.close()
        self.close()

    def function(self, f: Function) -> None:
        self.line("/**")
        self.line(f" * {f.doc}")
        for p in f.params:
            self.line(f" * @param {{{self.type_name(p.type)}}} {camel(p.name)}")
        self.line(f" * @returns {{{self.type_name(f.returns)}}}")
        self.line(" */")
        self.braced(f"function {camel(f.name)}({', '.join(camel(p.name) for p in f.params)})", f.body)

    # -- statements -----------------------------------------------------------------------------------------------

    def declared(self, name: Name, t: Type) -> str:
        return camel(name)

    def stmt_Let(self, s: Let) -> None:
        keyword = "let" if s.mutable else "const"
        target = self.declared(s.name, s.type) if isinstance(s.value, ListLit) and not s.value.items else camel(s.name)
        self.line(f"{keyword} {target} = {self.expr(s.value)};")

    def stmt_Append(self, s: Append) -> None:
        self.line(f"{camel(s.list_name)}.push({self.expr(s.value)});")

    def test(self, e: Expr) -> str:
        empty = is_empty_test(e)
        return f"{self.operand(empty, ATOM)}.length === 0" if empty is not None else self.expr(e)

    def stmt_ForEach(self, s: ForEach) -> None:
        self.braced(f"for (const {camel(s.item)} of {self.expr(s.sequence)})", s.body)

    def stmt_LetChecked(self, s: LetChecked) -> None:
        if s.fallback is None:
            self.line(f"const {camel(s.name)} = {self.expr(s.call)};")
            return
        self.line(f"let {self.declared(s.name, s.type)};")
        self.try_catch(s, "catch")

    def stmt_Print(self, s: Print) -> None:
        self.line(f"console.log({self.expr(s.value)});")

    # -- expressions ----------------------------------------------------------------------------------------------

    def number_literal(self, value: int | float) -> str:
        text = repr(value)  # one number type: a whole float is written as an integer
        return text[:-2] if text.endswith(".0") else text

    def expr_Binary(self, e: Binary) -> str:
        if e.op == "/" and e.type == INT:
            p = PRECEDENCE["/"]
            return f"Math.trunc({self.operand(e.left, p)} / {self.operand(e.right, p, True, '/')})"
        return super().expr_Binary(e)

    def expr_ToFloat(self, e: ToFloat) -> str:
        return self.expr(e.operand)

    def operand(self, e: Expr, parent_precedence: int, right_side: bool = False, parent_op: str = "") -> str:
        if isinstance(e, ToFloat):
            return self.operand(e.operand, parent_precedence, right_side, parent_op)
        return super().operand(e, parent_precedence, right_side, parent_op)

    def expr_Length(self, e: Length) -> str:
        return f"{self.operand(e.operand, ATOM)}.length"

    def expr_Index(self, e: Index) -> str:
        return f"{self.operand(e.sequence, ATOM)}[{self.expr(e.position)}]"

    def expr_Field(self, e: Field) -> str:
        return f"{self.operand(e.record, ATOM)}.{camel(e.field)}"

    def expr_ListLit(self, e: ListLit) -> str:
        return f"[{', '.join(self.expr(item) for item in e.items)}]"

    def expr_Format(self, e: Format) -> str:
        pieces = []
        for part in e.parts:
            if isinstance(part, str):
                pieces.append(part.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${"))
            elif part.type == FLOAT:
                pieces.append(f"${{{self.operand(part, ATOM)}.toFixed(2)}}")
            else:
                pieces.append(f"${{{self.expr(part)}}}")
        if (text := plain_text(e.parts)) is not None:
            return quote(text)
        return "`" + "".join(pieces) + "`"

    def expr_Upper(self, e: Upper) -> str:
        return f"{self.operand(e.operand, ATOM)}.toUpperCase()"

    def expr_Contains(self, e: Contains) -> str:
        return f"{self.operand(e.haystack, ATOM)}.includes({self.expr(e.needle)})"
