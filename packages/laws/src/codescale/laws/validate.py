"""``codescale validate-law``: refit a stored law without some runs and measure its error on them, per domain.

A law is judged by extrapolation, not in-sample fit. The runs of a stored fit's selection are split into held-out
runs and the rest, the law is refitted on the rest with the fit's own settings (no bootstrap), and it predicts the
held-out runs. Splits:

- ``--holdout PREDICATE``: SQL over the fit's source view (``final_loss`` for per-language and mixture laws), e.g.
  ``params_non_embedding > 2e9`` or ``run_id IN (SELECT run_id FROM runs WHERE run_json->>'split' = 'test')``;
- ``--folds K``: K-fold cross-validation over runs (a seeded permutation; every run is held out exactly once);
- default: a per-language or translation law holds out the largest-compute ``--fraction`` of runs (6·N·D); a
  mixture law 5 folds.

Per-language and translation fits are refitted with :func:`codescale.laws.fit.fit_law`; mixture fits
(:mod:`.mixture`) with their law, per-domain laws, τ and options. Reported per evaluated domain and overall: the
number held out, MAE, mean and max relative error |L̂ − L| / L, and the Spearman rank correlation of predicted and
observed loss over the held-out runs (NaN with fewer than 3 runs or no spread). The overall row pools every held-out
(run, domain) pair for the errors; its Spearman ranks the held-out runs by their mean loss over domains. Rows go to
the ``validations`` table; the held-out predictions to a ``fits`` row of kind ``validation``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field

import duckdb
import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws import store
from codescale.laws.fit import FitSettings, fit_law
from codescale.laws.fitstore import StoredFit, group_arrays, load_fit, query, save_fit, select_groups

OVERALL = None


@dataclass
class DomainError:
    domain: str | None  # None = overall
    n_heldout: int
    mae: float
    mean_rel_err: float
    max_rel_err: float
    spearman: float


@dataclass
class Validation:
    fit_id: str
    validation_id: str
    law: str
    scheme: str
    n_train: int
    rows: list[tuple[str, str, float, float]]  # run_id, domain, observed, predicted
    refitted: list[dict[str, float]] = field(default_factory=list)  # parameters of each refit
    warnings: list[str] = field(default_factory=list)

    @property
    def errors(self) -> np.ndarray:
        return np.array([p - o for _, _, o, p in self.rows])

    @property
    def relative(self) -> np.ndarray:
        return np.abs(self.errors) / np.array([o for _, _, o, _ in self.rows])

    def by_domain(self) -> list[DomainError]:
        return domain_errors(self.rows)

    def render(self) -> str:
        lines = [f"validation of {self.fit_id} ({self.law}; {self.validation_id}): {self.scheme}; "
                 f"{self.n_train} training runs per refit, {len({r[0] for r in self.rows})} runs held out"]  # fmt: skip
        lines.append(render_errors(self.by_domain()))
        for i, params in enumerate(self.refitted[:5]):
            shown = ", ".join(f"{k}={_g(v)}" for k, v in list(params.items())[:12])
            more = f", … ({len(params)} in all)" if len(params) > 12 else ""
            lines.append(f"refit {i + 1}: {shown}{more}")
        lines += [f"warning: {w}" for w in self.warnings[:10]]
        return "\n".join(lines)


def _g(v: float | None) -> str:
    from codescale.core.fmt import number

    return number(v)


def spearman(predicted: np.ndarray, observed: np.ndarray) -> float:
    if len(observed) < 3 or np.ptp(observed) == 0 or np.ptp(predicted) == 0:
        return float("nan")
    from scipy.stats import spearmanr

    return float(spearmanr(predicted, observed).statistic)


def domain_errors(rows: list[tuple[str, str, float, float]]) -> list[DomainError]:
    """Per-domain rows (in order of first appearance) and the overall row, from (run, domain, observed, predicted)."""
    out = []
    domains = list(dict.fromkeys(r[1] for r in rows))
    for domain in domains:
        sel = [(o, p) for _, d, o, p in rows if d == domain]
        o, p = np.array(sel).T
        out.append(_errors(domain, o, p, spearman(p, o)))
    o = np.array([r[2] for r in rows])
    p = np.array([r[3] for r in rows])
    runs: dict[str, list] = {}
    for run_id, _, obs, pred in rows:
        runs.setdefault(run_id, []).append((obs, pred))
    mean_o = np.array([np.mean([x[0] for x in v]) for v in runs.values()])
    mean_p = np.array([np.mean([x[1] for x in v]) for v in runs.values()])
    out.append(_errors(OVERALL, o, p, spearman(mean_p, mean_o)))
    return out


def _errors(domain, o, p, rho) -> DomainError:
    err = np.abs(p - o)
    rel = err / o
    return DomainError(domain, len(o), float(err.mean()), float(rel.mean()), float(rel.max()), rho)


def render_errors(errors: list[DomainError]) -> str:
    from codescale.core.fmt import table

    rows = [[e.domain or "(overall)", str(e.n_heldout), f"{e.mae:.4g}", f"{100 * e.mean_rel_err:.3f}%",
             f"{100 * e.max_rel_err:.3f}%", _g(e.spearman)] for e in errors]  # fmt: skip
    return table(["domain", "held out", "MAE", "mean rel", "max rel", "Spearman"], rows, right={1, 2, 3, 4, 5})


def store_rows(con: duckdb.DuckDBPyConnection, validation_id: str, fit_id: str, law: str, scheme: str,
               errors: list[DomainError]) -> None:  # fmt: skip
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [{"validation_id": validation_id, "fit_id": fit_id, "law": law, "domain": e.domain, "scheme": scheme,
             "n_heldout": e.n_heldout, "mae": e.mae, "mean_rel_err": e.mean_rel_err, "max_rel_err": e.max_rel_err,
             "spearman": e.spearman if math.isfinite(e.spearman) else None, "created": now} for e in errors]  # fmt: skip
    with store.transaction(con):
        store.insert_rows(con, "validations", rows)


def fold_masks(run_ids: list[str], folds: int, seed: int) -> list[np.ndarray]:
    r = len(run_ids)
    if folds < 2:
        raise CodescaleError(f"--folds must be at least 2, got {folds}")
    if r < folds:
        raise CodescaleError(f"only {r} runs: too few for {folds}-fold cross-validation", hint="lower --folds")
    order = np.random.default_rng(seed).permutation(r)
    return [np.isin(np.arange(r), order[i::folds]) for i in range(folds)]


def holdout_mask(con, run_ids: list[str], where: str, holdout: str, view: str = "final_loss") -> np.ndarray:
    held = {r[0] for r in query(con, f"SELECT DISTINCT run_id FROM {view} WHERE ({where}) AND ({holdout})",
                                what="--holdout")}  # fmt: skip
    mask = np.array([r in held for r in run_ids])
    if not mask.any() or mask.all():
        raise CodescaleError("the hold-out must keep some runs out and some in",
                             hint=f"--holdout selected {int(mask.sum())} of {len(mask)} runs")  # fmt: skip
    return mask


def validate_fit(con: duckdb.DuckDBPyConnection, fit_id: str, holdout: str | None = None, fraction: float = 0.2,
                 folds: int | None = None, seed: int = 0) -> Validation:  # fmt: skip
    fit = load_fit(con, fit_id)
    if holdout and folds:
        raise CodescaleError("pass --holdout or --folds, not both")
    if fit.kind in ("chinchilla", "translation"):
        return _validate_law(con, fit, holdout, fraction, folds, seed)
    if fit.kind == "mixture":
        return _validate_mixture(con, fit, holdout, folds, seed)
    raise CodescaleError(f"fit {fit_id} is a {fit.kind} fit; validate-law checks chinchilla, translation and "
                         "mixture fits")  # fmt: skip


def _largest_compute(compute: np.ndarray, run_ids: list[str], fraction: float) -> np.ndarray:
    if not 0 < fraction < 1:
        raise CodescaleError(f"--fraction must lie in (0, 1), got {fraction}")
    by_run: dict[str, float] = {}
    for r, c in zip(run_ids, compute):
        by_run[r] = max(by_run.get(r, 0.0), c)
    order = sorted(by_run, key=lambda r: -by_run[r])
    held = set(order[: max(1, int(round(fraction * len(order))))])
    return np.array([r in held for r in run_ids])


def _validate_law(con, fit: StoredFit, holdout, fraction, folds, seed) -> Validation:
    prov = fit.provenance
    view, where = prov["view"], prov.get("selection_where", prov["where"])
    groups = select_groups(con, view, where, None, prov["label_expr"], prov["n_expr"], prov["d_expr"],
                           prov.get("mean_over_labels", False))  # fmt: skip
    run_ids, labels, n, d, loss = group_arrays(next(iter(groups.values())))
    if holdout:
        masks, scheme = [holdout_mask(con, run_ids, where, holdout, view)], f"held out: {holdout}"
    elif folds:
        unique = list(dict.fromkeys(run_ids))
        masks = [np.isin(run_ids, [u for u, m in zip(unique, mask) if m]) for mask in fold_masks(unique, folds, seed)]
        scheme = f"{folds}-fold cross-validation over {len(unique)} runs"
    else:
        masks = [_largest_compute(6.0 * n * d, run_ids, fraction)]
        scheme = f"held out the largest-compute {fraction:.0%} of runs (6ND)"
    known = {f.name for f in dataclasses.fields(FitSettings)}
    settings = FitSettings(**{k: v for k, v in fit.settings.items() if k in known})
    settings.bootstrap = 0
    scale = 1e9 if settings.units == "billions" else 1.0
    domain = fit.group_value if fit.group_key in ("language", "setting", "template", "direction") else None
    rows, refitted, warnings, n_train = [], [], [], 0
    for mask in masks:
        train = ~mask
        law = fit_law(n[train] / scale, d[train] / scale, loss[train], settings,
                      [labels[i] for i in np.flatnonzero(train)])  # fmt: skip
        predicted = law.predict(n[mask] / scale, d[mask] / scale)
        rows += [(run_ids[i], domain or labels[i].split(":", 1)[1] or "(all)", float(loss[i]), float(p))
                 for i, p in zip(np.flatnonzero(mask), predicted)]  # fmt: skip
        refitted.append(law.params)
        warnings += law.warnings
        n_train = len(set(np.array(run_ids)[train]))
    return _store(con, fit, fit.form, scheme, n_train, rows, refitted, warnings, holdout)


def _validate_mixture(con, fit: StoredFit, holdout, folds, seed) -> Validation:
    from codescale.laws import mixture
    from codescale.laws.mixlaws import Inputs

    settings = fit.settings
    data = mixture.load_runs_by_id(con, fit.provenance["run_ids"], settings.get("eval_domains") or None,
                                   settings.get("train_domains"))  # fmt: skip
    if holdout:
        masks, scheme = [holdout_mask(con, data.run_ids, fit.provenance["where"], holdout)], f"held out: {holdout}"
    else:
        folds = folds or 5
        masks, scheme = fold_masks(data.run_ids, folds, seed), f"{folds}-fold cross-validation over {len(data)} runs"
    rows, refitted, warnings = [], [], []
    for mask in masks:
        refit = refit_mixture(fit, data.subset(~mask))
        test = data.subset(mask)
        rows += heldout_rows(refit.predict(Inputs.of(test)), test)
        refitted.append({f"{u}.{k}": v for u, unit in refit.units.items() for k, v in unit.params.items()})
        warnings += refit.warnings
    return _store(con, fit, fit.form, scheme, int(len(data) - masks[0].sum()), rows, refitted, warnings, holdout)


def refit_mixture(fit: StoredFit, data):
    """The stored mixture law refitted on ``data`` with its own law, inputs and options (no bootstrap)."""
    from codescale.laws import mixture
    from codescale.laws.mixfit import FitOptions

    s = fit.settings
    known = {f.name for f in dataclasses.fields(FitOptions)}
    options = FitOptions(**{k: v for k, v in s.get("options", {}).items() if k in known})
    options.bootstrap = 0
    tau = np.array(s["tau"]) if "tau" in s else None
    reference = (s["n0"], s["d0"]) if "n0" in s else None  # the same units for the refit's parameters
    return mixture.fit_mixture(data, fit.form, options, domain_laws=s.get("domain_laws"), tau=tau,
                               r_star=s.get("r_star", mixture.R_STAR), reference=reference)  # fmt: skip


def heldout_rows(predicted: dict[str, np.ndarray], test) -> list[tuple[str, str, float, float]]:
    rows = []
    for target, values in predicted.items():
        observed = test.observed(target)
        rows += [(r, target, float(o), float(p)) for r, o, p in zip(test.run_ids, observed, values)
                 if np.isfinite(o) and np.isfinite(p)]  # fmt: skip
    return rows


def _store(con, fit: StoredFit, law: str, scheme: str, n_train: int, rows, refitted, warnings, holdout) -> Validation:
    if not rows:
        raise CodescaleError("no held-out run could be predicted", hint="check the hold-out and the fit's domains")
    result = Validation(fit.fit_id or "", "", law, scheme, n_train, rows, refitted, list(dict.fromkeys(warnings)))
    errors = result.by_domain()
    overall = errors[-1]
    stored = StoredFit(
        kind="validation", form=fit.form, selection_sql=fit.selection_sql,
        settings={"validated_fit": fit.fit_id, "scheme": scheme, "holdout": holdout, "law": law},
        n_runs=n_train + len({r[0] for r in rows}), objective=None, converged=True,
        params={"mae": overall.mae, "mean_rel": overall.mean_rel_err, "max_rel": overall.max_rel_err},
        predictions=list(rows), warnings=result.warnings[:50], group_key=fit.group_key, group_value=fit.group_value,
        provenance={"validated_fit": fit.fit_id, "held_out": sorted({r[0] for r in rows})},
    )  # fmt: skip
    result.validation_id = save_fit(con, stored)
    store_rows(con, result.validation_id, fit.fit_id or "", law, scheme, errors)
    return result
