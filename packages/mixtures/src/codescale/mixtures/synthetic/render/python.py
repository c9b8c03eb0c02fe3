"""Python: type-hinted functions, a frozen dataclass per record, f-strings, ``ValueError`` for failures."""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import (
    FLOAT,
    INT,
    Append,
    Assign,
    Binary,
    Contains,
    Fail,
    Field,
    ForEach,
    Format,
    ForRange,
    Function,
    If,
    Index,
    Length,
    Let,
    LetChecked,
    ListLit,
    ListOf,
    Name,
    NewRecord,
    Not,
    Print,
    Program,
    RecordType,
    ToFloat,
    Type,
    Upper,
    While,
)
from codescale.mixtures.synthetic.naming import pascal, snake
from codescale.mixtures.synthetic.render.base import ATOM, Renderer, is_empty_test, quote


class PythonRenderer(Renderer):
    language = "python"
    operators = {"/": "/"}
    true_literal, false_literal = "True", "False"

    def ident(self, name: Name) -> str:
        return snake(name)

    def type_name(self, t: Type) -> str:
        if isinstance(t, ListOf):
            return f"list[{self.type_name(t.element)}]"
        if isinstance(t, RecordType):
            return pascal(t.name)
        return {"int": "int", "float": "float", "bool": "bool", "str": "str"}[t.kind]

    # -- declarations ---------------------------------------------------------------------------------------------

    def program(self, program: Program) -> None:
        self.line(f'"""{" ".join(program.container).capitalize()}: a small self-contained example."""')
        self.line()
        if program.records:
            self.line("from dataclasses import dataclass")
            self.line()
        for record in program.records:
            self.line()
            self.line("@dataclass(frozen=True)")
            self.line(f"class {pascal(record.name)}:")
            self.depth += 1
            self.line(f'"""{record.doc}"""')
            self.line()
            for field in record.fields:
                self.line(f"{snake(field.name)}: {self.type_name(field.type)}")
            self.depth -= 1
            self.line()
        for function in program.functions:
            self.line()
            self.function(function)
            self.line()
        self.line()
        self.line("def main() -> None:")
        self.block(program.main)
        self.line()
        self.line()
        self.line('if __name__ == "__main__":')
        self.line("    main()")

    def function(self, f: Function) -> None:
        params = ", ".join(f"{snake(p.name)}: {self.type_name(p.type)}" for p in f.params)
        self.line(f"def {snake(f.name)}({params}) -> {self.type_name(f.returns)}:")
        self.depth += 1
        self.line(f'"""{f.doc}"""')
        self.depth -= 1
        self.block(f.body)

    # -- statements -----------------------------------------------------------------------------------------------

    def stmt_Let(self, s: Let) -> None:
        if isinstance(s.value, ListLit) and not s.value.items:
            self.line(f"{snake(s.name)}: {self.type_name(s.type)} = []")
        else:
            self.line(f"{snake(s.name)} = {self.expr(s.value)}")

    def stmt_Assign(self, s: Assign) -> None:
        op = "//" if s.op == "/" and s.value.type == INT else s.op
        self.line(f"{snake(s.name)} {op or ''}= {self.expr(s.value)}")

    def stmt_Append(self, s: Append) -> None:
        self.line(f"{snake(s.list_name)}.append({self.expr(s.value)})")

    def stmt_If(self, s: If, keyword: str = "if") -> None:
        self.line(f"{keyword} {self.condition(s.condition)}:")
        self.block(s.then)
        if len(s.otherwise) == 1 and isinstance(s.otherwise[0], If):
            self.stmt_If(s.otherwise[0], "elif")
        elif s.otherwise:
            self.line("else:")
            self.block(s.otherwise)

    def condition(self, e) -> str:
        empty = is_empty_test(e)
        return f"not {self.expr(empty)}" if empty is not None else self.expr(e)

    def stmt_ForEach(self, s: ForEach) -> None:
        self.line(f"for {snake(s.item)} in {self.expr(s.sequence)}:")
        self.block(s.body)

    def stmt_ForRange(self, s: ForRange) -> None:
        start = self.expr(s.start)
        bounds = self.expr(s.stop) if start == "0" else f"{start}, {self.expr(s.stop)}"
        self.line(f"for {snake(s.index)} in range({bounds}):")
        self.block(s.body)

    def stmt_While(self, s: While) -> None:
        self.line(f"while {self.expr(s.condition)}:")
        self.block(s.body)

    def stmt_Fail(self, s: Fail) -> None:
        self.line(f"raise ValueError({self.expr(s.message)})")

    def stmt_LetChecked(self, s: LetChecked) -> None:
        call = f"{snake(s.name)} = {self.expr(s.call)}"
        if s.fallback is None:
            self.line(call)
            return
        self.line("try:")
        self.line(self.indent_unit + call)
        self.line("except ValueError:")
        self.line(f"{self.indent_unit}{snake(s.name)} = {self.expr(s.fallback)}")

    def stmt_Print(self, s: Print) -> None:
        self.line(f"print({self.expr(s.value)})")

    # -- expressions ----------------------------------------------------------------------------------------------

    def expr_Binary(self, e: Binary) -> str:
        if e.op == "/" and e.type == INT:
            return f"{self.operand(e.left, 5)} // {self.operand(e.right, 5, True, '/')}"
        return super().expr_Binary(e)

    def expr_Not(self, e: Not) -> str:
        if isinstance(e.operand, Contains):
            return f"{self.operand(e.operand.needle, 4)} not in {self.operand(e.operand.haystack, 4)}"
        return f"not {self.operand(e.operand, ATOM)}"

    def expr_ToFloat(self, e: ToFloat) -> str:
        return f"float({self.expr(e.operand)})"

    def expr_Length(self, e: Length) -> str:
        return f"len({self.expr(e.operand)})"

    def expr_Index(self, e: Index) -> str:
        return f"{self.expr(e.sequence)}[{self.expr(e.position)}]"

    def expr_Field(self, e: Field) -> str:
        return f"{self.expr(e.record)}.{snake(e.field)}"

    def expr_NewRecord(self, e: NewRecord) -> str:
        return f"{pascal(e.record)}({', '.join(self.expr(a) for a in e.args)})"

    def expr_ListLit(self, e: ListLit) -> str:
        return f"[{', '.join(self.expr(item) for item in e.items)}]"

    def expr_Format(self, e: Format) -> str:
        pieces = []
        for part in e.parts:
            if isinstance(part, str):
                pieces.append(part.replace("{", "{{").replace("}", "}}"))
            elif part.type == FLOAT:
                pieces.append(f"{{{self.expr(part)}:.2f}}")
            else:
                pieces.append(f"{{{self.expr(part)}}}")
        body = "".join(pieces)
        return quote(body) if all(isinstance(p, str) for p in e.parts) else "f" + quote(body)

    def expr_Upper(self, e: Upper) -> str:
        return f"{self.operand(e.operand, ATOM)}.upper()"

    def expr_Contains(self, e: Contains) -> str:
        return f"{self.operand(e.needle, 4)} in {self.operand(e.haystack, 4)}"
