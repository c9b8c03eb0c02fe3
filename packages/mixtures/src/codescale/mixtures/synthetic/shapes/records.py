"""Shapes around the program's record type: describing, totalling over a list, validating, constructing."""

from __future__ import annotations

from codescale.mixtures.synthetic.builder import ProgramBuilder, article, plural
from codescale.mixtures.synthetic.ir import (
    BOOL,
    FLOAT,
    INT,
    STR,
    Assign,
    Binary,
    Contains,
    Expr,
    Field,
    ForEach,
    Format,
    Function,
    If,
    Length,
    Let,
    ListOf,
    Lit,
    Name,
    NewRecord,
    Not,
    Param,
    Return,
    ToFloat,
    Upper,
    Var,
)


def describe_record(b: ProgramBuilder) -> Function:
    scope: set[Name] = set()
    item = b.local(scope, b.domain.item)
    parts: list[str | Expr] = []
    fields = list(b.record.fields)
    b.rng.shuffle(fields)
    for i, f in enumerate(fields[: b.rng.randint(2, len(fields))]):
        parts.append((", " if i else "") + f"{' '.join(f.name)}=")
        value: Expr = Field(Var(item, b.record_type), f.name, f.type)
        parts.append(Upper(value) if f.type == STR and b.rng.random() < 0.3 else value)
    name = b.function_name(("describe", "summarize", "format"), b.domain.item)
    doc = f"Renders {article(b.domain.item)} as a one-line summary."
    body = (Return(Format((f"{' '.join(b.record.name).capitalize()}(", *parts, ")"))),)
    return Function(name, (Param(item, b.record_type),), STR, body, doc)


def record_total(b: ProgramBuilder) -> Function:
    gate = b.record_field(INT)
    amount = b.record_field(FLOAT)
    if gate is None or amount is None:
        return describe_record(b)
    scope: set[Name] = set()
    items = b.local(scope, plural(b.domain.item), ("items",))
    item = b.local(scope, b.domain.item, ("entry",))
    minimum = b.local(scope, ("min", *gate), ("threshold",))
    total = b.local(scope, ("total",), ("sum", "of", *plural(amount)))
    rec = Var(item, b.record_type)
    weighted: Expr = Field(rec, amount, FLOAT)
    if b.rng.random() < 0.5:
        weighted = Binary("*", weighted, ToFloat(Field(rec, gate, INT)), FLOAT)
    body = (
        Let(total, FLOAT, Lit(0.0, FLOAT), mutable=True),
        ForEach(
            item,
            b.record_type,
            Var(items, ListOf(b.record_type)),
            (
                If(
                    Binary(b.rng.choice((">=", "<")), Field(rec, gate, INT), Var(minimum, INT), BOOL),
                    (Assign(total, weighted, "+"),),
                ),
            ),
        ),
        Return(Var(total, FLOAT)),
    )
    name = b.function_name(("total", "sum"), (*amount, "by", *gate))
    doc = f"Sums the {' '.join(amount)} of the {' '.join(plural(b.domain.item))} selected by {' '.join(gate)}."
    return Function(name, (Param(items, ListOf(b.record_type)), Param(minimum, INT)), FLOAT, body, doc)


def record_is_usable(b: ProgramBuilder) -> Function:
    scope: set[Name] = set()
    item = b.local(scope, b.domain.item)
    rec = Var(item, b.record_type)
    number_field = next(f for f in b.record.fields if f.type != STR)
    text_field = next(f for f in b.record.fields if f.type == STR)
    zero = Lit(0 if number_field.type == INT else 0.0, number_field.type)
    text_test: Expr = Binary(">", Length(Field(rec, text_field.name, STR)), Lit(0, INT), BOOL)
    if b.rng.random() < 0.5:
        text_test = Not(Contains(Field(rec, text_field.name, STR), Lit(b.rng.choice(b.domain.labels)[:3], STR)))
    positive = Binary(">", Field(rec, number_field.name, number_field.type), zero, BOOL)
    body = (Return(Binary("and", positive, text_test, BOOL)),)
    quality = "usable" if b.rng.random() < 0.5 else "valid"
    name = b.function_name(("is", "has"), (quality, *b.domain.item))
    doc = (
        f"Reports whether {article(b.domain.item)} has a positive {' '.join(number_field.name)} "
        f"and an acceptable {' '.join(text_field.name)}."
    )
    return Function(name, (Param(item, b.record_type),), BOOL, body, doc)


def build_record(b: ProgramBuilder) -> Function:
    scope: set[Name] = set()
    params = tuple(Param(b.local(scope, f.name), f.type) for f in b.record.fields)
    args: list[Expr] = []
    for p in params:
        if p.type == STR and b.rng.random() < 0.4:
            args.append(Upper(Var(p.name, STR)))
        elif p.type in (INT, FLOAT) and b.rng.random() < 0.3:
            args.append(Binary("*", Var(p.name, p.type), b.number(p.type, 2, 4), p.type))
        else:
            args.append(Var(p.name, p.type))
    body = (Return(NewRecord(b.record.name, tuple(args), b.record_type)),)
    name = b.function_name(("new", "make", "build"), b.domain.record)
    doc = f"Creates {article(b.domain.record)}, normalising its fields."
    return Function(name, params, b.record_type, body, doc)
