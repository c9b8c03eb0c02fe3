"""Shapes that fail: checked division, record validation, maximum/mean of a possibly empty list, and calls that
propagate an earlier function's error or recover from it with a default."""

from __future__ import annotations

from codescale.mixtures.synthetic.builder import ProgramBuilder, article, plural
from codescale.mixtures.synthetic.ir import (
    BOOL,
    FLOAT,
    INT,
    STR,
    Assign,
    Binary,
    Call,
    Expr,
    Fail,
    Field,
    ForEach,
    Format,
    Function,
    If,
    Index,
    Length,
    Let,
    LetChecked,
    ListOf,
    Lit,
    Name,
    Param,
    Return,
    Stmt,
    ToFloat,
    Var,
)


def checked_ratio(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    top, bottom = b.rng.sample(b.domain.int_fields if t == INT else b.domain.float_fields, 2)
    scope: set[Name] = set()
    numerator = b.local(scope, top)
    denominator = b.local(scope, bottom, ("divisor",))
    zero = b.zero(t)
    as_float = (lambda e: ToFloat(e)) if t == INT else (lambda e: e)
    body = (
        If(
            Binary("==", Var(denominator, t), zero, BOOL),
            (
                Fail(
                    Format(
                        (
                            f"cannot divide {' '.join(numerator)} ",
                            Var(numerator, t),
                            f" by a zero {' '.join(denominator)}",
                        )
                    )
                ),
            ),
        ),
        Return(Binary("/", as_float(Var(numerator, t)), as_float(Var(denominator, t)), FLOAT)),
    )
    name = b.function_name(("ratio", "share"), (*top, "per", *bottom))
    doc = f"Returns {' '.join(top)} per {' '.join(bottom)}; fails when the {' '.join(bottom)} is zero."
    return Function(name, (Param(numerator, t), Param(denominator, t)), FLOAT, body, doc, fallible=True)


def validated_field(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.record_field(t) or b.record_field(INT) or b.record_field(FLOAT)
    label = b.record_field(STR)
    assert field is not None and label is not None, "every domain's record has a numeric and a text field"
    t = next(f.type for f in b.record.fields if f.name == field)
    scope: set[Name] = set()
    item = b.local(scope, b.domain.item)
    value: Expr = Field(Var(item, b.record_type), field, t)
    message = Format(
        (
            f"{' '.join(b.domain.item)} ",
            Field(Var(item, b.record_type), label, STR),
            f": {' '.join(field)} must not be negative, got ",
            value,
        )
    )
    factor = b.number(t, 2, 6)
    body: list[Stmt] = [If(Binary("<", value, b.zero(t), BOOL), (Fail(message),))]
    if b.rng.random() < 0.5:
        checked = b.local(scope, field, ("verified",), ("validated",))
        body += [Let(checked, t, value), Return(Binary("*", Var(checked, t), factor, t))]
    else:
        body.append(Return(Binary(b.rng.choice("*+"), value, factor, t)))
    name = b.function_name(("checked", "validated"), field)
    doc = f"Returns the weighted {' '.join(field)} of {article(b.domain.item)}, refusing negative values."
    return Function(name, (Param(item, b.record_type),), t, tuple(body), doc, fallible=True)


def peak_or_mean(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    values = b.local(scope, plural(field), ("values",))
    item = b.local(scope, field, ("value",))
    listed = Var(values, ListOf(t))
    empty_check = If(
        Binary("==", Length(listed), Lit(0, INT), BOOL), (Fail(Format((f"no {' '.join(plural(field))} to compare",))),)
    )
    if b.rng.random() < 0.5:
        best = b.local(scope, ("best",), ("peak",), ("largest",))
        body: tuple[Stmt, ...] = (
            empty_check,
            Let(best, t, Index(listed, Lit(0, INT), t), mutable=True),
            ForEach(
                item, t, listed, (If(Binary(">", Var(item, t), Var(best, t), BOOL), (Assign(best, Var(item, t)),)),)
            ),
            Return(Var(best, t)),
        )
        name, returns = b.function_name(("peak", "highest", "max"), field), t
        doc = f"Returns the largest {' '.join(field)}; fails on an empty list."
    else:
        total = b.local(scope, ("total",), ("sum", "so", "far"))
        body = (
            empty_check,
            Let(total, FLOAT, Lit(0.0, FLOAT), mutable=True),
            ForEach(item, t, listed, (Assign(total, ToFloat(Var(item, t)) if t == INT else Var(item, t), "+"),)),
            Return(Binary("/", Var(total, FLOAT), ToFloat(Length(listed)), FLOAT)),
        )
        name, returns = b.function_name(("average", "mean"), field), FLOAT
        doc = f"Returns the mean {' '.join(field)}; fails on an empty list."
    return Function(name, (Param(values, ListOf(t)),), returns, body, doc, fallible=True)


def recovering_call(b: ProgramBuilder) -> Function | None:
    """Call an earlier fallible function: propagate its error (becoming fallible) or fall back to a default."""
    fallible = [f for f in b.functions if f.fallible and f.returns in (INT, FLOAT)]
    if not fallible:
        return None
    callee = b.rng.choice(fallible)
    scope: set[Name] = set()
    params = tuple(Param(b.local(scope, p.name), p.type) for p in callee.params)
    t = callee.returns
    outcome = b.local(scope, ("outcome",), ("raw",), ("measured",))
    call = Call(callee.name, tuple(Var(p.name, p.type) for p in params), t)
    propagate = b.rng.random() < 0.5
    fallback = None if propagate else b.number(t, 0, 3)
    result = Binary(b.rng.choice("*+"), Var(outcome, t), b.number(t, 2, 5), t)
    body = (LetChecked(outcome, t, call, fallback), Return(result))
    if propagate:
        name = b.function_name(("scaled", "boosted"), callee.name[1:])
        doc = f"Scales the result of {' '.join(callee.name)}, passing its error on."
    else:
        name = b.function_name(("safe", "lenient"), callee.name[1:])
        doc = f"Calls {' '.join(callee.name)} but falls back to a default instead of failing."
    return Function(name, params, t, body, doc, fallible=propagate)
