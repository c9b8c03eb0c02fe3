"""TypeScript: the JavaScript rendering plus static types, with an ``interface`` and object literals for records."""

from __future__ import annotations

from codescale.mixtures.synthetic.ir import Function, Name, NewRecord, Program, Record, Type
from codescale.mixtures.synthetic.naming import camel, pascal
from codescale.mixtures.synthetic.render.javascript import JavaScriptRenderer


class TypeScriptRenderer(JavaScriptRenderer):
    language = "typescript"

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[Name, Record] = {}

    def program(self, program: Program) -> None:
        self.records = {r.name: r for r in program.records}
        super().program(program)

    def record(self, record: Record) -> None:
        self.line(f"/** {record.doc} */")
        self.open(f"interface {pascal(record.name)}")
        for field in record.fields:
            self.line(f"readonly {camel(field.name)}: {self.type_name(field.type)};")
        self.close()

    def function(self, f: Function) -> None:
        self.line(f"/** {f.doc} */")
        params = ", ".join(f"{camel(p.name)}: {self.type_name(p.type)}" for p in f.params)
        self.braced(f"function {camel(f.name)}({params}): {self.type_name(f.returns)}", f.body)

    def declared(self, name: Name, t: Type) -> str:
        return f"{camel(name)}: {self.type_name(t)}"

    def expr_NewRecord(self, e: NewRecord) -> str:
        fields = []
        for field, arg in zip(self.records[e.record].fields, e.args):
            key, value = camel(field.name), self.expr(arg)
            fields.append(key if key == value else f"{key}: {value}")
        return "{ " + ", ".join(fields) + " }"
