"""Per-language laws L = E + A/N^alpha + B/D^beta from the store: which runs, which N and D, one fit per language.

What ``codescale fit chinchilla`` fits. Runs come from the ``final_loss`` view under a SQL predicate (by default the
single-language runs without pairing, :data:`MONOLINGUAL`), optionally restricted to some languages. N is the
non-embedding parameter count (or the total, ``n_column="params"``). D is the evaluated language's own training
tokens (``tokens="language"``; the run's total when a row has none) or the run's total (``tokens="total"``); with
``repetition`` it becomes the repetition-aware effective data U + U·R*·(1 − e^(−(D/U − 1)/R*)) of Muennighoff et al.
(2023), U being the language's distinct tokens, as a SQL expression, so every fit's selection stays pure SQL that
``validate-law`` and ``report`` re-run. Each fit is stored (:mod:`.fitstore`) under one batch id.

Imports nothing heavy at module level: the CLI reads :data:`MONOLINGUAL` for its help before any fit runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from codescale.core.errors import CodescaleError

if TYPE_CHECKING:
    import duckdb

    from codescale.laws.fit import FitSettings
    from codescale.laws.fitstore import StoredFit

MONOLINGUAL = "n_languages = 1 AND coalesce(pairing_mode, 'none') = 'none'"
"""The default selection: runs trained on one language, without parallel pairing."""


def fit_language_laws(
    con: duckdb.DuckDBPyConnection, settings: FitSettings, *, where: str = MONOLINGUAL, by_language: bool = True,
    languages: Sequence[str] | None = None, tokens: Literal["language", "total"] = "language",
    repetition: bool = False, r_star: float | None = None, n_column: str = "params_non_embedding", batch: str = "",
) -> list[StoredFit]:  # fmt: skip
    """Fit and store one law per language (``by_language``) or one over every selected row; return the fits.

    ``languages`` (any spelling :func:`codescale.core.domains.domain_id` accepts) narrows ``where``;
    ``r_star`` is the repetition constant R* (default :data:`codescale.laws.repetition.R_STAR`).
    """
    from codescale.core.domains import domain_id
    from codescale.laws.fitstore import N_COLUMNS, fit_groups
    from codescale.laws.repetition import R_STAR, sql_effective_tokens

    if n_column not in N_COLUMNS:
        raise CodescaleError(f"unknown parameter column {n_column!r}", hint=f"use one of {', '.join(N_COLUMNS)}")
    if languages:
        ids = [domain_id(x) for x in languages if x.strip()]
        where = f"({where}) AND language IN ({', '.join(repr(x) for x in ids)})"
    d_expr = "coalesce(language_tokens, tokens)" if tokens == "language" else "tokens"
    if repetition:
        if tokens != "language":
            raise CodescaleError(
                "--repetition discounts each language's own repeated tokens: use it with --tokens language"
            )
        d_expr = sql_effective_tokens(d_expr, "language_unique_tokens", r_star or R_STAR)
    group = "language" if by_language else None
    return fit_groups(
        con, kind="chinchilla", view="final_loss", where=where, group_expr=group, group_key=group,
        label_expr="language", n_expr=N_COLUMNS[n_column], d_expr=d_expr, settings=settings, batch=batch,
        extra_settings={"n_column": n_column, "d_column": tokens, "repetition": repetition,
                        "r_star": r_star if repetition else None},
    )  # fmt: skip
