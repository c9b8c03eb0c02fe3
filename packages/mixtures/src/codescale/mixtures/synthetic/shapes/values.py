"""Shapes over numbers, strings and lists: filtered sums, counting, mapping, formulas, tiers, joining,
searching, a countdown loop and a range check."""

from __future__ import annotations

from codescale.mixtures.synthetic.builder import COMPARISONS, ProgramBuilder, article, plural
from codescale.mixtures.synthetic.ir import (
    BOOL,
    FLOAT,
    INT,
    STR,
    Append,
    Assign,
    Binary,
    Contains,
    Expr,
    ForEach,
    ForRange,
    Function,
    If,
    Index,
    Length,
    Let,
    ListLit,
    ListOf,
    Lit,
    Name,
    Param,
    Return,
    Stmt,
    Type,
    Upper,
    Var,
    While,
)

_TIER_LABELS = (
    ("critical", "elevated", "normal"),
    ("gold", "silver", "bronze"),
    ("high", "medium", "low"),
    ("excellent", "fair", "poor"),
    ("full", "partial", "empty"),
    ("rush", "standard", "economy"),
)


def filtered_total(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    values = b.local(scope, plural(field), ("values",), ("readings",))
    item = b.local(scope, field, ("value",), ("entry",))
    cutoff = b.local(scope, ("threshold",), ("cutoff",), ("min", *field), ("limit",))
    total = b.local(scope, ("total",), ("running", "total"), ("accumulated",))
    op = b.rng.choice(COMPARISONS)
    added: Expr = Var(item, t)
    if b.rng.random() < 0.4:
        added = Binary(b.rng.choice("*+"), added, b.number(t, 2, 9), t)
    body = (
        Let(total, t, b.zero(t), mutable=True),
        ForEach(
            item,
            t,
            Var(values, ListOf(t)),
            (If(Binary(op, Var(item, t), Var(cutoff, t), BOOL), (Assign(total, added, "+"),)),),
        ),
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


def _variables(e: Expr) -> set[Name]:
    """Names of the variables an arithmetic expression reads."""
    if isinstance(e, Var):
        return {e.name}
    if isinstance(e, Binary):
        return _variables(e.left) | _variables(e.right)
    return set()


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
    mentioned = _variables(result) | {name for s in body if isinstance(s, Let) for name in _variables(s.value)}
    for p in params:  # every parameter takes part (an unused one is a warning in Rust and a smell everywhere)
        if p.name not in mentioned:
            result = Binary(b.rng.choice("+-"), result, Var(p.name, t), t)
    body.append(Return(result))
    qualifier = b.rng.choice(("adjusted", "net", "projected"))
    name = b.function_name(("compute", "estimate", "derive"), (qualifier, *fields[0]))
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
    chain = If(
        Binary(">=", Var(value, t), high_bound, BOOL),
        (Return(Lit(tiers[0], STR)),),
        (If(Binary(">=", Var(value, t), low_bound, BOOL), (Return(Lit(tiers[1], STR)),)),),
    )
    name = b.function_name(("classify", "rate", "grade"), field)
    doc = f"Sorts {article(field)} into {', '.join(tiers)} tiers."
    return Function(name, (Param(value, t),), STR, (chain, Return(Lit(tiers[2], STR))), doc)


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
        ForRange(
            index,
            Lit(0, INT),
            Length(Var(texts, ListOf(STR))),
            (
                If(Binary(">", Var(index, INT), Lit(0, INT), BOOL), (Assign(joined, Var(separator, STR), "+"),)),
                Assign(joined, element, "+"),
            ),
        ),
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
    op = b.rng.choice(COMPARISONS)
    body = (
        ForRange(
            index,
            Lit(0, INT),
            Length(Var(values, ListOf(t))),
            (
                If(
                    Binary(op, Index(Var(values, ListOf(t)), Var(index, INT), t), Var(target, t), BOOL),
                    (Return(Var(index, INT)),),
                ),
            ),
        ),
        Return(Lit(-1, INT)),
    )
    name = b.function_name(("find", "locate"), ("first", *field))
    doc = (
        f"Finds the position of the first {' '.join(field)} that is {op} the {' '.join(target)}, "
        "or -1 when there is none."
    )
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
        While(
            Binary(">", Var(remaining, t), Var(floor, t), BOOL),
            (
                Assign(remaining, b.number(t, 1, 9), "-"),
                Assign(steps, Lit(1, INT), "+"),
            ),
        ),
        Return(Var(steps, INT)),
    )
    name = b.function_name(("rounds", "steps"), ("to", "drain", *field))
    doc = f"Counts the fixed decrements that bring {article(field)} down to the {' '.join(floor)}."
    return Function(name, (Param(start, t), Param(floor, t)), INT, body, doc)


def all_within(b: ProgramBuilder) -> Function:
    t = b.numeric_type()
    field = b.field_of(t)
    scope: set[Name] = set()
    values = b.local(scope, plural(field), ("values",))
    item = b.local(scope, field, ("value",))
    low = b.local(scope, ("low",), ("lower",), ("minimum",))
    high = b.local(scope, ("high",), ("upper",), ("maximum",))
    too_low = Binary("<", Var(item, t), Var(low, t), BOOL)
    too_high = Binary(">", Var(item, t), Var(high, t), BOOL)
    outside = Binary("or", too_low, too_high, BOOL)
    body = (
        ForEach(item, t, Var(values, ListOf(t)), (If(outside, (Return(Lit(False, BOOL)),)),)),
        Return(Lit(True, BOOL)),
    )
    name = b.function_name(("all", "every"), (*plural(field), "in", "range"))
    doc = f"Reports whether every {' '.join(field)} lies between {' '.join(low)} and {' '.join(high)}."
    params = (Param(values, ListOf(t)), Param(low, t), Param(high, t))
    return Function(name, params, BOOL, body, doc)
