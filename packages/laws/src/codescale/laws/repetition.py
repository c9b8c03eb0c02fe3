"""Repeated tokens are worth less: the data-constrained term of Muennighoff et al. (2023, arXiv 2305.16264).

A run that trains on D tokens of a domain drawn from only U distinct tokens sees them R = D/U − 1 extra times. Its
*effective* data is::

    D' = U + U·R*·(1 − exp(−R / R*))        (D > U; D' = D when D ≤ U or U is unknown)

so the first few epochs count almost fully, returns fade after about R* repetitions and vanish beyond: D' never
exceeds U·(1 + R*). R* = 15.4 is the value Muennighoff et al. fitted (their R*_D ≈ 15.39); ``--r-star`` overrides it.

Where it is used (always optional, and only where a run records U -- ``run_languages.unique_tokens``, filled from
mixture.json's repetition pools at ingest or from an imported column):

- the per-language law, ``codescale fit chinchilla --repetition``: D in L = E + A/N^α + B/D^β becomes D', so a
  self×2 baseline (64B seen twice) counts as less than 128B fresh tokens;
- inside the mixture laws: each domain's tokens p_j·D become D'_j before the law combines them (the paper's law and
  the additive laws use Σ_j D'_j as their data; effective_data and synergy_factor each language's own D'_i);
- allocation: a share whose tokens exceed what the corpus holds is charged the repetition discount, on top of the
  hard cap of ``--max-epochs``.
"""

from __future__ import annotations

import numpy as np

R_STAR = 15.4


def effective_tokens(tokens, unique, r_star: float = R_STAR) -> np.ndarray:
    """D' for tokens D drawn from U unique tokens (elementwise; U NaN, inf or ≤ 0 means fresh data: D' = D)."""
    d = np.asarray(tokens, dtype=float)
    u = np.asarray(unique, dtype=float)
    fresh = ~np.isfinite(u) | (u <= 0)
    u_safe = np.where(fresh, 1.0, u)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        repeats = d / u_safe - 1.0
        repeated = u_safe + u_safe * r_star * -np.expm1(-repeats / r_star)
    return np.where(fresh | (repeats <= 0), d, repeated)


def has_repetition(tokens, unique) -> bool:
    """Whether any of these domains is trained beyond its unique tokens."""
    u = np.asarray(unique, dtype=float)
    ok = np.isfinite(u) & (u > 0)
    return bool(np.any(np.asarray(tokens, dtype=float)[ok] > u[ok] * (1 + 1e-9)))


def sql_effective_tokens(tokens_sql: str, unique_sql: str, r_star: float = R_STAR) -> str:
    """The same D' as a SQL expression over two columns (so a per-language fit's selection stays pure SQL)."""
    d, u = f"({tokens_sql})", f"({unique_sql})"
    return (
        f"CASE WHEN {u} IS NULL OR {u} <= 0 OR {d} <= {u} THEN {d} "
        f"ELSE {u} + {u} * {r_star!r} * (1 - exp(-({d} / {u} - 1) / {r_star!r})) END"
    )
