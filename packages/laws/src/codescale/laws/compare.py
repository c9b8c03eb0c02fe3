"""``codescale fit mixture --compare``: every applicable law refitted on the same folds, ranked by held-out error.

The runs selected by ``--where`` are split once -- ``--holdout PREDICATE``, or K folds (a seeded permutation of the
runs, 5 by default) -- and every law is refitted on each training part with the same options (no bootstrap) and
scored on the held-out part: per evaluated domain and overall, the number held out, MAE, mean and max relative error
and Spearman's rank correlation (:mod:`.validate`). Laws are ranked by the overall mean relative error (ties: MAE);
the first is the winner. A law that cannot be fitted to these runs (the paper's law without per-domain laws, say) is
listed with the reason and not ranked. The comparison is stored as a fit of kind ``mixture_comparison`` (its settings
hold the scheme, the ranking and the winner) and every law's rows go to the ``validations`` table under its id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws import mixdata
from codescale.laws.fitstore import StoredFit, ensure_tables, save_fit
from codescale.laws.mixfit import FitOptions
from codescale.laws.mixlaws import LAWS, NEEDS_DOMAIN_LAWS, Inputs
from codescale.laws.mixture import fit_mixture
from codescale.laws.repetition import R_STAR
from codescale.laws.validate import (
    DomainError,
    domain_errors,
    fold_masks,
    heldout_rows,
    holdout_mask,
    render_errors,
    store_rows,
)


@dataclass
class LawScore:
    law: str
    errors: list[DomainError] = field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0
    note: str | None = None

    @property
    def overall(self) -> DomainError:
        return self.errors[-1]


@dataclass
class Comparison:
    scheme: str
    scores: list[LawScore]
    winner: str
    comparison_id: str = ""
    warnings: list[str] = field(default_factory=list)

    def ranked(self) -> list[LawScore]:
        return [s for s in self.scores if s.skipped is None]

    def render(self, per_domain: bool = True) -> str:
        from codescale.core.fmt import number, table

        rows = [[str(i + 1), s.law, str(s.overall.n_heldout), number(s.overall.mae),
                 f"{100 * s.overall.mean_rel_err:.3f}%", f"{100 * s.overall.max_rel_err:.3f}%",
                 number(s.overall.spearman), f"{s.seconds:.1f}"] for i, s in enumerate(self.ranked())]  # fmt: skip
        lines = [f"mixture laws compared on the same held-out runs ({self.scheme}); {self.comparison_id}",
                 table(["rank", "law", "held out", "MAE", "mean rel", "max rel", "Spearman", "fit s"], rows,
                       right={2, 3, 4, 5, 6, 7})]  # fmt: skip
        lines += [f"note: {s.law}: {s.note}" for s in self.scores if s.note]
        lines += [f"not ranked: {s.law}: {s.skipped}" for s in self.scores if s.skipped]
        if per_domain and self.ranked():
            best = self.ranked()[0]
            lines += [f"per domain, {best.law}:", render_errors(best.errors)]
        lines.append(f"winner: {self.winner} (lowest overall mean relative error on held-out runs)")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def compare_laws(con: duckdb.DuckDBPyConnection, where: str, *, laws: list[str] | None = None,
                 holdout: str | None = None, folds: int = 5, seed: int = 0, options: FitOptions | None = None,
                 per_domain: str | None = None, synergy: str | None = None, r_star: float = R_STAR,
                 eval_domains: list[str] | None = None, batch: str = "") -> Comparison:  # fmt: skip
    import time

    from codescale.laws.domainlaws import domain_inputs

    ensure_tables(con)
    options = options or FitOptions()
    options.bootstrap = 0
    data = mixdata.load(con, where, eval_domains)
    if holdout:
        masks, scheme = [holdout_mask(con, data.run_ids, where, holdout)], f"held out: {holdout}"
    else:
        masks, scheme = fold_masks(data.run_ids, folds, seed), f"{folds}-fold cross-validation over {len(data)} runs"
    laws = laws or list(LAWS)
    unknown = [law for law in laws if law not in LAWS]
    if unknown:
        raise CodescaleError(f"unknown mixture law(s) {', '.join(unknown)}", hint=f"laws: {', '.join(LAWS)}")
    domain_laws, tau, provenance, warnings = None, None, {}, []
    if set(laws) & set(NEEDS_DOMAIN_LAWS):
        domain_laws, tau, provenance, warnings = domain_inputs(con, per_domain, synergy)
    single_scale = len(data.scales()) == 1
    scores: list[LawScore] = []
    for law in laws:
        score = LawScore(law)
        twin = next((s for s in scores if s.law == "joint_additive"), None) if law == "joint" and single_scale else None
        if twin is not None and twin.skipped is None:
            # no N or D term can be fitted at one scale, and without them the joint law is the additive law
            score.errors, score.note = twin.errors, "the same law as joint_additive at a single scale (not refitted)"
            scores.append(score)
            continue
        if law in NEEDS_DOMAIN_LAWS and not domain_laws:
            score.skipped = "needs per-domain laws (`codescale fit chinchilla --by language`); the store has none"
            scores.append(score)
            continue
        start = time.perf_counter()
        rows = []
        try:
            for mask in masks:
                fit = fit_mixture(data.subset(~mask), law, options, domain_laws=domain_laws, tau=tau, r_star=r_star)
                test = data.subset(mask)
                rows += heldout_rows(fit.predict(Inputs.of(test)), test)
        except CodescaleError as err:
            score.skipped = err.message
            scores.append(score)
            continue
        score.seconds = time.perf_counter() - start
        if not rows:
            score.skipped = "predicted none of the held-out runs"
        else:
            score.errors = domain_errors(rows)
            if {r[1] for r in rows} == {"(mixture)"}:
                score.note = "scored on the mixture's loss Σ p_k L_k, the one thing it predicts"
        scores.append(score)
    ranked = sorted([s for s in scores if s.skipped is None], key=lambda s: (s.overall.mean_rel_err, s.overall.mae))
    if not ranked:
        raise CodescaleError(
            "no law could be fitted to these runs", hint="; ".join(f"{s.law}: {s.skipped}" for s in scores)
        )
    order = ranked + [s for s in scores if s.skipped]
    result = Comparison(scheme, order, ranked[0].law, warnings=warnings)
    params = {f"{s.law}.{k}": getattr(s.overall, attr) for s in ranked
              for k, attr in (("mae", "mae"), ("mean_rel", "mean_rel_err"), ("max_rel", "max_rel_err"),
                              ("spearman", "spearman"))}  # fmt: skip
    stored = StoredFit(
        kind="mixture_comparison", form="held-out comparison", selection_sql=f"SELECT * FROM final_loss WHERE {where}",
        settings={"scheme": scheme, "winner": result.winner, "ranking": [s.law for s in ranked],
                  "skipped": {s.law: s.skipped for s in scores if s.skipped}, "options": options.__dict__, **provenance},
        n_runs=len(data), objective=None, converged=True, params={k: float(v) for k, v in params.items()
                                                                 if v is not None and np.isfinite(v)},
        warnings=warnings, provenance={"where": where, "holdout": holdout, "run_ids": data.run_ids, "batch": batch},
    )  # fmt: skip
    result.comparison_id = save_fit(con, stored)
    for s in ranked:
        store_rows(con, result.comparison_id, result.comparison_id, s.law, scheme, s.errors)
    return result
