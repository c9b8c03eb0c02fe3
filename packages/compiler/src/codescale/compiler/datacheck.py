"""``--check-data``: does the data a plan names exist, and does it cover the plan's languages?

For each distinct corpus catalog of the plan: the catalog loads (``codescale.core.catalog``), every mixture and
evaluation language has sources whose globs match files, and a run with parallel pairing finds a parallel corpus
with the same pivot. For each prepared corpus: the manifest is readable and every run's quota fits within
``available tokens × max_epochs`` and every repeated language's pool of unique tokens within ``available tokens``
(what the sampler would refuse at its first batch). All problems are reported
together.
"""

from __future__ import annotations

import math
from typing import Any

from codescale.compiler import mixing
from codescale.core.errors import CodescaleError, CodescaleErrors


def check_data(plan: Any) -> None:
    from codescale.core.catalog import load_catalog

    errors: dict[str, CodescaleError] = {}

    def add(err: CodescaleError) -> None:
        for e in getattr(err, "errors", [err]):
            errors.setdefault(e.render(), e)

    catalogs: dict[str, Any] = {}
    for run in plan.runs:
        path = run.corpus.catalog
        if path is None:
            add(
                CodescaleError(
                    "the spec names no corpus catalog",
                    source=plan.spec,
                    field="corpus.catalog",
                    hint="set corpus.catalog or pass --corpus CATALOG",
                )
            )
            continue
        if path not in catalogs:
            try:
                catalogs[path] = load_catalog(path)
            except CodescaleError as err:
                catalogs[path] = None
                add(err)
        catalog = catalogs[path]
        if catalog is None:
            continue
        needed = set(run.languages) | set(run.eval.languages)
        for lang in sorted(needed):
            if lang not in catalog.languages:
                add(
                    CodescaleError(
                        f"run {run.run_id} needs {lang}, which the catalog has no sources for",
                        source=path,
                        field="languages",
                        hint=f"add a `{lang}:` entry with sources",
                    )
                )
                continue
            try:
                catalog.source_files(lang)
            except CodescaleError as err:
                add(err)
        pairing = run.pairing
        if pairing.mode == "parallel":
            if catalog.parallel is None:
                add(
                    CodescaleError(
                        f"run {run.run_id} pairs code with translations, but the catalog has no parallel corpus",
                        source=path,
                        field="parallel",
                        hint="add a `parallel:` section (contracts §1)",
                    )
                )
            elif catalog.parallel.pivot != pairing.pivot:
                add(
                    CodescaleError(
                        f"run {run.run_id} pivots on {pairing.pivot}, the parallel corpus on {catalog.parallel.pivot}",
                        source=path,
                        field="parallel.pivot",
                    )
                )
        prepared = run.corpus.prepared
        if prepared is not None:
            try:
                for lang, quota in run.mixture.tokens_per_language.items():
                    available = mixing.corpus_tokens(prepared, lang)
                    cap = run.mixture.max_epochs.get(lang)
                    if cap is not None and quota > available * cap:
                        add(
                            CodescaleError(
                                f"run {run.run_id} needs {quota:,} {lang} tokens, more than {available:,} available × "
                                f"max_epochs {cap:g}",
                                source=plan.spec,
                                field="mixture.max_epochs",
                                hint="raise max_epochs, lower the budget, or prepare more data",
                            )
                        )
                    repeat = (run.mixture.repeat or {}).get(lang)
                    if repeat is not None and math.ceil(quota / repeat) > available:
                        add(
                            CodescaleError(
                                f"run {run.run_id} repeats {lang} {repeat:g} times from {math.ceil(quota / repeat):,} "
                                f"unique tokens, more than {available:,} available",
                                source=plan.spec,
                                field="mixture.repeat",
                                hint="raise repeat, lower the budget, or prepare more data",
                            )
                        )
            except CodescaleError as err:
                add(err)
    if errors:
        raise CodescaleErrors(list(errors.values()))
