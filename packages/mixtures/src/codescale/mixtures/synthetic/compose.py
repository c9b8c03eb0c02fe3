"""Random construction of well-typed programs from the IR.

A program is a domain (``vocabulary.DOMAINS``), one record type with a random subset of the domain's fields, two to
five functions drawn from a catalogue of *shapes* (filtered sums, counting, mapping, arithmetic formulas, tiered
classification, checked division, validation of a record, string joining, search with early return, a while loop,
maximum/average with an error on empty input, calls that propagate or recover from an earlier function's error...),
and a ``main`` that builds sample data, calls every function and prints the results.

Each shape picks its own operators, constants, comparison directions, names and optional intermediate variables, so
two programs of the same shape rarely coincide token for token. Later functions may call earlier ones, which is where
error propagation shows up. Randomness comes only from the ``random.Random`` passed in, so a program is a pure
function of its seed.

Invariants the renderers rely on: every variable declared is used; names never shadow a function, record or
container name; ``/`` and ``%`` only divide by non-zero literals or by values checked against zero first; ``main``
binds every list and record argument to a local before the call.
"""

from __future__ import annotations

import random
from typing import Callable

from codescale.mixtures.synthetic.ir import (
    BOOL, FLOAT, INT, STR, Append, Assign, Binary, Call, Contains, Expr, Field, Fail, ForEach, ForRange, Format,
    Function, If, Index, Length, Let, LetChecked, ListLit, ListOf, Lit, Name, NewRecord, Not, Param, Print, Program,
    Record, RecordType, Return, Stmt, ToFloat, Type, Upper, Var, While,
)
from codescale.mixtures.synthetic.vocabulary import DOMAINS, RESERVED_WORDS, Domain

_COMPARISONS = ("<", "<=", ">", ">=")
_TIER_LABELS = (
    ("critical", "elevated", "normal"), ("gold", "silver", "bronze"), ("high", "medium", "low"),
    ("excellent", "fair", "poor"), ("full", "partial", "empty"), ("rush", "standard", "economy"),
)


def article(name: Name) -> str:
    """``a parcel``, ``an exam``."""
    return ("an " if name[0][0] in "aeiou" else "a ") + " ".join(name)


def plural(name: Name) -> Name:
    last = name[-1]
    if last.endswith("s"):
        word = last
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return (*name[:-1], word)


class ProgramBuilder:
    """State shared by the shapes while one program is built: randomness, domain, record and the names taken."""

    def __init__(self, rng: random.Random, domain: Domain) -> None:
        self.rng = rng
        self.domain = domain
        self.functions: list[Function] = []
        self.taken: set[Name] = {domain.container}
        fields = [Param(f, STR) for f in rng.sample(domain.str_fields, 1)]
        fields += [Param(f, INT) for f in rng.sample(domain.int_fields, rng.randint(1, 2))]
        fields += [Param(f, FLOAT) for f in rng.sample(domain.float_fields, rng.randint(1, min(2, len(domain.float_fields))))]
        rng.shuffle(fields)
        self.record = Record(domain.record, tuple(fields), f"One {' '.join(domain.record)} in the {domain.topic} data.")
        self.record_type = RecordType(domain.record)

    # -- names ----------------------------------------------------------------------------------------------------

    def function_name(self, verbs: tuple[str, ...], noun: Name) -> Name:
        for _ in range(8):
            name = (self.rng.choice(verbs), *noun)
            if name not in self.taken:
                break
        else:
            name = (self.rng.choice(verbs), *noun, str(len(self.functions) + 1))
        self.taken.add(name)
        return name

    def local(self, scope: set[Name], *candidates: Name) -> Name:
        options = [c for c in candidates if c not in scope and c not in self.taken
                   and not (len(c) == 1 and c[0] in RESERVED_WORDS)]
        if options:
            name = self.rng.choice(options)
        else:
            name = next((*candidates[0], str(n)) for n in range(2, 10_000)
                        if (*candidates[0], str(n)) not in scope and (*candidates[0], str(n)) not in self.taken)
        scope.add(name)
        return name

    # -- values ---------------------------------------------------------------------------------------------------

    def field_of(self, t: Type) -> Name:
        kind = {INT: self.domain.int_fields, FLOAT: self.domain.float_fields, STR: self.domain.str_fields}[t]
        return self.rng.choice(kind)

    def record_field(self, t: Type) -> Name | None:
        options = [f.name for f in self.record.fields if f.type == t]
        return self.rng.choice(options) if options else None

    def number(self, t: Type, low: int = 1, high: int = 60) -> Lit:
        if t == INT:
            return Lit(self.rng.randint(low, high), INT)
        return Lit(round(self.rng.uniform(low, high) * 4) / 4, FLOAT)

    def label(self) -> Lit:
        return Lit(self.rng.choice(self.domain.labels), STR)

    def numeric_type(self) -> Type:
        return INT if self.rng.random() < 0.5 else FLOAT

    def sample_value(self, t: Type) -> Expr:
        """A literal argument for ``main``: small positive numbers, domain words, short lists, filled-in records."""
        if t == INT or t == FLOAT:
            return self.number(t, 1, 40)
        if t == STR:
            return self.label()
        if t == BOOL:
            return Lit(self.rng.random() < 0.5, BOOL)
        if isinstance(t, ListOf):
            return ListLit(tuple(self.sample_value(t.element) for _ in range(self.rng.randint(3, 6))), t)
        return NewRecord(self.record.name, tuple(self.sample_value(f.type) for f in self.record.fields), t)

    def zero(self, t: Type) -> Lit:
        return Lit(0 if t == INT else 0.0, t)


# --- shapes ------------------------------------------------------------------------------------------------------
# Each shape returns a Function (or None when the program lacks what it needs, e.g. a fallible function to call).


def filtered_total(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    values = b.local(scope, plural(field), ("values",), ("readings",))
    item = b.local(scope, field, ("value",), ("entry",))
    cutoff = b.local(scope, ("threshold",), ("cutoff",), ("min", *field), ("limit",))
    total = b.local(scope, ("total",), ("running", "total"), ("accumulated",))
    op = b.rng.choice(_COMPARISONS)
    added: Expr = Var(item, t)
    if b.rng.random() < 0.4:
        added = Binary(b.rng.choice("*+"), added, b.number(t, 2, 9), t)
    body = (
        Let(total, t, b.zero(t), mutable=True),
        ForEach(item, t, Var(values, ListOf(t)), (
            If(Binary(op, Var(item, t), Var(cutoff, t), BOOL), (Assign(total, added, "+"),)),
        )),
        Return(Var(total, t)),
    )
    adjective = b.rng.choice(b.domain.adjectives)
    name = b.function_name(("total", "accumulate", "tally"), (adjective, *plural(field)))
    side = "above" if op in (">", ">=") else "below"
    doc = f"Adds up the {' '.join(plural(field))} {side} the {' '.join(cutoff)}."
    return Function(name, (Param(values, ListOf(t)), Param(cutoff, t)), t, body, doc)


def count_matching(b: ProgramBuilder) -> Function:
    field = b.field_of(STR)
    scope: set[Name] = set()
    texts = b.local(scope, plural(field), ("labels",), ("names",))
    text = b.local(scope, field, ("label",), ("name",))
    count = b.local(scope, ("count",), ("matches",), ("hits",))
    if b.rng.random() < 0.5:
        probe = b.local(scope, ("fragment",), ("needle",), ("pattern",))
        probe_param = Param(probe, STR)
        test: Expr = Contains(Var(text, STR), Var(probe, STR))
        doc = f"Counts the {' '.join(plural(field))} that contain the given {' '.join(probe)}."
    else:
        probe = b.local(scope, ("min", "length"), ("shortest",), ("length", "limit"))
        probe_param = Param(probe, INT)
        test = Binary(b.rng.choice((">", ">=")), Length(Var(text, STR)), Var(probe, INT), BOOL)
        doc = f"Counts the {' '.join(plural(field))} longer than a minimum length."
    body = (
        Let(count, INT, Lit(0, INT), mutable=True),
        ForEach(text, STR, Var(texts, ListOf(STR)), (If(test, (Assign(count, Lit(1, INT), "+"),)),)),
        Return(Var(count, INT)),
    )
    name = b.function_name(("count", "tally"), ("matching", *plural(field)))
    return Function(name, (Param(texts, ListOf(STR)), probe_param), INT, body, doc)


def scaled_list(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    values = b.local(scope, plural(field), ("values",))
    item = b.local(scope, field, ("value",))
    factor = b.local(scope, ("factor",), ("multiplier",), ("scale",))
    result = b.local(scope, ("scaled",), ("adjusted",), ("result",))
    mapped: Expr = Binary("*", Var(item, t), Var(factor, t), t)
    if b.rng.random() < 0.5:
        mapped = Binary(b.rng.choice("+-"), mapped, b.number(t, 1, 5), t)
    loop: list[Stmt] = [Append(result, mapped)]
    if b.rng.random() < 0.4:
        loop = [If(Binary(">", Var(item, t), b.zero(t), BOOL), tuple(loop))]
    body = (
        Let(result, ListOf(t), ListLit((), ListOf(t)), mutable=True),
        ForEach(item, t, Var(values, ListOf(t)), tuple(loop)),
        Return(Var(result, ListOf(t))),
    )
    name = b.function_name(("scale", "adjust", "rescale"), plural(field))
    doc = f"Returns each {' '.join(field)} multiplied by the {' '.join(factor)}."
    return Function(name, (Param(values, ListOf(t)), Param(factor, t)), ListOf(t), body, doc)


def _formula(b: ProgramBuilder, operands: list[Expr], t: Type, depth: int) -> Expr:
    """A random arithmetic expression over ``operands``; divisions are by non-zero literals only."""
    if depth == 0 or b.rng.random() < 0.25:
        return b.rng.choice(operands) if b.rng.random() < 0.75 else b.number(t, 2, 12)
    op = b.rng.choice("+-*+*/" if t == FLOAT else "+-*+*/%")
    left = _formula(b, operands, t, depth - 1)
    if op in "/%":
        return Binary(op, left, b.number(t, 2, 12), t)
    right = _formula(b, [o for o in operands if o != left] or operands, t, depth - 1)
    if op in "+*" and isinstance(right, Binary) and right.op == op:
        left, right = right, left  # lean left, as code is usually written: a + b + c, not a + (b + c)
    return Binary(op, left, right, t)


def arithmetic(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    scope: set[Name] = set()
    fields = b.rng.sample(b.domain.int_fields if t == INT else b.domain.float_fields, 2 if b.rng.random() < 0.6 else 1)
    params = [Param(b.local(scope, f), t) for f in fields]
    if b.rng.random() < 0.5:
        params.append(Param(b.local(scope, ("factor",), ("bias",), ("offset",)), t))
    operands: list[Expr] = [Var(p.name, t) for p in params]
    body: list[Stmt] = []
    if b.rng.random() < 0.5:
        step = b.local(scope, ("baseline",), ("subtotal",), ("partial",))
        body.append(Let(step, t, Binary(b.rng.choice("+*"), operands[0], operands[-1], t)))
        operands.append(Var(step, t))
        result = Binary(b.rng.choice("+-*"), Var(step, t), _formula(b, operands, t, 2), t)
    else:
        result = Binary(b.rng.choice("+-*"), _formula(b, operands, t, 2), operands[-1], t)
    body.append(Return(result))
    name = b.function_name(("compute", "estimate", "derive"), (b.rng.choice(("adjusted", "net", "projected")), *fields[0]))
    doc = f"Combines {' and '.join(' '.join(p.name) for p in params)} into a single {' '.join(fields[0])} figure."
    return Function(name, tuple(params), t, tuple(body), doc)


def tiered_label(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    value = b.local(scope, field, ("value",))
    tiers = b.rng.choice(_TIER_LABELS)
    high, low = sorted(b.rng.sample(range(5, 90), 2), reverse=True)
    high_bound, low_bound = (Lit(n if t == INT else float(n), t) for n in (high, low))
    chain = If(Binary(">=", Var(value, t), high_bound, BOOL), (Return(Lit(tiers[0], STR)),), (
        If(Binary(">=", Var(value, t), low_bound, BOOL), (Return(Lit(tiers[1], STR)),)),
    ))
    name = b.function_name(("classify", "rate", "grade"), field)
    doc = f"Sorts {article(field)} into {', '.join(tiers)} tiers."
    return Function(name, (Param(value, t),), STR, (chain, Return(Lit(tiers[2], STR))), doc)


def checked_ratio(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    top, bottom = b.rng.sample(b.domain.int_fields if t == INT else b.domain.float_fields, 2)
    scope: set[Name] = set()
    numerator = b.local(scope, top)
    denominator = b.local(scope, bottom, ("divisor",))
    zero = b.zero(t)
    as_float = (lambda e: ToFloat(e)) if t == INT else (lambda e: e)
    body = (
        If(Binary("==", Var(denominator, t), zero, BOOL), (
            Fail(Format((f"cannot divide {' '.join(numerator)} ", Var(numerator, t), f" by a zero {' '.join(denominator)}"))),
        )),
        Return(Binary("/", as_float(Var(numerator, t)), as_float(Var(denominator, t)), FLOAT)),
    )
    name = b.function_name(("ratio", "share"), (*top, "per", *bottom))
    doc = f"Returns {' '.join(top)} per {' '.join(bottom)}; fails when the {' '.join(bottom)} is zero."
    return Function(name, (Param(numerator, t), Param(denominator, t)), FLOAT, body, doc, fallible=True)


def validated_field(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.record_field(t) or b.record_field(INT) or b.record_field(FLOAT)
    t = next(f.type for f in b.record.fields if f.name == field)
    label = b.record_field(STR)
    scope: set[Name] = set()
    item = b.local(scope, b.domain.item)
    value: Expr = Field(Var(item, b.record_type), field, t)
    message = Format((f"{' '.join(b.domain.item)} ", Field(Var(item, b.record_type), label, STR),
                      f": {' '.join(field)} must not be negative, got ", value))
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
        ForEach(item, b.record_type, Var(items, ListOf(b.record_type)), (
            If(Binary(b.rng.choice((">=", "<")), Field(rec, gate, INT), Var(minimum, INT), BOOL),
               (Assign(total, weighted, "+"),)),
        )),
        Return(Var(total, FLOAT)),
    )
    name = b.function_name(("total", "sum"), (*amount, "by", *gate))
    doc = f"Sums the {' '.join(amount)} of the {' '.join(plural(b.domain.item))} selected by {' '.join(gate)}."
    return Function(name, (Param(items, ListOf(b.record_type)), Param(minimum, INT)), FLOAT, body, doc)


def joined_labels(b: ProgramBuilder) -> Function:
    field = b.field_of(STR)
    scope: set[Name] = set()
    texts = b.local(scope, plural(field), ("labels",), ("parts",))
    separator = b.local(scope, ("separator",), ("delimiter",), ("glue",))
    joined = b.local(scope, ("joined",), ("line",), ("banner",))
    index = b.local(scope, ("i",), ("position",), ("index",))
    element: Expr = Index(Var(texts, ListOf(STR)), Var(index, INT), STR)
    if b.rng.random() < 0.5:
        element = Upper(element)
    body = (
        Let(joined, STR, Lit("", STR), mutable=True),
        ForRange(index, Lit(0, INT), Length(Var(texts, ListOf(STR))), (
            If(Binary(">", Var(index, INT), Lit(0, INT), BOOL), (Assign(joined, Var(separator, STR), "+"),)),
            Assign(joined, element, "+"),
        )),
        Return(Var(joined, STR)),
    )
    name = b.function_name(("join", "concat"), plural(field))
    doc = f"Joins the {' '.join(plural(field))} with a separator between neighbours."
    return Function(name, (Param(texts, ListOf(STR)), Param(separator, STR)), STR, body, doc)


def first_position(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    values = b.local(scope, plural(field), ("values",))
    target = b.local(scope, ("target",), ("limit",), ("bound",))
    index = b.local(scope, ("i",), ("position",), ("index",))
    op = b.rng.choice(_COMPARISONS)
    body = (
        ForRange(index, Lit(0, INT), Length(Var(values, ListOf(t))), (
            If(Binary(op, Index(Var(values, ListOf(t)), Var(index, INT), t), Var(target, t), BOOL),
               (Return(Var(index, INT)),)),
        )),
        Return(Lit(-1, INT)),
    )
    name = b.function_name(("find", "locate"), ("first", *field))
    doc = f"Finds the position of the first {' '.join(field)} that is {op} the {' '.join(target)}, or -1 when there is none."
    return Function(name, (Param(values, ListOf(t)), Param(target, t)), INT, body, doc)


def countdown(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    start = b.local(scope, field, ("amount",))
    floor = b.local(scope, ("floor",), ("limit",), ("target",))
    remaining = b.local(scope, ("remaining",), ("left",), ("current",))
    steps = b.local(scope, ("steps",), ("rounds",), ("cycles",))
    body = (
        Let(remaining, t, Var(start, t), mutable=True),
        Let(steps, INT, Lit(0, INT), mutable=True),
        While(Binary(">", Var(remaining, t), Var(floor, t), BOOL), (
            Assign(remaining, b.number(t, 1, 9), "-"),
            Assign(steps, Lit(1, INT), "+"),
        )),
        Return(Var(steps, INT)),
    )
    name = b.function_name(("rounds", "steps"), ("to", "drain", *field))
    doc = f"Counts the fixed decrements that bring {article(field)} down to the {' '.join(floor)}."
    return Function(name, (Param(start, t), Param(floor, t)), INT, body, doc)


def peak_or_mean(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    values = b.local(scope, plural(field), ("values",))
    item = b.local(scope, field, ("value",))
    listed = Var(values, ListOf(t))
    empty_check = If(Binary("==", Length(listed), Lit(0, INT), BOOL),
                     (Fail(Format((f"no {' '.join(plural(field))} to compare",))),))
    if b.rng.random() < 0.5:
        best = b.local(scope, ("best",), ("peak",), ("largest",))
        body: tuple[Stmt, ...] = (
            empty_check,
            Let(best, t, Index(listed, Lit(0, INT), t), mutable=True),
            ForEach(item, t, listed, (If(Binary(">", Var(item, t), Var(best, t), BOOL), (Assign(best, Var(item, t)),)),)),
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


def all_within(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    values = b.local(scope, plural(field), ("values",))
    item = b.local(scope, field, ("value",))
    low = b.local(scope, ("low",), ("lower",), ("minimum",))
    high = b.local(scope, ("high",), ("upper",), ("maximum",))
    outside = Binary("or", Binary("<", Var(item, t), Var(low, t), BOOL), Binary(">", Var(item, t), Var(high, t), BOOL), BOOL)
    body = (
        ForEach(item, t, Var(values, ListOf(t)), (If(outside, (Return(Lit(False, BOOL)),)),)),
        Return(Lit(True, BOOL)),
    )
    name = b.function_name(("all", "every"), (*plural(field), "in", "range"))
    doc = f"Reports whether every {' '.join(field)} lies between {' '.join(low)} and {' '.join(high)}."
    params = (Param(values, ListOf(t)), Param(low, t), Param(high, t))
    return Function(name, params, BOOL, body, doc)


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
    body = (Return(Binary("and", Binary(">", Field(rec, number_field.name, number_field.type), zero, BOOL), text_test, BOOL)),)
    name = b.function_name(("is", "has"), ("usable", *b.domain.item) if b.rng.random() < 0.5 else ("valid", *b.domain.item))
    doc = f"Reports whether {article(b.domain.item)} has a positive {' '.join(number_field.name)} and an acceptable {' '.join(text_field.name)}."
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


SHAPES: tuple[Callable[[ProgramBuilder], Function | None], ...] = (
    filtered_total, count_matching, scaled_list, arithmetic, tiered_label, checked_ratio, validated_field,
    describe_record, record_total, joined_labels, first_position, countdown, peak_or_mean, all_within,
    record_is_usable, build_record, recovering_call,
)


def _main(b: ProgramBuilder) -> tuple[Stmt, ...]:
    scope: set[Name] = set()
    body: list[Stmt] = []
    for function in b.functions:
        args: list[Expr] = []
        for p in function.params:
            value = b.sample_value(p.type)
            if isinstance(p.type, (ListOf, RecordType)):
                local = b.local(scope, p.name)
                body.append(Let(local, p.type, value))
                value = Var(local, p.type)
            args.append(value)
        call = Call(function.name, tuple(args), function.returns)
        result = b.local(scope, function.name[-2:], (*function.name[-1:], "result"), (*function.name, "result"))
        if function.fallible:
            body.append(LetChecked(result, function.returns, call, b.sample_value(function.returns)))
        else:
            body.append(Let(result, function.returns, call))
        shown: Expr = Var(result, function.returns)
        if isinstance(function.returns, RecordType):
            first = b.record.fields[0]
            shown = Field(shown, first.name, first.type)
        if not isinstance(function.returns, ListOf) and b.rng.random() < 0.6:
            shown = Format((f"{' '.join(function.name)}: ", shown))
        body.append(Print(shown))
    return tuple(body)


def build_program(rng: random.Random) -> Program:
    """One random, well-typed program (see the module docstring for what it contains)."""
    domain = rng.choice(DOMAINS)
    b = ProgramBuilder(rng, domain)
    wanted = rng.randint(2, 5)
    for shape in rng.sample(SHAPES, len(SHAPES)):
        if len(b.functions) == wanted:
            break
        function = shape(b)
        if function is not None:
            b.functions.append(function)
    mentions_record = (b.record_type, ListOf(b.record_type))
    uses_record = any(f.returns in mentions_record or any(p.type in mentions_record for p in f.params)
                      for f in b.functions)
    records = (b.record,) if uses_record else ()
    return Program(domain.container, records, tuple(b.functions), _main(b))
