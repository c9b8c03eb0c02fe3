"""The state one program is built in, shared by the shapes (``shapes/``).

A :class:`ProgramBuilder` holds the randomness, the domain, the program's record type, the functions built so far and
every name taken, and offers the small choices shapes make over and over: a fresh local name that shadows nothing and
is no keyword in any language, a field of a given type, a literal, a sample argument for ``main``.
"""

from __future__ import annotations

import random

from codescale.mixtures.synthetic.ir import (
    BOOL,
    FLOAT,
    INT,
    STR,
    Expr,
    Function,
    ListLit,
    ListOf,
    Lit,
    Name,
    NewRecord,
    Param,
    Record,
    RecordType,
    Type,
)
from codescale.mixtures.synthetic.vocabulary import RESERVED_WORDS, Domain

COMPARISONS = ("<", "<=", ">", ">=")


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
        float_count = rng.randint(1, min(2, len(domain.float_fields)))
        fields += [Param(f, FLOAT) for f in rng.sample(domain.float_fields, float_count)]
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
        options = [
            c
            for c in candidates
            if c not in scope and c not in self.taken and not (len(c) == 1 and c[0] in RESERVED_WORDS)
        ]
        if options:
            name = self.rng.choice(options)
        else:
            name = next(
                (*candidates[0], str(n))
                for n in range(2, 10_000)
                if (*candidates[0], str(n)) not in scope and (*candidates[0], str(n)) not in self.taken
            )
        scope.add(name)
        return name

    # -- values ---------------------------------------------------------------------------------------------------

    def field_of(self, t: Type) -> Name:
        fields: dict[Type, tuple[Name, ...]] = {
            INT: self.domain.int_fields,
            FLOAT: self.domain.float_fields,
            STR: self.domain.str_fields,
        }
        kind = fields[t]
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
