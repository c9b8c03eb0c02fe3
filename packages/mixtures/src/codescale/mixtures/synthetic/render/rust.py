"""Rust 2021: a ``fn main``, borrowed parameters (``&str``, ``&[T]``, ``&Record``), owned results, ``format!``
with captured identifiers, and ``Result<T, String>`` with ``?`` and ``unwrap_or`` for errors.

The IR has no notion of ownership, so this renderer infers it: parameters and loop items of non-``Copy`` types are
borrowed, ``let`` bindings own their values, and each expression is rendered in one of three modes:

* ``value``: where a place is fine as it is (operands, ``format!`` arguments, method receivers);
* ``owned``: where a value is stored (``let``, struct fields, ``push``, ``return``), cloning a borrowed place;
* ``borrowed``: where a reference is expected (arguments to non-``Copy`` parameters, ``contains``, ``+=`` on strings).
"""

from __future__ import annotations

from typing import TypeGuard

from codescale.mixtures.synthetic.ir import (
    FLOAT,
    STR,
    Append,
    Assign,
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
    Lit,
    Name,
    NewRecord,
    Print,
    Program,
    Record,
    RecordType,
    Return,
    Stmt,
    ToFloat,
    Type,
    Upper,
    Var,
    is_copy,
)
from codescale.mixtures.synthetic.naming import pascal, snake
from codescale.mixtures.synthetic.render.base import ATOM, PRECEDENCE, is_empty_test, plain_text, quote
from codescale.mixtures.synthetic.render.braces import BraceRenderer

VALUE, OWNED, BORROWED = "value", "owned", "borrowed"


class RustRenderer(BraceRenderer):
    language = "rust"
    has_increment = False

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[Name, Record] = {}
        self.borrowed: set[Name] = set()
        self.indices: set[Name] = set()  # usize loop indices (see stmt_ForRange)
        self.current: Function | None = None

    def ident(self, name: Name) -> str:
        return snake(name)

    def condition(self, text: str) -> str:
        return text

    def type_name(self, t: Type, parameter: bool = False) -> str:
        if isinstance(t, ListOf):
            element = self.type_name(t.element)
            return f"&[{element}]" if parameter else f"Vec<{element}>"
        if isinstance(t, RecordType):
            return ("&" if parameter else "") + pascal(t.name)
        if t == STR:
            return "&str" if parameter else "String"
        return {"int": "i64", "float": "f64", "bool": "bool"}[t.kind]

    def program(self, program: Program) -> None:
        self.records = {r.name: r for r in program.records}
        for record in program.records:
            self.line(f"/// {record.doc}")
            self.line("#[derive(Debug, Clone)]")
            self.open(f"struct {pascal(record.name)}")
            for f in record.fields:
                self.line(f"{snake(f.name)}: {self.type_name(f.type)},")
            self.close()
            self.line()
        for function in program.functions:
            self.function(function)
            self.line()
        self.current, self.borrowed, self.indices = None, set(), set()
        self.open("fn main()")
        self.body(program.main)
        self.close()

    def function(self, f: Function) -> None:
        self.current = f
        self.borrowed = {p.name for p in f.params if not is_copy(p.type)}
        self.indices = set()
        self.line(f"/// {f.doc}")
        params = ", ".join(f"{snake(p.name)}: {self.type_name(p.type, parameter=True)}" for p in f.params)
        returns = self.type_name(f.returns)
        if f.fallible:
            returns = f"Result<{returns}, String>"
        self.open(f"fn {snake(f.name)}({params}) -> {returns}")
        self.body(f.body)
        self.close()

    def body(self, statements: tuple[Stmt, ...]) -> None:
        """A function body; a final ``return`` becomes the tail expression."""
        *leading, last = statements
        for s in leading:
            self.stmt(s)
        if isinstance(last, Return):
            self.line(self.returned(last.value))
        else:
            self.stmt(last)

    def returned(self, value: Expr) -> str:
        if isinstance(value, Var) and value.name not in self.borrowed and value.name not in self.indices:
            text = snake(value.name)  # moved out: the function returns it
        else:
            text = self.value(value, OWNED)
        return f"Ok({text})" if self.current is not None and self.current.fallible else text

    # -- statements -----------------------------------------------------------------------------------------------

    def stmt_Let(self, s: Let) -> None:
        self.borrowed.discard(s.name)
        value = "Vec::new()" if isinstance(s.value, ListLit) and not s.value.items else self.value(s.value, OWNED)
        self.line(f"let {'mut ' if s.mutable else ''}{snake(s.name)} = {value};")

    def assigned(self, s: Assign) -> str:
        return self.value(s.value, BORROWED if s.value.type == STR and s.op == "+" else OWNED)

    def stmt_Append(self, s: Append) -> None:
        self.line(f"{snake(s.list_name)}.push({self.value(s.value, OWNED)});")

    def test(self, e: Expr) -> str:
        empty = is_empty_test(e)
        return f"{self.operand(empty, ATOM)}.is_empty()" if empty is not None else self.expr(e)

    def stmt_ForEach(self, s: ForEach) -> None:
        sequence = self.value(s.sequence, BORROWED)
        if is_copy(s.item_type):
            header = f"for &{snake(s.item)} in {sequence}"
        else:
            self.borrowed.add(s.item)
            header = f"for {snake(s.item)} in {sequence}"
        self.braced(header, s.body)

    def stmt_ForRange(self, s: ForRange) -> None:
        if isinstance(s.stop, Length) and isinstance(s.start, Lit):
            # Counting up to a length: the index is a usize, as Rust indexes slices, and is converted only when it
            # leaves the loop as a number (`return i as i64`).
            self.indices.add(s.index)
            stop = f"{self.operand(s.stop.operand, ATOM)}.len()"
        else:
            stop = self.expr(s.stop)
        self.braced(f"for {snake(s.index)} in {self.expr(s.start)}..{stop}", s.body)

    def stmt_Return(self, s: Return) -> None:
        self.line(f"return {self.returned(s.value)};")

    def stmt_Fail(self, s: Fail) -> None:
        self.line(f"return Err({self.value(s.message, OWNED)});")

    def stmt_LetChecked(self, s: LetChecked) -> None:
        self.borrowed.discard(s.name)
        call = self.expr(s.call)
        outcome = f"{call}?" if s.fallback is None else f"{call}.unwrap_or({self.value(s.fallback, OWNED)})"
        self.line(f"let {snake(s.name)} = {outcome};")

    def stmt_Print(self, s: Print) -> None:
        if isinstance(s.value, Format):
            self.line(f"println!({self.format_arguments(s.value)});")
        elif isinstance(s.value.type, ListOf):
            self.line(f'println!("{{:?}}", {self.expr(s.value)});')
        elif isinstance(s.value, Var):
            self.line(f'println!("{{{snake(s.value.name)}}}");')
        else:
            self.line(f'println!("{{}}", {self.expr(s.value)});')

    # -- expressions ----------------------------------------------------------------------------------------------

    def value(self, e: Expr, mode: str) -> str:
        """Render ``e`` for a place that wants a plain value, an owned value or a reference (see module docstring)."""
        text = self.expr(e)
        if is_copy(e.type) or mode == VALUE:
            return text
        if isinstance(e, Var):
            if mode == BORROWED:
                return text if e.name in self.borrowed else f"&{text}"
            if e.name in self.borrowed:
                if e.type == STR:
                    return f"{text}.to_string()"
                return f"{text}.to_vec()" if isinstance(e.type, ListOf) else f"{text}.clone()"
            return f"{text}.clone()"
        if isinstance(e, Lit) or (isinstance(e, Format) and all(isinstance(p, str) for p in e.parts)):
            if mode == BORROWED:
                return text
            return "String::new()" if text == '""' else f"{text}.to_string()"
        if isinstance(e, (Field, Index)):
            return f"&{text}" if mode == BORROWED else f"{text}.clone()"
        return f"&{text}" if mode == BORROWED else text  # calls, format!, to_uppercase: already owned

    def operand(self, e: Expr, parent_precedence: int, right_side: bool = False, parent_op: str = "") -> str:
        # `x as f64 < y` parses `<` as the start of generic arguments, so casts in comparisons get parentheses.
        if (isinstance(e, (ToFloat, Length)) or self._is_index(e)) and PRECEDENCE["<"] <= parent_precedence < ATOM:
            return f"({self.expr(e)})"
        return super().operand(e, parent_precedence, right_side, parent_op)

    def expr_Var(self, e: Var) -> str:
        return f"{snake(e.name)} as i64" if e.name in self.indices else snake(e.name)

    def expr_Binary(self, e: Binary) -> str:
        # A usize index compared with a literal needs no conversion: the literal takes the index's type.
        if PRECEDENCE[e.op] == PRECEDENCE["<"] and isinstance(e.right, Lit) and self._is_index(e.left):
            return f"{snake(e.left.name)} {e.op} {self.expr(e.right)}"
        return super().expr_Binary(e)

    def _is_index(self, e: Expr) -> TypeGuard[Var]:
        return isinstance(e, Var) and e.name in self.indices

    def expr_ToFloat(self, e: ToFloat) -> str:
        return f"{self.operand(e.operand, ATOM)} as f64"

    def expr_Length(self, e: Length) -> str:
        return f"{self.operand(e.operand, ATOM)}.len() as i64"

    def expr_Index(self, e: Index) -> str:
        if isinstance(e.position, Lit) or self._is_index(e.position):
            position = snake(e.position.name) if self._is_index(e.position) else self.expr(e.position)
        else:
            position = f"{self.operand(e.position, ATOM)} as usize"
        return f"{self.operand(e.sequence, ATOM)}[{position}]"

    def expr_Field(self, e: Field) -> str:
        return f"{self.operand(e.record, ATOM)}.{snake(e.field)}"

    def expr_Call(self, e: Call) -> str:
        args = ", ".join(self.value(a, BORROWED) for a in e.args)
        return f"{snake(e.function)}({args})"

    def expr_NewRecord(self, e: NewRecord) -> str:
        inits = []
        for field, arg in zip(self.records[e.record].fields, e.args):
            key, value = snake(field.name), self.value(arg, OWNED)
            inits.append(key if key == value else f"{key}: {value}")
        return f"{pascal(e.record)} {{ {', '.join(inits)} }}"

    def expr_ListLit(self, e: ListLit) -> str:
        return f"vec![{', '.join(self.value(item, OWNED) for item in e.items)}]"

    def format_arguments(self, e: Format) -> str:
        template, args = [], []
        for part in e.parts:
            if isinstance(part, str):
                template.append(part.replace("{", "{{").replace("}", "}}"))
                continue
            spec = ":.2" if part.type == FLOAT else ""
            if isinstance(part, Var):
                template.append(f"{{{snake(part.name)}{spec}}}")
            else:
                template.append(f"{{{spec}}}")
                args.append(self.expr(part))
        return ", ".join([quote("".join(template)), *args])

    def expr_Format(self, e: Format) -> str:
        if (text := plain_text(e.parts)) is not None:
            return quote(text)
        return f"format!({self.format_arguments(e)})"

    def expr_Upper(self, e: Upper) -> str:
        return f"{self.operand(e.operand, ATOM)}.to_uppercase()"

    def expr_Contains(self, e: Contains) -> str:
        return f"{self.operand(e.haystack, ATOM)}.contains({self.value(e.needle, BORROWED)})"
