"""Deterministic generation of parallel program groups.

Program ``k`` of stream ``s`` under seed ``n`` is built from its own ``random.Random(f"{n}/{s}/{k}")``, so it does not
depend on how many programs are asked for or which languages are rendered: the first 100 of 1000 programs are the
100 programs of a smaller request, and ``languages`` only selects which renderings appear. Streams keep corpora
disjoint: the parallel groups come from stream ``"parallel"``, monolingual documents from one stream per language,
held-out translation programs (``write_corpus(translation_programs=...)``) from stream ``"translation"``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from codescale.core.domains import LANGUAGE_IDS, canonical
from codescale.core.errors import CodescaleError
from codescale.mixtures.synthetic.compose import DEFAULT_FUNCTIONS, build_program
from codescale.mixtures.synthetic.ir import Program
from codescale.mixtures.synthetic.render import render

PARALLEL_STREAM = "parallel"
TRANSLATION_STREAM = "translation"


def program_at(seed: int, stream: str, index: int, functions: tuple[int, int] = DEFAULT_FUNCTIONS) -> Program:
    """The ``index``-th program of a stream ("parallel", "translation", or a language id for monolingual documents),
    with ``functions[0]`` to ``functions[1]`` functions besides ``main``."""
    return build_program(random.Random(f"{seed}/{stream}/{index}"), functions)


def canonical_languages(languages: Sequence[str]) -> tuple[str, ...]:
    """Canonical ids in ``LANGUAGE_IDS`` order, without duplicates; CodescaleError on an unknown or empty list."""
    if isinstance(languages, str):
        languages = [languages]
    chosen = {canonical(name) for name in languages}
    if not chosen:
        raise CodescaleError("no languages given", field="languages", hint=f"choose from {', '.join(LANGUAGE_IDS)}")
    return tuple(lang for lang in LANGUAGE_IDS if lang in chosen)


def generate_programs(n: int, seed: int = 0, languages: Sequence[str] = LANGUAGE_IDS, *,
                      stream: str = PARALLEL_STREAM, functions: tuple[int, int] = DEFAULT_FUNCTIONS,
                      prefix: str = "prog") -> Iterator[dict[str, str]]:  # fmt: skip
    """Yield ``n`` parallel groups ``{"id": "prog-000123", "python": code, "java": code, ...}`` of ``stream``,
    deterministic in ``seed``."""
    if n < 0:
        raise CodescaleError(f"cannot generate {n} programs", field="n", hint="ask for zero or more")
    langs = canonical_languages(languages)
    for index in range(n):
        program = program_at(seed, stream, index, functions)
        group = {"id": f"{prefix}-{index:06d}"}
        for lang in langs:
            group[lang] = render(program, lang)
        yield group
