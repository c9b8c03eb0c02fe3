"""Random construction of well-typed programs from the IR.

A program is a domain (``vocabulary.DOMAINS``), one record type with a random subset of the domain's fields, two to
five functions (or the range ``functions`` asks for) drawn from a catalogue of *shapes* (filtered sums, counting, mapping, arithmetic formulas, tiered
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
from collections.abc import Callable

from codescale.mixtures.synthetic.builder import ProgramBuilder
from codescale.mixtures.synthetic.ir import (
    STR,
    Call,
    Expr,
    Field,
    Format,
    Function,
    Let,
    LetChecked,
    ListOf,
    Lit,
    Name,
    Print,
    Program,
    RecordType,
    Stmt,
    Var,
)
from codescale.mixtures.synthetic.shapes.errors import checked_ratio, peak_or_mean, recovering_call, validated_field
from codescale.mixtures.synthetic.shapes.records import build_record, describe_record, record_is_usable, record_total
from codescale.mixtures.synthetic.shapes.values import (
    all_within,
    arithmetic,
    count_matching,
    countdown,
    filtered_total,
    first_position,
    joined_labels,
    scaled_list,
    tiered_label,
)
from codescale.mixtures.synthetic.vocabulary import DOMAINS

_SEPARATOR_NAMES = {("separator",), ("delimiter",), ("glue",)}  # the parameter names joined_labels uses
_SEPARATORS = (", ", " | ", "-", "/", "; ", " ")

SHAPES: tuple[Callable[[ProgramBuilder], Function | None], ...] = (
    filtered_total,
    count_matching,
    scaled_list,
    arithmetic,
    tiered_label,
    checked_ratio,
    validated_field,
    describe_record,
    record_total,
    joined_labels,
    first_position,
    countdown,
    peak_or_mean,
    all_within,
    record_is_usable,
    build_record,
    recovering_call,
)


def _main(b: ProgramBuilder) -> tuple[Stmt, ...]:
    scope: set[Name] = set()
    body: list[Stmt] = []
    for function in b.functions:
        args: list[Expr] = []
        for p in function.params:
            value = Lit(b.rng.choice(_SEPARATORS), STR) if p.name in _SEPARATOR_NAMES else b.sample_value(p.type)
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


DEFAULT_FUNCTIONS = (2, 5)
"""How many functions besides ``main`` a program has, at least and at most."""


def build_program(rng: random.Random, functions: tuple[int, int] = DEFAULT_FUNCTIONS) -> Program:
    """One random, well-typed program (see the module docstring for what it contains) with ``functions[0]`` to
    ``functions[1]`` functions besides ``main``."""
    domain = rng.choice(DOMAINS)
    b = ProgramBuilder(rng, domain)
    wanted = rng.randint(*functions)
    for shape in rng.sample(SHAPES, len(SHAPES)):
        if len(b.functions) == wanted:
            break
        function = shape(b)
        if function is not None:
            b.functions.append(function)
    mentions_record = (b.record_type, ListOf(b.record_type))
    uses_record = any(
        f.returns in mentions_record or any(p.type in mentions_record for p in f.params) for f in b.functions
    )
    records = (b.record,) if uses_record else ()
    return Program(domain.container, records, tuple(b.functions), _main(b))
