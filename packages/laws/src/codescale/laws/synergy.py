"""The synergy matrix of bilingual mixing (the paper's §4, Table 1), with uncertainty from repeated seeds.

For a target language i and an auxiliary language j, at one model size N and token budget D:

    Δ_ij = L_i(self×2) − L_i(i+j 50:50)        (positive = mixing helps; the paper's Eq. 2 with its sign fixed)
    g_ij = Δ_ij / L_i(self×2)                 (Table 1's bracketed relative gain)

L_i(self×2) is the target's validation loss after training on D tokens of i alone (the paper repeats a D/2 dataset
twice), L_i(i+j) its loss after D/2 tokens of each. The rows come from the store's ``synergy_pairs`` view, which
pairs every 50:50 two-language run (no pairing) with the single-language runs of the same study, N and D.

Uncertainty: with m mixture seeds (loss sample std s_mix) and k self seeds (s_self), Δ̄ = mean(mix) − mean(self)
has standard error SE = sqrt(s_mix²/m + s_self²/k); the interval is Δ̄ ± t·SE with Welch's degrees of freedom. With
a single seed on either side the spread is unknown: the cell gets no interval and the fit a warning.

The matrix is stored as a fit (kind ``synergy``) per (N, D) point, with parameters ``delta:<target>:<aux>``,
``rel_gain:<target>:<aux>`` (with intervals) and ``rel_gain_se:<target>:<aux>``. :func:`transfer_matrix` reads
τ_ij = g_ij back for the mixture laws (paper, effective_data, synergy_factor).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
from scipy import stats

from codescale.core.errors import CodescaleError
from codescale.laws.fitstore import StoredFit, load_fit, query, save_fit


@dataclass
class SynergyCell:
    target: str
    aux: str
    loss_self: float
    loss_mix: float
    delta: float
    rel_gain: float
    se: float | None  # standard error of delta
    ci: tuple[float, float] | None
    n_mix: int
    n_self: int
    run_ids: list[str]


def synergy_cells(con: duckdb.DuckDBPyConnection, where: str = "true", ci: float = 0.95) -> dict[tuple, list]:
    """Cells grouped by (study, params, tokens)."""
    rows = query(
        con,
        "SELECT study, params, tokens, target, aux, list(loss_mix), any_value(loss_self), any_value(loss_self_std), "
        "any_value(n_self), list(mix_run_id), any_value(self_run_ids) "
        f"FROM synergy_pairs WHERE ({where or 'true'}) GROUP BY ALL ORDER BY study, params, tokens, target, aux",
    )
    if not rows:
        raise CodescaleError(
            "empty selection: no 50:50 two-language runs with matching single-language baselines",
            hint="the synergy matrix needs mix runs and self-repetition runs of the same study, N and D "
            '(see specs/paper/synergy.yaml); check `codescale sql "SELECT * FROM synergy_pairs"`',
        )
    out: dict[tuple, list] = {}
    for study, params, tokens, target, aux, mixes, loss_self, self_std, n_self, mix_ids, self_ids in rows:
        mixes = [m for m in mixes if m is not None]
        bad = [loss_self] + mixes
        if not mixes or any(x is None or not math.isfinite(x) for x in bad):
            raise CodescaleError(f"synergy {target}<-{aux}: a NaN or missing loss in runs {mix_ids} / {self_ids}",
                                 hint="exclude the broken runs with --where")  # fmt: skip
        m = len(mixes)
        loss_mix = float(np.mean(mixes))
        delta = loss_self - loss_mix
        se = interval = None
        if m >= 2 and n_self >= 2:
            v_mix = float(np.var(mixes, ddof=1)) / m
            v_self = float(self_std) ** 2 / n_self
            se = math.sqrt(v_mix + v_self)
            dof = (v_mix + v_self) ** 2 / (v_mix**2 / (m - 1) + v_self**2 / (n_self - 1)) if se > 0 else 1e9
            half = float(stats.t.ppf(0.5 + ci / 2, dof)) * se
            interval = (delta - half, delta + half)
        cell = SynergyCell(target, aux, float(loss_self), loss_mix, delta, delta / loss_self, se, interval, m,
                           int(n_self), list(mix_ids) + list(self_ids))  # fmt: skip
        out.setdefault((study, params, tokens), []).append(cell)
    return out


def fit_synergy(
    con: duckdb.DuckDBPyConnection, where: str = "true", ci: float = 0.95, batch: str = ""
) -> list[StoredFit]:
    """Compute and store one synergy matrix per (study, N, D)."""
    fits = []
    for (study, params, tokens), cells in synergy_cells(con, where, ci).items():
        values, intervals, warnings = {}, {}, []
        predictions: list[tuple[str, str | None, float, float]] = []
        for c in cells:
            key = f"{c.target}:{c.aux}"
            values[f"delta:{key}"] = c.delta
            values[f"rel_gain:{key}"] = c.rel_gain
            if c.ci is not None:
                intervals[f"delta:{key}"] = c.ci
                intervals[f"rel_gain:{key}"] = (c.ci[0] / c.loss_self, c.ci[1] / c.loss_self)
                values[f"rel_gain_se:{key}"] = c.se / c.loss_self
            predictions.append((c.run_ids[0], key, c.loss_mix, c.loss_self))
        single = [f"{c.target}<-{c.aux}" for c in cells if c.ci is None]
        if single:
            warnings.append(f"{len(single)} cell(s) have a single seed on one side, so no interval: "
                            f"{', '.join(single[:6])}{' …' if len(single) > 6 else ''}")  # fmt: skip
        languages = sorted({c.target for c in cells} | {c.aux for c in cells})
        missing = [f"{t}<-{a}" for t in languages for a in languages
                   if t != a and f"delta:{t}:{a}" not in values]  # fmt: skip
        if missing:
            warnings.append(f"{len(missing)} cell(s) missing (no run): {', '.join(missing[:6])}")
        group = f"{study}|N={params / 1e9:.3g}B|D={tokens / 1e9:.4g}B"
        run_ids = sorted({r for c in cells for r in c.run_ids})
        stored = StoredFit(
            kind="synergy", form="delta = L(self x2) - L(mix); rel_gain = delta / L(self x2)",
            selection_sql=f"SELECT * FROM synergy_pairs WHERE ({where or 'true'}) AND study IS NOT DISTINCT FROM "
            f"{_sql_str(study)} AND params = {params} AND tokens = {tokens}",
            settings={"ci": ci, "interval": "Welch t on seed means", "params": params, "tokens": tokens,
                      "languages": languages},
            n_runs=len(run_ids), objective=None, converged=True, params=values, intervals=intervals,
            predictions=predictions, warnings=warnings, group_key="point", group_value=group,
            provenance={"view": "synergy_pairs", "where": where, "batch": batch, "run_ids": run_ids},
        )  # fmt: skip
        save_fit(con, stored)
        fits.append(stored)
    return fits


def transfer_matrix(fit: StoredFit) -> dict[str, dict[str, float]]:
    """τ[target][aux] = relative gain, from a stored synergy fit."""
    if fit.kind != "synergy":
        raise CodescaleError(f"fit {fit.fit_id} is a {fit.kind} fit, not a synergy matrix")
    tau: dict[str, dict[str, float]] = {}
    for name, value in fit.params.items():
        if name.startswith("rel_gain:"):
            _, target, aux = name.split(":")
            tau.setdefault(target, {})[aux] = value
    return tau


def load_transfer(con: duckdb.DuckDBPyConnection, fit_id: str) -> dict[str, dict[str, float]]:
    return transfer_matrix(load_fit(con, fit_id))


def _sql_str(value: str | None) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"
