"""Mixture experiments as arrays: runs × training domains (proportions) and runs × evaluated domains (losses).

A mixture law reads one :class:`MixtureData`: for R runs, the model size N (non-embedding parameters when recorded,
else all parameters) and training tokens D as raw counts, the training proportions p (R × T, rows summing to 1,
over the union of the selected runs' training domains, 0 where a run does not use a domain), the distinct tokens U
behind each domain's share (R × T, inf = fresh data; see :mod:`.repetition`) and the final validation loss on each
evaluated domain (R × V, NaN where a run was not evaluated on it). Training and evaluated domains are independent
lists: a study may evaluate a subset of what it trains on, or other domains altogether.

:func:`load` selects the runs from the store's ``final_loss`` view under a SQL predicate; every domain name is a
:func:`codescale.core.domains.domain_id`, so languages and any other domain mix freely.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws.fitstore import query

MIXTURE = "(mixture)"  # the target of laws that predict the mixture's own loss Σ p_k L_k


@dataclass
class MixtureData:
    run_ids: list[str]
    train_domains: list[str]
    eval_domains: list[str]
    n: np.ndarray  # (R,) parameters
    d: np.ndarray  # (R,) training tokens
    p: np.ndarray  # (R, T)
    unique: np.ndarray  # (R, T), inf = fresh data
    loss: np.ndarray  # (R, V), NaN = not evaluated

    def __len__(self) -> int:
        return len(self.run_ids)

    def subset(self, mask: np.ndarray) -> MixtureData:
        mask = np.asarray(mask)
        idx = np.flatnonzero(mask) if mask.dtype == bool else mask
        return MixtureData([self.run_ids[i] for i in idx], self.train_domains, self.eval_domains, self.n[idx],
                           self.d[idx], self.p[idx], self.unique[idx], self.loss[idx])  # fmt: skip

    def domain_tokens(self) -> np.ndarray:
        """(R, T) tokens of each training domain, p_j·D."""
        return self.p * self.d[:, None]

    def eval_in_train(self) -> list[str]:
        return [v for v in self.eval_domains if v in self.train_domains]

    def mixture_loss(self) -> np.ndarray:
        """(R,) Σ p_k L_k over the evaluated domains that are also trained on, renormalised over them (NaN where
        a run has none evaluated)."""
        cols = [self.train_domains.index(v) for v in self.eval_in_train()]
        if not cols:
            return np.full(len(self), np.nan)
        rows = [self.eval_domains.index(v) for v in self.eval_in_train()]
        p, loss = self.p[:, cols], self.loss[:, rows]
        ok = np.isfinite(loss) & (p > 0)
        w = np.where(ok, p, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (w * np.where(ok, loss, 0.0)).sum(axis=1) / w.sum(axis=1)

    def scales(self) -> list[tuple[float, float]]:
        """Distinct (N, D) points, in order of first appearance."""
        return list(dict.fromkeys(zip(self.n.tolist(), self.d.tolist())))

    def observed(self, target: str) -> np.ndarray:
        return self.mixture_loss() if target == MIXTURE else self.loss[:, self.eval_domains.index(target)]


def load(con: duckdb.DuckDBPyConnection, where: str, eval_domains: list[str] | None = None,
         train_domains: list[str] | None = None) -> MixtureData:  # fmt: skip
    """Runs of ``final_loss`` matching ``where`` (every run with at least one final validation loss).

    ``eval_domains`` restricts (and orders) the evaluated domains, ``train_domains`` fixes the proportion columns
    (a domain outside it that a run trains on is an error); by default both are every domain the selection has.
    """
    where = (where or "true").strip() or "true"
    rows = query(con, "SELECT run_id, language, loss, coalesce(params_non_embedding, params), tokens FROM final_loss "
                      f"WHERE ({where}) AND language IS NOT NULL ORDER BY run_id, language")  # fmt: skip
    if not rows:
        unnamed = query(con, f"SELECT count(*) FROM final_loss WHERE ({where}) AND language IS NULL")[0][0]
        hint = (
            "those runs have no evaluated domain: re-import them with --language NAME or --losses GLOB"
            if unnamed
            else 'check the predicate with `codescale sql "SELECT * FROM final_loss LIMIT 5"`'
        )
        raise CodescaleError(f"empty selection: no evaluated mixture runs match --where {where!r}", hint=hint)
    run_ids = list(dict.fromkeys(r[0] for r in rows))
    index = {r: i for i, r in enumerate(run_ids)}
    evals = eval_domains or sorted({r[1] for r in rows})
    loss = np.full((len(run_ids), len(evals)), np.nan)
    n = np.zeros(len(run_ids))
    d = np.zeros(len(run_ids))
    for run_id, domain, value, params, tokens in rows:
        i = index[run_id]
        n[i], d[i] = params or np.nan, tokens or np.nan
        if domain in evals:
            loss[i, evals.index(domain)] = np.nan if value is None else value
    mix = query(con, "SELECT run_id, language, proportion, unique_tokens FROM run_languages "
                     "WHERE list_contains(?::VARCHAR[], run_id) ORDER BY run_id, position", [run_ids])  # fmt: skip
    domains = train_domains or sorted({m[1] for m in mix if (m[2] or 0) > 0})
    p = np.zeros((len(run_ids), len(domains)))
    unique = np.full((len(run_ids), len(domains)), np.inf)
    for run_id, domain, proportion, unique_tokens in mix:
        if not proportion:
            continue
        if domain not in domains:
            raise CodescaleError(f"run {run_id} trains on {domain}, which is not one of the law's training domains "
                                 f"({', '.join(domains)})", hint="exclude the run with --where")  # fmt: skip
        p[index[run_id], domains.index(domain)] = proportion
        if unique_tokens:
            unique[index[run_id], domains.index(domain)] = unique_tokens
    _check(run_ids, n, d, p, loss)
    p = p / p.sum(axis=1, keepdims=True)
    return MixtureData(run_ids, list(domains), list(evals), n, d, p, unique, loss)


def _check(run_ids, n, d, p, loss) -> None:
    bad = [r for r, a, b in zip(run_ids, n, d) if not (np.isfinite(a) and a > 0 and np.isfinite(b) and b > 0)]
    if bad:
        raise CodescaleError(f"{len(bad)} run(s) lack a positive model size or token count: {', '.join(bad[:5])}",
                             hint="import them with --map size=...,tokens=... or --set size=...,tokens=...")  # fmt: skip
    empty = [r for r, row in zip(run_ids, p) if row.sum() <= 0]
    if empty:
        raise CodescaleError(f"{len(empty)} run(s) have no training proportions: {', '.join(empty[:5])}",
                             hint="import proportions with --proportions GLOB, or exclude the runs with --where")  # fmt: skip
    nonfinite = np.isinf(loss) | (loss <= 0)
    if nonfinite.any():
        which = [run_ids[i] for i in np.flatnonzero(nonfinite.any(axis=1))[:5]]
        raise CodescaleError(
            f"infinite or non-positive losses in runs {', '.join(which)}", hint="exclude them with --where"
        )
